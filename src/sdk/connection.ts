// The SDK's only socket code: one TCP connection to the broker over node:net (so the same code
// runs on Bun and on Node), with a retried first connect, back-pressure on writes and an async
// read of the next message. No session logic here.
import { createConnection, type Socket } from "node:net";
import { LineDecoder, ProtocolError, encodeLine, type Message } from "../protocol/index.ts";
import { SdkError } from "./errors.ts";

/** Settings shared by {@link runBot} and {@link runGame}. */
export interface ConnectOptions {
  /** Keep retrying the first connect for this long, in ms (bots often start before the broker). Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Longest line accepted from the broker, in bytes of base64. Default 64 MiB. */
  readonly lineBytesMax?: number;
  /** Stops the session: the socket closes and the promise rejects with an SdkError `aborted`. */
  readonly signal?: AbortSignal;
}

const CONNECT_TIMEOUT_MS = 10_000;
const LINE_BYTES_MAX = 64 * 1024 * 1024;
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 500;
/** The least time one connect attempt gets, even when the overall deadline is nearer. */
const ATTEMPT_MIN_MS = 1_000;

interface SocketState {
  readonly decoder: LineDecoder;
  readonly inbox: Message[];
  waiters: Array<() => void>;
  closed: boolean;
  /** Ends the session at once, before any message still in the inbox (bad bytes, abort). */
  failure: SdkError | undefined;
  /** Why the socket closed, if it failed: reported once the inbox is empty, like a close. */
  lostBecause: SdkError | undefined;
}

/** One connection to the broker. Internal to the SDK. */
export class Connection {
  private constructor(
    private readonly socket: Socket,
    private readonly state: SocketState,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Connects, retrying refused or failed attempts until `connectTimeoutMs` has passed. */
  static async open(host: string, port: number, options: ConnectOptions = {}): Promise<Connection> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new SdkError("connect_failed", `cannot connect to the broker at ${host}:${port}: not a TCP port`);
    }
    const timeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    const deadline = performance.now() + timeoutMs;
    let attempts = 0;
    let delayMs = RETRY_FIRST_MS;
    for (;;) {
      throwIfAborted(options.signal);
      attempts++;
      const state: SocketState = {
        decoder: new LineDecoder(options.lineBytesMax ?? LINE_BYTES_MAX),
        inbox: [],
        waiters: [],
        closed: false,
        failure: undefined,
        lostBecause: undefined,
      };
      try {
        const limitMs = Math.max(deadline - performance.now(), ATTEMPT_MIN_MS);
        const socket = await connectOnce(host, port, limitMs, state);
        return new Connection(socket, state, options.signal).watch();
      } catch (e) {
        const leftMs = deadline - performance.now();
        if (leftMs <= 0) {
          throw new SdkError(
            "connect_failed",
            `cannot connect to the broker at ${host}:${port}: gave up after ${attempts} attempt(s) in ${timeoutMs} ms (${(e as Error).message})`,
            "",
            { cause: e },
          );
        }
        // A pause between attempts, not synchronisation: nothing else tells us the broker is up.
        await new Promise((r) => setTimeout(r, Math.min(delayMs, leftMs)));
        delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
      }
    }
  }

  private watch(): this {
    this.signal?.addEventListener("abort", this.onAbort, { once: true });
    // The listener is added after the last check: a signal that fired in between still counts.
    if (this.signal?.aborted) this.onAbort();
    return this;
  }

  private readonly onAbort = (): void => {
    this.fail(new SdkError("aborted", "the session was aborted by its AbortSignal"));
    this.close();
  };

  private fail(error: SdkError): void {
    this.state.failure ??= error;
    wake(this.state);
  }

  /** Sends messages in order, waiting while the socket's buffer is full. */
  async send(...messages: Message[]): Promise<void> {
    const bytes = new TextEncoder().encode(messages.map(encodeLine).join(""));
    this.throwIfFailed();
    // A peer that closed after sending us something (00 FF + reason) said why: let next() read it.
    if (this.state.closed || this.socket.destroyed) return this.closedWhileSending();
    if (this.socket.write(bytes)) return;
    // The socket keeps every byte it could not write yet, past its high-water mark: wait until
    // it has drained (or closed) before anything more is written.
    while (this.socket.writableNeedDrain && !this.state.closed) {
      this.throwIfFailed();
      await new Promise<void>((r) => this.state.waiters.push(r));
    }
    this.throwIfFailed();
    if (this.state.closed) return this.closedWhileSending();
  }

  private closedWhileSending(): void {
    if (this.state.inbox.length === 0) throw this.state.lostBecause ?? lost("while sending");
  }

  /** The next message from the broker. Throws SdkError if the connection fails or closes first. */
  async next(): Promise<Message> {
    for (;;) {
      this.throwIfFailed();
      const m = this.state.inbox.shift();
      if (m) return m;
      if (this.state.closed) throw this.state.lostBecause ?? lost("before the match ended");
      await new Promise<void>((r) => this.state.waiters.push(r));
    }
  }

  /** Closes the connection (after flushing what was written). Safe to call twice. */
  close(): void {
    this.signal?.removeEventListener("abort", this.onAbort);
    if (!this.state.closed) this.socket.end();
  }

  private throwIfFailed(): void {
    if (this.state.failure) throw this.state.failure;
  }
}

/**
 * One attempt: resolves once connected, with the session's handlers attached in the same tick
 * (so no byte or error goes unheard); rejects on an error or after `limitMs`.
 */
function connectOnce(host: string, port: number, limitMs: number, state: SocketState): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${Math.round(limitMs)} ms`)), limitMs);
    const refused = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once("error", refused);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", refused);
      // Small lines, one turn at a time: send each at once (no Nagle delay waiting for an ACK).
      socket.setNoDelay(true);
      attach(socket, state);
      resolve(socket);
    });
  });
}

function attach(socket: Socket, state: SocketState): void {
  socket.on("data", (chunk: Uint8Array) => {
    if (state.failure) return;
    try {
      // A plain Uint8Array view (Node hands Buffers): bodies look the same on every runtime.
      state.inbox.push(...state.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      state.failure = new SdkError("protocol", `the broker sent an invalid line: ${e.message}`, "", { cause: e });
      socket.end();
    }
    wake(state);
  });
  socket.on("drain", () => wake(state));
  socket.on("close", () => {
    state.closed = true;
    wake(state);
  });
  socket.on("error", (error: Error) => {
    state.lostBecause ??= new SdkError("connection_lost", `connection to the broker failed: ${error.message}`, "", { cause: error });
    wake(state);
  });
}

function wake(state: SocketState): void {
  for (const w of state.waiters.splice(0)) w();
}

function lost(when: string): SdkError {
  return new SdkError("connection_lost", `the broker closed the connection ${when}`);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SdkError("aborted", "the session was aborted by its AbortSignal");
}
