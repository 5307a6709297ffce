// The only code that touches Bun.listen sockets: bytes → line (or, once granted, frame) decoder →
// broker events, and the broker's commands → outboxes. Thin: every decision is the state machine's.
import type { Socket, TCPSocketListener } from "bun";
import type { Broker } from "../broker/broker.ts";
import type { BrokerEvent } from "../broker/events.ts";
import type { Command, ConnId, Event } from "../broker/types.ts";
import { FrameDecoder, LineDecoder, ProtocolError, envelopeBytesMax, frameBytes, lineBytes, trigger, type Message } from "../protocol/index.ts";
import { Scratch } from "../protocol/scratch.ts";
import type { Logger } from "../log.ts";
import { Outbox } from "./outbox.ts";
import type { TlsFiles } from "./tls.ts";

interface Conn {
  readonly id: ConnId;
  /** v1 lines, until the broker admits a client granted v2 frames (PROTOCOL.md §11). */
  decoder: LineDecoder | FrameDecoder;
  /** The bytes of a message as this connection speaks them. */
  encode: (m: Message) => Uint8Array;
  outbox: Outbox | null;
  /** Set once the broker closed it: later input is ignored. */
  done: boolean;
}

export interface TcpOptions {
  readonly host: string;
  readonly port: number;
  readonly lineBytesMax: number;
  /** Called once the broker says no more matches will be played. */
  readonly onFinished: () => void;
  /** Every domain event, in order, for the projections (records, metrics, dashboard, fleet). */
  readonly onEvent?: (event: BrokerEvent) => void;
  /** BROKER_TLS_CERT/KEY: the port speaks TLS (README "TLS"); absent = plain. */
  readonly tls?: TlsFiles | null;
  /** BROKER_PLAIN_PORT: a plain port beside the TLS one, feeding the same broker; absent = none. */
  readonly plain?: { readonly host: string; readonly port: number } | null;
}

const NO_MESSAGE = trigger();

/** A closing socket whose peer does not read its last lines is cut after this long. */
const LINGER_MS = 2000;

/**
 * The longest line of a connection still in its handshake (hello, Hello, name): a few KiB, so a
 * stranger cannot make the broker hold a 16 MiB line for the whole hello deadline (README
 * "Limits"). Raised to BROKER_LINE_BYTES_MAX once the broker admits it.
 */
export const HANDSHAKE_LINE_BYTES_MAX = 4096;

export class TcpTransport {
  private readonly sockets = new Map<ConnId, Socket<Conn>>();
  private nextId = 1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAtMs: number | null = null;
  private readonly listener: TCPSocketListener<Conn>;
  private readonly plainListener: TCPSocketListener<Conn> | null;
  /**
   * Every decoder's joined lines and decoded envelopes: a read's messages are handled (their sends
   * written, what a socket does not take copied by its outbox) before the next read is decoded.
   */
  private readonly scratch = new Scratch();
  /** The sockets a step wrote to, reused from step to step. */
  private readonly touched: Array<Socket<Conn>> = [];
  /** The event of every message read, refilled each time: the broker reads it only while handling it. */
  private readonly receivedEvent: { kind: "received"; conn: ConnId; message: Message } = { kind: "received", conn: 0, message: NO_MESSAGE };

  constructor(
    private readonly broker: Broker,
    private readonly log: Logger,
    private readonly options: TcpOptions,
  ) {
    this.listener = this.listen(options.host, options.port, options.tls ?? null);
    this.plainListener = options.plain ? this.listenPlain(options.plain.host, options.plain.port) : null;
  }

  /** The plain port beside TLS; an error to listen says it was this one (main names the setting). */
  private listenPlain(host: string, port: number): TCPSocketListener<Conn> {
    try {
      return this.listen(host, port, null);
    } catch (e) {
      this.listener.stop(true);
      throw Object.assign(e as Error, { listener: "plain" });
    }
  }

  /** One listener; TLS and plain ones feed the same broker through the same handlers. */
  private listen(hostname: string, port: number, tls: TlsFiles | null): TCPSocketListener<Conn> {
    const self = this;
    return Bun.listen<Conn>({
      hostname,
      port,
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
      socket: {
        open(socket) {
          self.opened(socket);
        },
        data(socket, chunk) {
          self.data(socket, chunk);
        },
        drain(socket) {
          if (socket.data.outbox && !socket.data.outbox.flush()) self.slow(socket);
        },
        close(socket, error) {
          self.closed(socket, error?.message);
        },
        error(socket, error) {
          self.closed(socket, error.message);
        },
        // With this handler, `open` comes at accept, so the hello deadline covers the TLS
        // handshake too. A failed one (a plain client, a client that does not trust us) is logged;
        // the socket then closes, and the broker hears of it as any other close.
        handshake(socket, success, error) {
          if (!success && socket.data) {
            self.log.log("warn", "tls handshake failed", { conn: socket.data.id, peer: `${socket.remoteAddress}:${socket.remotePort}`, error: error?.message ?? "" });
          }
        },
      },
    });
  }

  get port(): number {
    return this.listener.port;
  }

  /** The plain port beside TLS (BROKER_PLAIN_PORT), or null. */
  get plainPort(): number | null {
    return this.plainListener?.port ?? null;
  }

  /** Stops accepting; open connections are left to the broker's commands. */
  stopListening(): void {
    this.listener.stop(false);
    this.plainListener?.stop(false);
  }

  /** Connections still open (closing ones included). */
  get openCount(): number {
    return this.sockets.size;
  }

  /** Feeds one event to the broker and carries out its commands. */
  dispatch(event: Event): void {
    this.apply(this.broker.handle(event, performance.now()));
    this.schedule();
  }

