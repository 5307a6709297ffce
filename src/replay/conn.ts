// The play-back servers' side of one TCP connection (`bitbroker replay --serve-game/--serve-bot`):
// a listener that hands out accepted connections, each with awaitable reads of whole messages
// and writes that honour back-pressure (the transport's Outbox). No protocol decisions here.
import type { Socket, TCPSocketListener } from "bun";
import { LineDecoder, ProtocolError, lineBytes, type Message } from "../protocol/index.ts";
import { Outbox } from "../transport/outbox.ts";

const LINE_BYTES_MAX = 1024 * 1024 * 1024;

export class PeerConn {
  readonly decoder = new LineDecoder(LINE_BYTES_MAX);
  readonly inbox: Message[] = [];
  outbox: Outbox;
  closed = false;
  error: string | null = null;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly socket: Socket<PeerConn>,
    readonly peer: string,
  ) {
    this.outbox = new Outbox(socket, Number.MAX_SAFE_INTEGER);
  }

  wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The next message; null once the connection is closed (or sent an invalid line) or time ran out. */
  async next(timeoutMs: number): Promise<Message | "timeout" | null> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const m = this.inbox.shift();
      if (m) return m;
      if (this.closed) return null;
      const left = deadline - performance.now();
      if (left <= 0) return "timeout";
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), Bun.sleep(left)]);
    }
  }

  send(...messages: Message[]): void {
    for (const m of messages) this.outbox.push(lineBytes(m));
    this.outbox.flush();
  }

  /** Sends what is queued, then closes; resolves once closed (cut after `timeoutMs`). */
  async close(timeoutMs = 2000): Promise<void> {
    this.outbox.closeWhenFlushed();
    const deadline = performance.now() + timeoutMs;
    while (!this.closed && performance.now() < deadline) {
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), Bun.sleep(50)]);
    }
    if (!this.closed) this.socket.terminate();
  }
}

export class PeerListener {
  private readonly listener: TCPSocketListener<PeerConn>;
  private readonly accepted: PeerConn[] = [];
  private waiters: Array<() => void> = [];

  constructor(host: string, port: number) {
    const self = this;
    this.listener = Bun.listen<PeerConn>({
      hostname: host,
      port,
      socket: {
        open(socket) {
          socket.setNoDelay(true);
          const conn = new PeerConn(socket, `${socket.remoteAddress}:${socket.remotePort}`);
          socket.data = conn;
          self.accepted.push(conn);
          for (const w of self.waiters.splice(0)) w();
        },
        data(socket, chunk) {
          const conn = socket.data;
          if (conn.closed) return;
          try {
            conn.inbox.push(...conn.decoder.push(chunk));
          } catch (e) {
            if (!(e instanceof ProtocolError)) throw e;
            conn.error = e.message;
            conn.closed = true;
            socket.terminate();
          }
          conn.wake();
        },
        drain(socket) {
          socket.data.outbox.flush();
        },
        close(socket) {
          socket.data.closed = true;
          socket.data.wake();
        },
        error(socket, error) {
          socket.data.error ??= error.message;
          socket.data.closed = true;
          socket.data.wake();
        },
      },
    });
  }

  get port(): number {
    return this.listener.port;
  }

  /** The next connection; null when `timeoutMs` (0 = none) passes first. */
  async accept(timeoutMs: number): Promise<PeerConn | null> {
    const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
    for (;;) {
      const c = this.accepted.shift();
      if (c) return c;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), ...(Number.isFinite(left) ? [Bun.sleep(left)] : [])]);
    }
  }

  stop(): void {
    this.listener.stop(false);
  }
}
