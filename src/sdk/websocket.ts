// The SDK's WebSocket socket (PROTOCOL.md §12): a connection to the broker's `/ws`, one envelope per
// binary message, behind the few socket operations connection.ts uses (write, drain, end). Bun's
// own WebSocket on Bun; the `ws` package on Node.js (Node 20 has no WebSocket, and neither Node's
// takes a CA). No session logic and no decoding here.
import { SdkError } from "./errors.ts";
import { resolveTls, type ResolvedTls, type TlsOptions } from "./tls.ts";

/** The WHATWG WebSocket surface used here: Bun's and the `ws` package's alike. */
interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "close" | "error", listener: (event: { message?: string; code?: number; reason?: string }) => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}
type WebSocketClass = new (url: string, options?: object) => WebSocketLike;

/** readyState values (WHATWG). */
const OPEN = 1;

/**
 * Bytes waiting in the WebSocket's own buffer beyond which a write says "wait for drain". The
 * WHATWG API buffers without bound and has no drain event, so the pipe watches bufferedAmount.
 */
const HIGH_WATER_BYTES = 1024 * 1024;
/** How often a waiting writer looks at bufferedAmount again. */
const DRAIN_POLL_MS = 2;

/** The broker's WebSocket URL: the option, else $BITBROKER_URL, else "" (TCP). Throws RangeError for a URL that is not ws:// or wss://. */
export function urlOption(options: { readonly url?: string }, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const url = options.url ?? env.BITBROKER_URL ?? "";
  if (url !== "" && !/^wss?:\/\/[^/]/.test(url)) throw new RangeError(`the broker's URL must be ws://… or wss://… (its /ws path); got "${url}"`);
  return url;
}

/** The TLS of a WebSocket: a wss:// URL verifies the broker (against the `tls` option's CA, else the system's); ws:// has none. */
export function wsTls(url: string, option: boolean | TlsOptions | undefined, env: Readonly<Record<string, string | undefined>> = process.env): ResolvedTls | null {
  const { hostname, port } = new URL(url);
  const asked = resolveTls(option, hostname, Number(port), env);
  if (url.startsWith("wss:")) return asked ?? { trusting: "the system's CAs" };
  if (asked) throw new SdkError("connect_failed", `cannot connect to the broker at ${url}: TLS is asked for, but the URL is ws://; use wss://`);
  return null;
}

export interface WsHandlers {
  /** One whole message: an envelope (bytes), or text (never sent by the broker: the caller refuses it). */
  message(data: Uint8Array | string, pipe: WsPipe): void;
  drain(): void;
  close(): void;
  error(error: Error): void;
}

/** An open WebSocket to the broker, shaped as the node:net socket connection.ts writes to. */
export class WsPipe {
  private draining: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly ws: WebSocketLike,
    private readonly handlers: WsHandlers,
  ) {}

  /** Sends one envelope as one binary message. False: the buffer is past its high-water mark (wait for drain). */
  write(envelope: Uint8Array): boolean {
    if (this.ws.readyState !== OPEN) return true; // closing: the close handler reports it
    this.ws.send(envelope);
    if (this.ws.bufferedAmount <= HIGH_WATER_BYTES) return true;
    this.draining ??= setInterval(() => {
      if (this.ws.readyState === OPEN && this.ws.bufferedAmount > HIGH_WATER_BYTES) return;
      this.stopDraining();
      this.handlers.drain();
    }, DRAIN_POLL_MS);
    return false;
  }

  get writableNeedDrain(): boolean {
    return this.ws.readyState === OPEN && this.ws.bufferedAmount > HIGH_WATER_BYTES;
  }

  get destroyed(): boolean {
    return this.ws.readyState > OPEN;
  }

  /** Closes once what was sent has gone (the close frame follows it). */
  end(): void {
    this.stopDraining();
    if (this.ws.readyState <= OPEN) this.ws.close(1000, "");
  }

  stopDraining(): void {
    if (this.draining) clearInterval(this.draining);
    this.draining = null;
  }
}

/** A WebSocket to `url`, verifying the broker as `tls` says: Bun's own, else the `ws` package's (a dependency of the SDK's package). */
async function newWebSocket(url: string, tls: ResolvedTls | null): Promise<WebSocketLike> {
  const verify = { ...(tls?.ca ? { ca: tls.ca } : {}), ...(tls?.serverName ? { servername: tls.serverName } : {}) };
  const bun = (globalThis as { Bun?: unknown; WebSocket?: WebSocketClass }).Bun !== undefined;
  if (bun) return new (globalThis as unknown as { WebSocket: WebSocketClass }).WebSocket(url, tls ? { tls: verify } : undefined);
  // A computed name: bundlers leave it alone, so only Node.js loads it.
  const name = "ws";
  let Ws: WebSocketClass | undefined;
  try {
    const mod = (await import(name)) as { WebSocket?: WebSocketClass; default?: WebSocketClass };
    Ws = mod.WebSocket ?? mod.default;
  } catch {
    Ws = undefined;
  }
  if (Ws) return new Ws(url, verify);
  const native = (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (native && !tls?.ca && !tls?.serverName) return new native(url);
  throw new Error("the `ws` package is not installed (npm install ws@8.23.0): Node.js needs it for the url option");
}

/**
 * One attempt: resolves once the WebSocket is open, with `handlers` attached from the start (so
 * no message or close goes unheard); rejects on an error, a close, or after `limitMs`.
 */
export async function openWebSocket(url: string, limitMs: number, tls: ResolvedTls | null, handlers: WsHandlers): Promise<WsPipe> {
  const ws = await newWebSocket(url, tls);
  return await new Promise((resolve, reject) => {
    ws.binaryType = "arraybuffer";
    const pipe = new WsPipe(ws, handlers);
    let open = false;
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(why));
    };
    const timer = setTimeout(() => {
      fail(`no answer within ${Math.round(limitMs)} ms`);
      ws.close();
    }, limitMs);
    ws.addEventListener("open", () => {
      if (settled) return ws.close();
      open = true;
      settled = true;
      clearTimeout(timer);
      resolve(pipe);
    });
    ws.addEventListener("message", (event) => {
      const data = event.data;
      if (typeof data === "string") return handlers.message(data, pipe);
      if (data instanceof ArrayBuffer) return handlers.message(new Uint8Array(data), pipe);
      if (ArrayBuffer.isView(data)) return handlers.message(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pipe);
    });
    ws.addEventListener("error", (event) => {
      if (!open) return fail(`WebSocket to ${url} failed${event.message ? `: ${event.message}` : ""}`);
      handlers.error(new Error(`WebSocket error${event.message ? `: ${event.message}` : ""}`));
    });
    ws.addEventListener("close", (event) => {
      pipe.stopDraining();
      if (!open) return fail(`WebSocket to ${url} closed before it opened (code ${event.code ?? "none"})`);
      handlers.close();
    });
  });
}