  private opened(socket: Socket<Conn>): void {
    socket.setNoDelay(true);
    const decoder = new LineDecoder(Math.min(HANDSHAKE_LINE_BYTES_MAX, this.options.lineBytesMax), this.scratch);
    const conn: Conn = { id: this.nextId++, decoder, encode: lineBytes, outbox: null, done: false };
    // Unsent bytes beyond two full lines mean the peer is not reading.
    conn.outbox = new Outbox(socket, 2 * this.options.lineBytesMax);
    socket.data = conn;
    this.sockets.set(conn.id, socket);
    this.dispatch({ kind: "opened", conn: conn.id, peer: `${socket.remoteAddress}:${socket.remotePort}`, address: socket.remoteAddress });
  }

  private data(socket: Socket<Conn>, chunk: Uint8Array): void {
    const conn = socket.data;
    if (conn.done) return;
    let messages;
    try {
      messages = conn.decoder.push(chunk);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      // Lines before the bad one were whole and valid, but once one is bad the stream is
      // unreliable: the connection is closed without acting on anything more.
      conn.done = true;
      this.dispatch({ kind: "failed", conn: conn.id, error: e });
      return;
    }
    const now = performance.now();
    const event = this.receivedEvent;
    for (let i = 0; i < messages.length; i++) {
      if (conn.done) break;
      event.conn = conn.id;
      event.message = messages[i]!;
      this.apply(this.broker.handle(event, now));
    }
    // Nothing keeps this read's messages until the next one: their bytes (a read of Bun's, up to a
    // 12 MiB line) would live through a collection and be promoted to the old generation.
    event.message = NO_MESSAGE;
    messages.length = 0;
    this.schedule();
  }

  private closed(socket: Socket<Conn>, cause: string | undefined): void {
    const conn = socket.data;
    if (!conn || !this.sockets.has(conn.id)) return;
    this.sockets.delete(conn.id);
    conn.done = true;
    this.dispatch(cause ? { kind: "closed", conn: conn.id, cause } : { kind: "closed", conn: conn.id });
  }

  /** PROTOCOL.md §7: a peer that does not read is cut; it cannot be told why (it is not reading). */
  private slow(socket: Socket<Conn>): void {
    const conn = socket.data;
    if (!this.sockets.has(conn.id)) return;
    this.sockets.delete(conn.id);
    conn.done = true;
    const unsentBytes = conn.outbox?.unsentBytes ?? 0;
    socket.terminate();
    this.dispatch({ kind: "slow", conn: conn.id, unsentBytes });
  }

  private apply(commands: Command[]): void {
    const touched = this.touched;
    let closing: ConnId[] | null = null;
    for (const c of commands) {
      switch (c.kind) {
        case "send": {
          const socket = this.sockets.get(c.conn);
          if (!socket?.data.outbox) break;
          socket.data.outbox.push(socket.data.encode(c.message));
          touched.push(socket);
          break;
        }
        case "close":
          // Closed after every command of the step, events included: nothing of a step is
          // written before its projections saw its events (a match's record before its 00 FF).
          (closing ??= []).push(c.conn);
          break;
        case "log":
          this.log.log(c.level, c.event, c.fields);
          break;
        case "event":
          this.options.onEvent?.(c.event);
          break;
        case "admitted":
          this.admitted(c.conn, c.framing);
          break;
        case "finished":
          queueMicrotask(this.options.onFinished);
          break;
      }
    }
    // Flushed before anything else is decoded: the lines may be views of the scratch.
    let slow: Array<Socket<Conn>> | null = null;
    for (let i = 0; i < touched.length; i++) {
      const socket = touched[i]!;
      if (!socket.data.outbox!.flush()) (slow ??= []).push(socket);
    }
    touched.length = 0;
    // After the loop: cutting one dispatches a step of its own, which flushes with `touched` again.
    if (slow) for (const socket of slow) this.slow(socket);
    if (closing) for (const id of closing) this.close(id);
  }

  /** The handshake is done: the full line limit, and v2 frames from now on if granted. */
  private admitted(id: ConnId, framing: "lines" | "frames"): void {
    const conn = this.sockets.get(id)?.data;
    if (!conn || !(conn.decoder instanceof LineDecoder)) return;
    if (framing === "lines") return conn.decoder.setLineBytesMax(this.options.lineBytesMax);
    // Bytes already held after the last handshake line were sent after it, so as frames (a client
    // should wait for its Welcome first; one that did not is read as it meant, or refused).
    const held = conn.decoder.takePending();
    conn.decoder = new FrameDecoder(envelopeBytesMax(this.options.lineBytesMax), this.scratch);
    conn.encode = frameBytes;
    if (held.length === 0) return;
    const chunk = new Uint8Array(held.reduce((n, p) => n + p.length, 0));
    held.reduce((at, p) => (chunk.set(p, at), at + p.length), 0);
    const socket = this.sockets.get(id)!;
    queueMicrotask(() => this.data(socket, chunk));
  }

  private close(id: ConnId): void {
    const socket = this.sockets.get(id);
    if (!socket) return;
    socket.data.done = true;
    // Sends queued just before this close go out first (PROTOCOL.md §6).
    socket.data.outbox?.closeWhenFlushed();
    setTimeout(() => {
      if (this.sockets.get(id) === socket) socket.terminate();
    }, LINGER_MS).unref();
  }

  /** One timer, at the broker's next deadline; an early fire is harmless (the tick does nothing). */
  private schedule(): void {
    const next = this.broker.nextDeadlineMs();
    if (next === null || (this.timerAtMs !== null && this.timerAtMs <= next)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAtMs = next;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAtMs = null;
      this.dispatch({ kind: "tick" });
    }, Math.max(0, next - performance.now()));
  }
}
