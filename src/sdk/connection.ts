// The SDK's only socket code: one TCP connection to the broker, with a retried first connect,
// back-pressure on writes and an async read of the next message. No session logic here.
import type { Socket } from "bun";
import { LineDecoder, ProtocolError, encodeLine, type Message } from "../protocol/index.ts";
import { SdkError } from "./errors.ts";

/** Settings shared by {@link runBot} and {@link runGame} (defaults: PROTOCOL.md §10, the same in every SDK). */
export interface ConnectOptions {
  /** Keep retrying the first connect for this long, in ms (bots often start before the broker). Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Longest line accepted from the broker, in bytes of base64. Default 64 MiB. */
  readonly lineBytesMax?: number;
  /** Give up (SdkError `read_timeout`) when the broker sends nothing for this long, in ms. Default: no limit. */
  readonly readTimeoutMs?: number;
  /** Stops the session: the socket closes and the promise rejects with an SdkError `aborted`. */
  readonly signal?: AbortSignal;
  /** The room to play in (PROTOCOL.md §9). Default: $BITBROKER_ROOM, else the broker's default room. */
  readonly room?: string;
  /** Where the SDK says what it is doing. Default: stderr, from the level in $BITBROKER_LOG_LEVEL, else "warn". */
  readonly log?: SdkLog;
}

export type SdkLogLevel = "debug" | "info" | "warn" | "error";
/** Receives the SDK's log lines (connect retries, waiting for a match, the match starting). */
export type SdkLog = (level: SdkLogLevel, message: string) => void;

export const DEFAULTS = {
  connectTimeoutMs: 10_000,
  connectRetryFirstDelayMs: 50,
  connectRetryMaxDelayMs: 1000,
  lineBytesMax: 64 * 1024 * 1024,
  readTimeoutMs: null,
} as const;

/** The room a client asks for: the option, else $BITBROKER_ROOM, else "" (the default room). */
export function roomOption(options: ConnectOptions, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return options.room ?? env.BITBROKER_ROOM ?? "";
}

const RANK: Record<SdkLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The default log: stderr, from $BITBROKER_LOG_LEVEL (debug|info|warn|error|silent; default warn). */
export function stderrLog(env: Readonly<Record<string, string | undefined>> = process.env): SdkLog {
  const wanted = (env.BITBROKER_LOG_LEVEL ?? "warn").toLowerCase();
  const min = wanted === "silent" ? Infinity : (RANK[wanted as SdkLogLevel] ?? RANK.warn);
  return (level, message) => {
    if (RANK[level] >= min) console.error(`bitbroker ${level}: ${message}`);
  };
}

interface SocketState {
  readonly decoder: LineDecoder;
  readonly inbox: Message[];
  waiters: Array<() => void>;
  closed: boolean;
  failure: SdkError | undefined;
}

/** One connection to the broker. Internal to the SDK. */
export class Connection {
  private constructor(
    private readonly socket: Socket<undefined>,
    private readonly state: SocketState,
    private readonly signal: AbortSignal | undefined,
    private readonly readTimeoutMs: number | null,
  ) {}

  /** Connects, retrying refused or failed attempts until `connectTimeoutMs` has passed. */
  static async open(host: string, port: number, options: ConnectOptions = {}): Promise<Connection> {
    const timeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    const log = options.log ?? stderrLog();
    const deadline = performance.now() + timeoutMs;
    let attempts = 0;
    let delayMs: number = DEFAULTS.connectRetryFirstDelayMs;
    for (;;) {
      throwIfAborted(options.signal);
      attempts++;
      const state: SocketState = {
        decoder: new LineDecoder(options.lineBytesMax ?? DEFAULTS.lineBytesMax),
        inbox: [],
        waiters: [],
        closed: false,
        failure: undefined,
      };
      try {
        const socket = await Bun.connect({ hostname: host, port, socket: handlers(state) });
        log("info", `connected to the broker at ${host}:${port}`);
        return new Connection(socket, state, options.signal, options.readTimeoutMs ?? null).watch();
      } catch (e) {
        const leftMs = deadline - performance.now();
        if (leftMs <= 0) {
          throw new SdkError(
            "connect_failed",
            `cannot connect to the broker at ${host}:${port}: gave up after ${attempts} attempt(s) in ${timeoutMs} ms (${(e as Error).message})`,
            "",
            "",
            { cause: e },
          );
        }
        const waitMs = Math.min(delayMs, leftMs);
        log("info", `broker at ${host}:${port} not reachable yet (attempt ${attempts}: ${(e as Error).message}); retrying in ${Math.round(waitMs)} ms`);
        // A pause between attempts, not synchronisation: nothing else tells us the broker is up.
        await Bun.sleep(waitMs);
        delayMs = Math.min(delayMs * 2, DEFAULTS.connectRetryMaxDelayMs);
      }
    }
  }

  private watch(): this {
    this.signal?.addEventListener("abort", this.onAbort, { once: true });
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
    let bytes = new TextEncoder().encode(messages.map(encodeLine).join(""));
    while (bytes.length > 0) {
      this.throwIfFailed();
      // A peer that closed after sending us something (00 FF + reason) said why: let next() read it.
      if (this.state.closed) return this.closedWhileSending();
      const n = this.socket.write(bytes);
      if (n < 0) return this.closedWhileSending();
      bytes = bytes.subarray(n);
      // Bun keeps none of the unwritten bytes: wait for `drain` (or a close) and write the rest.
      if (bytes.length > 0) await new Promise<void>((r) => this.state.waiters.push(r));
    }
  }

  private closedWhileSending(): void {
    if (this.state.inbox.length === 0) throw lost("while sending");
  }

  /** The next message from the broker. Throws SdkError if the connection fails or closes first, or the read timeout passes. */
  async next(): Promise<Message> {
    const deadline = this.readTimeoutMs === null ? null : performance.now() + this.readTimeoutMs;
    for (;;) {
      this.throwIfFailed();
      const m = this.state.inbox.shift();
      if (m) return m;
      if (this.state.closed) throw lost("before the match ended");
      if (deadline === null) {
        await new Promise<void>((r) => this.state.waiters.push(r));
        continue;
      }
      const leftMs = deadline - performance.now();
      if (leftMs <= 0) throw new SdkError("read_timeout", `no message from the broker within ${this.readTimeoutMs} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.state.waiters.push(r);
        timer = setTimeout(r, leftMs);
      });
      clearTimeout(timer);
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

function handlers(state: SocketState) {
  return {
    data(socket: Socket<undefined>, chunk: Uint8Array): void {
      if (state.failure) return;
      try {
        state.inbox.push(...state.decoder.push(chunk));
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        state.failure = new SdkError(e.code, `the broker sent an invalid line: ${e.message}`, "", "", { cause: e });
        socket.end();
      }
      wake(state);
    },
    drain(): void {
      wake(state);
    },
    close(): void {
      state.closed = true;
      wake(state);
    },
    error(_socket: Socket<undefined>, error: Error): void {
      state.failure ??= new SdkError("connection_lost", `connection to the broker failed: ${error.message}`, "", "", { cause: error });
      wake(state);
    },
  };
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
