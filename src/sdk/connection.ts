// The SDK's only socket code: one TCP connection to the broker over node:net, or node:tls when
// asked (so the same code runs on Bun and on Node), or a WebSocket to its HTTP port (websocket.ts),
// with a retried first connect, back-pressure on writes and an async read of the next message.
// No session logic here.
import { createConnection, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { Control, EnvelopeDecoder, FrameDecoder, LineDecoder, Opcode, ProtocolError, decodeWelcome, encodeLine, envelopeBytes, envelopeBytesMax, frameBytes, isCode, type Message } from "../protocol/index.ts";
import { SdkError } from "./errors.ts";
import { TlsFailure, resolveTls, tlsFailed, type ResolvedTls, type TlsOptions } from "./tls.ts";
import { openWebSocket, wsTls, type WsPipe } from "./websocket.ts";
import { DEFAULTS, stderrLog, type ConnectOptions, type SdkLog } from "./options.ts";

/** The least time one connect attempt gets, even when the overall deadline is nearer. */
const ATTEMPT_MIN_MS = 1_000;

/** What Connection writes to: a node:net socket, or a WebSocket (one envelope per write). */
interface Pipe {
  write(data: Uint8Array): boolean;
  readonly writableNeedDrain: boolean;
  readonly destroyed: boolean;
  end(): void;
}

interface SocketState {
  /** v1 lines, until a Welcome grants v2 frames (PROTOCOL.md §11); then frames both ways. Over WebSocket: one envelope per message. */
  decoder: LineDecoder | FrameDecoder | EnvelopeDecoder;
  /** The client asked for frames: a Welcome that grants them switches the framing. */
  readonly askFrames: boolean;
  readonly lineBytesMax: number;
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
    private readonly socket: Pipe,
    private readonly state: SocketState,
    private readonly signal: AbortSignal | undefined,
    private readonly readTimeoutMs: number | null,
  ) {}

  /** Connects (to `url` over WebSocket when given), retrying refused or failed attempts until `connectTimeoutMs` has passed. */
  static async open(host: string, port: number, options: ConnectOptions = {}, url = ""): Promise<Connection> {
    if (url === "" && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw new SdkError("connect_failed", `cannot connect to the broker at ${host}:${port}: not a TCP port`);
    }
    const where = url === "" ? `${host}:${port}` : url;
    const timeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    const log = options.log ?? stderrLog();
    const tls = url === "" ? resolveTls(options.tls, host, port) : wsTls(url, options.tls);
    const deadline = performance.now() + timeoutMs;
    let attempts = 0;
    let delayMs: number = DEFAULTS.connectRetryFirstDelayMs;
    for (;;) {
      throwIfAborted(options.signal);
      attempts++;
      const lineBytesMax = options.lineBytesMax ?? DEFAULTS.lineBytesMax;
      const state: SocketState = {
        decoder: url === "" ? new LineDecoder(lineBytesMax) : new EnvelopeDecoder(envelopeBytesMax(lineBytesMax)),
        askFrames: url === "" && (options.frames ?? true),
        lineBytesMax,
        inbox: [],
        waiters: [],
        closed: false,
        failure: undefined,
        lostBecause: undefined,
      };
      try {
        const limitMs = Math.max(deadline - performance.now(), ATTEMPT_MIN_MS);
        const socket = url === "" ? await connectOnce(host, port, limitMs, state, tls) : await connectWs(url, limitMs, state, tls);
        log("info", `connected to the broker at ${where}${tls ? ` over TLS, its certificate verified against ${tls.trusting}` : ""}`);
        return new Connection(socket, state, options.signal, options.readTimeoutMs ?? null).watch();
      } catch (e) {
        // The broker answered, but TLS failed (a certificate we do not trust, a plain port):
        // trying again would fail the same way.
        if (e instanceof TlsFailure) throw tlsFailed(host, port, tls!, e.cause as Error);
        const leftMs = deadline - performance.now();
        if (leftMs <= 0) {
          throw new SdkError(
            "connect_failed",
            `cannot connect to the broker at ${where}: gave up after ${attempts} attempt(s) in ${timeoutMs} ms (${(e as Error).message})`,
            "",
            "",
            { cause: e },
          );
        }
        const waitMs = Math.min(delayMs, leftMs);
        log("info", `broker at ${where} not reachable yet (attempt ${attempts}: ${(e as Error).message}); retrying in ${Math.round(waitMs)} ms`);
        // A pause between attempts, not synchronisation: nothing else tells us the broker is up.
        await new Promise((r) => setTimeout(r, waitMs));
        delayMs = Math.min(delayMs * 2, DEFAULTS.connectRetryMaxDelayMs);
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
    this.throwIfFailed();
    // A peer that closed after sending us something (00 FF + reason) said why: let next() read it.
    if (this.state.closed || this.socket.destroyed) return this.closedWhileSending();
    if (this.write(messages)) return;
    // The socket keeps every byte it could not write yet, past its high-water mark: wait until
    // it has drained (or closed) before anything more is written.
    while (this.socket.writableNeedDrain && !this.state.closed) {
      this.throwIfFailed();
      await new Promise<void>((r) => this.state.waiters.push(r));
    }
    this.throwIfFailed();
    if (this.state.closed) return this.closedWhileSending();
  }

  /** Writes in this connection's framing; false when the socket asks to wait for drain. */
  private write(messages: Message[]): boolean {
    const d = this.state.decoder;
    // PROTOCOL.md §12: one envelope per WebSocket message, as it is.
    if (d instanceof EnvelopeDecoder) return messages.map((m) => this.socket.write(envelopeBytes(m))).every(Boolean);
    return this.socket.write(d instanceof FrameDecoder ? joined(messages.map(frameBytes)) : new TextEncoder().encode(messages.map(encodeLine).join("")));
  }

  private closedWhileSending(): void {
    if (this.state.inbox.length === 0) throw this.state.lostBecause ?? lost("while sending");
  }

  /** The next message from the broker. Throws SdkError if the connection fails or closes first, or the read timeout passes. */
  async next(): Promise<Message> {
    const deadline = this.readTimeoutMs === null ? null : performance.now() + this.readTimeoutMs;
    for (;;) {
      this.throwIfFailed();
      const m = this.state.inbox.shift();
      if (m) return m;
      if (this.state.closed) throw this.state.lostBecause ?? lost("before the match ended");
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

/**
 * One attempt: resolves once connected, with the session's handlers attached in the same tick
 * (so no byte or error goes unheard); rejects on an error or after `limitMs`.
 */
function connectOnce(host: string, port: number, limitMs: number, state: SocketState, tls: ResolvedTls | null): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // rejectUnauthorized: an untrusted certificate fails the connect (never skipped).
    const socket = tls
      ? tlsConnect({ host, port, rejectUnauthorized: true, ...(tls.ca !== undefined ? { ca: tls.ca } : {}), ...(tls.serverName ? { servername: tls.serverName } : {}) })
      : createConnection({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${Math.round(limitMs)} ms`)), limitMs);
    let reached = false;
    const refused = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(tls && reached ? new TlsFailure(error) : error);
    };
    socket.once("error", refused);
    // TCP is up: from here a failure is the TLS handshake's.
    if (tls) socket.once("connect", () => (reached = true));
    socket.once(tls ? "secureConnect" : "connect", () => {
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
  // A plain Uint8Array view (Node hands Buffers): bodies look the same on every runtime.
  socket.on("data", (chunk: Uint8Array) => received(state, socket, () => read(state, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))));
  socket.on("drain", () => wake(state));
  socket.on("close", () => closed(state));
  socket.on("error", (error: Error) => failed(state, error));
}

/** One attempt over WebSocket (PROTOCOL.md §12): its handlers attached before it opens, as for TCP. */
function connectWs(url: string, limitMs: number, state: SocketState, tls: ResolvedTls | null): Promise<WsPipe> {
  const d = state.decoder as EnvelopeDecoder;
  return openWebSocket(url, limitMs, tls, {
    message: (data, pipe) => received(state, pipe, () => state.inbox.push(...(typeof data === "string" ? d.text(data.length) : d.push(data)))),
    drain: () => wake(state),
    close: () => closed(state),
    error: (error) => failed(state, error),
  });
}

/** Runs a decode of what arrived; bad bytes end the session (the socket is closed). */
function received(state: SocketState, socket: Pipe, decode: () => void): void {
  if (state.failure) return;
  try {
    decode();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    state.failure = new SdkError(e.code, `the broker sent an invalid line: ${e.message}`, "", "", { cause: e });
    socket.end();
  }
  wake(state);
}

function closed(state: SocketState): void {
  state.closed = true;
  wake(state);
}

function failed(state: SocketState, error: Error): void {
  state.lostBecause ??= new SdkError("connection_lost", `connection to the broker failed: ${error.message}`, "", "", { cause: error });
  wake(state);
}

/** Decodes a chunk; after a Welcome that grants frames, the rest of the stream is v2 (PROTOCOL.md §11). */
function read(state: SocketState, chunk: Uint8Array): void {
  const d = state.decoder;
  if (!(d instanceof LineDecoder) || !state.askFrames) {
    state.inbox.push(...d.push(chunk));
    return;
  }
  const { messages, rest } = d.pushUntil(chunk, grantsFrames);
  state.inbox.push(...messages);
  if (rest === null) return;
  state.decoder = new FrameDecoder(envelopeBytesMax(state.lineBytesMax));
  if (rest.length > 0) state.inbox.push(...state.decoder.push(rest));
}

/** A Welcome (00 03) whose features include "frames". A body that does not decode is the session's to report. */
function grantsFrames(m: Message): boolean {
  if (!isCode(m, Opcode.control, Control.welcome)) return false;
  try {
    return decodeWelcome(m.body).features.includes("frames");
  } catch {
    return false;
  }
}

function joined(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
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
