// The SDK's settings: ConnectOptions, their defaults (PROTOCOL.md §10, the same in every SDK),
// what each falls back to from the environment (BITBROKER_*), and the default log. No sockets here.
import type { TlsOptions } from "./tls.ts";

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
  /** The access token the broker requires, if it does (PROTOCOL.md §9.6). Default: $BITBROKER_TOKEN. */
  readonly token?: string;
  /** Where the SDK says what it is doing. Default: stderr, from the level in $BITBROKER_LOG_LEVEL, else "warn". */
  readonly log?: SdkLog;
  /**
   * Ask for v2 binary frames (PROTOCOL.md §11): no base64 after the Welcome when the broker
   * grants them. Default true; a broker that does not grant them (or the original) keeps v1.
   */
  readonly frames?: boolean;
  /**
   * Ask for the "timing" feature (PROTOCOL.md §9.5): a bot gets its deadline with each state
   * (`decideMove`'s `clock`); a game gets each turn's think time (`turnTiming`), missed moves
   * (`moveMissed`), and may play under SKIP. Default false: nothing new on the wire.
   */
  readonly timing?: boolean;
  /**
   * Connect with TLS, verifying the broker's certificate (README "TLS"): `true` trusts the
   * system's CAs; `{ ca }` trusts only that CA (a PEM file's path or its text); `{ serverName }`
   * checks the certificate against that name instead of `host`. Default: from $BITBROKER_TLS,
   * $BITBROKER_TLS_CA and $BITBROKER_TLS_SERVER_NAME, else plain TCP. Never skips verification.
   */
  readonly tls?: boolean | TlsOptions;
  /**
   * Connect over WebSocket instead of TCP (PROTOCOL.md §12): the broker's HTTP port at `/ws`, e.g.
   * `ws://127.0.0.1:8080/ws`, or `wss://…` (then `tls` says which CA to trust). Host, port and
   * `frames` do not apply. Default: $BITBROKER_URL, else TCP. Bun's own WebSocket; on Node.js the
   * `ws` package.
   */
  readonly url?: string;
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

/** A bot's seat ticket (PROTOCOL.md §9.7): the option, else $BITBROKER_SEAT, else none. */
export function seatOption(options: { readonly seat?: number }, env: Readonly<Record<string, string | undefined>> = process.env): number | null {
  if (options.seat !== undefined) return options.seat;
  const text = env.BITBROKER_SEAT?.trim();
  if (!text) return null;
  if (!/^\d{1,3}$/.test(text)) throw new RangeError(`BITBROKER_SEAT must be a seat index (0-254); got "${text}"`);
  return Number(text);
}

/** Where the broker is: the arguments, else $BITBROKER_HOST / $BITBROKER_PORT, else 127.0.0.1:7878. */
export function brokerAddress(host: string | undefined, port: number | undefined, env: Readonly<Record<string, string | undefined>> = process.env): [string, number] {
  const envPort = env.BITBROKER_PORT?.trim();
  if (port === undefined && envPort && !/^\d{1,5}$/.test(envPort)) throw new RangeError(`BITBROKER_PORT must be a TCP port; got "${envPort}"`);
  return [host ?? env.BITBROKER_HOST ?? "127.0.0.1", port ?? (envPort ? Number(envPort) : 7878)];
}

/** The token a client presents: the option, else $BITBROKER_TOKEN, else "" (none). */
export function tokenOption(options: ConnectOptions, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return options.token ?? env.BITBROKER_TOKEN ?? "";
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
