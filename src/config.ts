// Configuration from environment and flags (flags win). Pure: loadConfig(argv, env) lists every
// problem at once; main prints them and exits 2. No I/O here.
import { parseArgs } from "node:util";
import { parseKeep } from "./records/keep.ts";
import { parseDbTarget, type DbTarget } from "./store/target.ts";
import type { Keep } from "./store/types.ts";

export type LogFormat = "text" | "json";
export type LogLevelName = "debug" | "info" | "warn" | "error";

export interface Config {
  readonly numPlayers: number;
  /** True when BROKER_NUM_PLAYERS was not given: the start-up log says the default was used. */
  readonly numPlayersDefaulted: boolean;
  readonly host: string;
  readonly port: number;
  readonly healthPort: number;
  readonly moveTimeoutMs: number;
  /** The longest move a game's Hello or a room may ask for. */
  readonly moveTimeoutMsMax: number;
  /** The largest time bank a game's Hello or a room may ask for. */
  readonly timeBankMsMax: number;
  readonly helloTimeoutMs: number;
  readonly lineBytesMax: number;
  readonly matches: number | null;
  /** Clients that may wait in one room's queue. */
  readonly queueMax: number;
  /** Matches that may run at once; null = no cap. */
  readonly runningMatchesMax: number | null;
  /** How long running matches may go on after SIGTERM; 0 = end them at once. */
  readonly drainMs: number;
  /** BROKER_ROOMS_FILE, or "" for none. */
  readonly roomsFile: string;
  /** BROKER_TOKEN: one shared secret for every room and role; "" for none. */
  readonly token: string;
  /** BROKER_TOKENS_FILE, or "" for none. */
  readonly tokensFile: string;
  readonly connectionsMax: number;
  readonly connectionsPerAddressMax: number;
  readonly connectRatePerAddress: number;
  readonly roomsMax: number;
  /** BROKER_TLS_CERT and BROKER_TLS_KEY: PEM files that put both ports behind TLS; "" for none. */
  readonly tlsCert: string;
  readonly tlsKey: string;
  /** BROKER_PLAIN_PORT: a plain TCP port beside the TLS one (v1 clients); null = none. */
  readonly plainPort: number | null;
  /** BROKER_PLAIN_HOST: the address the plain port binds to. */
  readonly plainHost: string;
  /** Record every message of every match (replays), unless a room says otherwise. */
  readonly record: boolean;
  /** Games and bots may connect over WebSocket at /ws on the HTTP port (BROKER_WS). */
  readonly ws: boolean;
  /** WebSockets in their handshake at once, in all and from one address (BROKER_WS_HANDSHAKES_*). */
  readonly wsHandshakesMax: number;
  readonly wsHandshakesPerAddressMax: number;
  /** Where match records go (BROKER_DB). */
  readonly db: DbTarget;
  /** The folder of replay files (BROKER_RECORD_DIR). */
  readonly recordDir: string;
  /** Records and replays to keep; null = all (BROKER_RECORDS_KEEP). */
  readonly recordsKeep: Keep | null;
  /** This broker's id in the records; "" = host name and port (BROKER_INSTANCE_ID). */
  readonly instanceId: string;
  readonly logLevel: LogLevelName;
  readonly logFormat: LogFormat;
  /** BROKER_AGONES=on: talk to the Agones SDK sidecar (src/fleet). */
  readonly agones: boolean;
  readonly agonesSdkHttpPort: number;
  /** BROKER_ADMIN_TOKEN: what the dashboard, /matches*, /leaderboard and /metrics need; "" = loopback clients only. */
  readonly adminToken: string;
  /** BROKER_VIEWERS_DIR: the game viewers' folder (<room>.js, <game client>.js); "" = none. */
  readonly viewersDir: string;
}

export type ConfigResult =
  | { readonly kind: "config"; readonly config: Config }
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "errors"; readonly errors: readonly string[] };

interface Setting {
  readonly env: string;
  readonly flag: string;
  readonly fallback: string;
  readonly help: string;
}

const MIB = 1024 * 1024;
/** The Agones SDK sidecar serves its own health checks on :8080 in every GameServer pod. */
const AGONES_SIDECAR_HEALTH_PORT = 8080;

/** Every setting, in --help order. */
export const SETTINGS = {
  numPlayers: { env: "BROKER_NUM_PLAYERS", flag: "num-players", fallback: "2", help: "bots per match, 1-255" },
  host: { env: "BROKER_HOST", flag: "host", fallback: "0.0.0.0", help: "address the TCP and health ports bind to" },
  port: { env: "BROKER_PORT", flag: "port", fallback: "7878", help: "TCP port for games and bots (0 = any free port)" },
  healthPort: { env: "BROKER_HEALTH_PORT", flag: "health-port", fallback: "8080", help: "HTTP port of GET /health (0 = any free port)" },
  moveTimeoutMs: { env: "BROKER_MOVE_TIMEOUT_MS", flag: "move-timeout-ms", fallback: "10000", help: "deadline for a bot's reply in ms; 0 = none" },
  moveTimeoutMsMax: { env: "BROKER_MOVE_TIMEOUT_MS_MAX", flag: "move-timeout-ms-max", fallback: "3600000", help: "the longest move a game's Hello or a room may ask for, in ms" },
  timeBankMsMax: { env: "BROKER_TIME_BANK_MS_MAX", flag: "time-bank-ms-max", fallback: "3600000", help: "the largest time bank a game's Hello or a room may ask for, in ms" },
  helloTimeoutMs: { env: "BROKER_HELLO_TIMEOUT_MS", flag: "hello-timeout-ms", fallback: "10000", help: "a new connection must finish its handshake within this many ms" },
  lineBytesMax: { env: "BROKER_LINE_BYTES_MAX", flag: "line-bytes-max", fallback: String(16 * MIB), help: "longest line accepted, in bytes of base64 (16 MiB carries a 12 MiB message)" },
  matches: { env: "BROKER_MATCHES", flag: "matches", fallback: "", help: "exit 0 after this many matches; unset = serve forever" },
  queueMax: { env: "BROKER_QUEUE_MAX", flag: "queue-max", fallback: "1000", help: "clients that may wait in one room's queue; more are refused (queue_full)" },
  runningMatchesMax: { env: "BROKER_RUNNING_MATCHES_MAX", flag: "running-matches-max", fallback: "0", help: "matches that may run at once (complete line-ups wait past it); 0 = no cap" },
  drainMs: { env: "BROKER_DRAIN_MS", flag: "drain-ms", fallback: "0", help: "on SIGTERM, let running matches go on this many ms while refusing new clients; 0 = end them at once" },
  record: { env: "BROKER_RECORD", flag: "record", fallback: "off", help: "on: record every message of every match for replays (a room may say otherwise); off" },
  ws: { env: "BROKER_WS", flag: "ws", fallback: "on", help: "on: games and bots may also connect over WebSocket at /ws on the HTTP port; off" },
  wsHandshakesMax: { env: "BROKER_WS_HANDSHAKES_MAX", flag: "ws-handshakes-max", fallback: "32", help: "WebSockets not yet through their handshake at once; more upgrades get 503 (retry)" },
  wsHandshakesPerAddressMax: { env: "BROKER_WS_HANDSHAKES_PER_ADDRESS_MAX", flag: "ws-handshakes-per-address-max", fallback: "8", help: "WebSockets from one address not yet through their handshake at once" },
  token: { env: "BROKER_TOKEN", flag: "token", fallback: "", help: "one secret every client must present in its Hello (README: Security); unset = none" },
  tokensFile: { env: "BROKER_TOKENS_FILE", flag: "tokens-file", fallback: "", help: "TOML or YAML file of tokens per room and role (README: Security); re-read on SIGHUP" },
  connectionsMax: { env: "BROKER_CONNECTIONS_MAX", flag: "connections-max", fallback: "10000", help: "connections the broker holds at once; more are refused (limit_exceeded)" },
  connectionsPerAddressMax: { env: "BROKER_CONNECTIONS_PER_ADDRESS_MAX", flag: "connections-per-address-max", fallback: "1000", help: "connections one remote address may hold at once" },
  connectRatePerAddress: { env: "BROKER_CONNECT_RATE_PER_ADDRESS", flag: "connect-rate-per-address", fallback: "200", help: "new connections per second one remote address may open" },
  roomsMax: { env: "BROKER_ROOMS_MAX", flag: "rooms-max", fallback: "10000", help: "rooms at once, declared and made on demand" },
  tlsCert: { env: "BROKER_TLS_CERT", flag: "tls-cert", fallback: "", help: "PEM certificate (chain) file: both ports speak TLS (README: TLS); unset = plain" },
  tlsKey: { env: "BROKER_TLS_KEY", flag: "tls-key", fallback: "", help: "PEM private key file of BROKER_TLS_CERT" },
  plainPort: { env: "BROKER_PLAIN_PORT", flag: "plain-port", fallback: "", help: "with TLS: also a plain TCP port for v1 clients (0 = any free port); unset = none" },
  plainHost: { env: "BROKER_PLAIN_HOST", flag: "plain-host", fallback: "127.0.0.1", help: "address the plain port binds to" },
  recordDir: { env: "BROKER_RECORD_DIR", flag: "record-dir", fallback: "replays", help: "folder of the replay files of recorded matches (docs/REPLAY.md)" },
  db: { env: "BROKER_DB", flag: "db", fallback: "bitbroker.db", help: 'match records: a SQLite file, ":memory:", "off", or a postgres:// URL' },
  recordsKeep: { env: "BROKER_RECORDS_KEEP", flag: "records-keep", fallback: "all", help: "records and replays kept: all, a count (100000), an age (30d), or both (30d,100000)" },
  instanceId: { env: "BROKER_INSTANCE_ID", flag: "instance-id", fallback: "", help: "this broker's id in the records, unique among brokers sharing BROKER_DB (default: host name:port)" },
  roomsFile: { env: "BROKER_ROOMS_FILE", flag: "rooms-file", fallback: "", help: "TOML or YAML file declaring rooms and their settings (README: Rooms)" },
  logLevel: { env: "LOG_LEVEL", flag: "log-level", fallback: "info", help: "debug | info | warn | error" },
  logFormat: { env: "LOG_FORMAT", flag: "log-format", fallback: "text", help: "text | json" },
  agones: { env: "BROKER_AGONES", flag: "agones", fallback: "off", help: "on | off: Ready, Health, labels and Shutdown through the Agones SDK sidecar" },
  agonesSdkHttpPort: { env: "AGONES_SDK_HTTP_PORT", flag: "agones-sdk-http-port", fallback: "9358", help: "the Agones SDK sidecar's HTTP port on 127.0.0.1 (Agones sets it)" },
  adminToken: { env: "BROKER_ADMIN_TOKEN", flag: "admin-token", fallback: "", help: "token for the dashboard, /matches, /leaderboard, /metrics; unset = loopback clients only (prefer the variable: flags show in ps)" },
  viewersDir: { env: "BROKER_VIEWERS_DIR", flag: "viewers-dir", fallback: "", help: "folder of game viewers for the dashboard (<room>.js or <game client>.js)" },
} as const satisfies Record<string, Setting>;

export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" }, version: { type: "boolean" } };
  for (const s of Object.values(SETTINGS)) options[s.flag] = { type: "string" };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    return { kind: "errors", errors: [(e as Error).message] };
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };

  const errors: string[] = [];
  const raw = (s: Setting): string => {
    const flag = values[s.flag];
    return typeof flag === "string" ? flag : (env[s.env] ?? s.fallback);
  };
  const int = (s: Setting, min: number, max: number): number => {
    const text = raw(s).trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) {
      errors.push(`${s.env} (--${s.flag}) must be a whole number from ${min} to ${max}; got "${raw(s)}"`);
      return min;
    }
    return n;
  };
  const oneOf = <T extends string>(s: Setting, allowed: readonly T[]): T => {
    const v = raw(s).trim().toLowerCase();
    if ((allowed as readonly string[]).includes(v)) return v as T;
    errors.push(`${s.env} (--${s.flag}) must be one of ${allowed.join(", ")}; got "${raw(s)}"`);
    return allowed[0]!;
  };

  const checked = <T>(s: Setting, parsed: T | { readonly problem: string }, fallback: T): T => {
    if (typeof parsed === "object" && parsed !== null && "problem" in parsed) {
      errors.push(`${s.env} (--${s.flag}) ${parsed.problem}; got "${raw(s)}"`);
      return fallback;
    }
    return parsed as T;
  };

  const host = raw(SETTINGS.host).trim();
  if (host === "") errors.push(`${SETTINGS.host.env} (--${SETTINGS.host.flag}) must not be empty`);
  const matchesText = raw(SETTINGS.matches).trim();
  const agones = oneOf(SETTINGS.agones, ["off", "on"] as const) === "on";
  const plainPortText = raw(SETTINGS.plainPort).trim();
  const config: Config = {
    numPlayers: int(SETTINGS.numPlayers, 1, 255),
    numPlayersDefaulted: typeof values[SETTINGS.numPlayers.flag] !== "string" && env[SETTINGS.numPlayers.env] === undefined,
    host,
    port: int(SETTINGS.port, 0, 65535),
    healthPort: int(SETTINGS.healthPort, 0, 65535),
    moveTimeoutMs: int(SETTINGS.moveTimeoutMs, 0, 24 * 3600 * 1000),
    moveTimeoutMsMax: int(SETTINGS.moveTimeoutMsMax, 1, 24 * 3600 * 1000),
    timeBankMsMax: int(SETTINGS.timeBankMsMax, 0, 24 * 3600 * 1000),
    helloTimeoutMs: int(SETTINGS.helloTimeoutMs, 1, 24 * 3600 * 1000),
    lineBytesMax: int(SETTINGS.lineBytesMax, 4, 1024 * MIB),
    matches: matchesText === "" ? null : int(SETTINGS.matches, 1, Number.MAX_SAFE_INTEGER),
    queueMax: int(SETTINGS.queueMax, 1, 1_000_000),
    runningMatchesMax: int(SETTINGS.runningMatchesMax, 0, 1_000_000) || null,
    drainMs: int(SETTINGS.drainMs, 0, 24 * 3600 * 1000),
    roomsFile: raw(SETTINGS.roomsFile).trim(),
    token: raw(SETTINGS.token),
    tokensFile: raw(SETTINGS.tokensFile).trim(),
    connectionsMax: int(SETTINGS.connectionsMax, 1, 10_000_000),
    connectionsPerAddressMax: int(SETTINGS.connectionsPerAddressMax, 1, 10_000_000),
    connectRatePerAddress: int(SETTINGS.connectRatePerAddress, 1, 1_000_000),
    roomsMax: int(SETTINGS.roomsMax, 1, 10_000_000),
    tlsCert: raw(SETTINGS.tlsCert).trim(),
    tlsKey: raw(SETTINGS.tlsKey).trim(),
    plainPort: plainPortText === "" ? null : int(SETTINGS.plainPort, 0, 65535),
    plainHost: raw(SETTINGS.plainHost).trim(),
    record: oneOf(SETTINGS.record, ["off", "on"] as const) === "on",
    ws: oneOf(SETTINGS.ws, ["off", "on"] as const) === "on",
    wsHandshakesMax: int(SETTINGS.wsHandshakesMax, 1, 1_000_000),
    wsHandshakesPerAddressMax: int(SETTINGS.wsHandshakesPerAddressMax, 1, 1_000_000),
    db: checked<DbTarget>(SETTINGS.db, parseDbTarget(raw(SETTINGS.db)), { kind: "off" }),
    recordDir: raw(SETTINGS.recordDir).trim(),
    recordsKeep: checked<Keep | null>(SETTINGS.recordsKeep, parseKeep(raw(SETTINGS.recordsKeep)), null),
    instanceId: raw(SETTINGS.instanceId).trim(),
    logLevel: oneOf(SETTINGS.logLevel, ["debug", "info", "warn", "error"] as const),
    logFormat: oneOf(SETTINGS.logFormat, ["text", "json"] as const),
    agones,
    // Agones sets AGONES_SDK_HTTP_PORT itself; it only matters (and is only checked) when on.
    agonesSdkHttpPort: agones ? int(SETTINGS.agonesSdkHttpPort, 1, 65535) : Number(SETTINGS.agonesSdkHttpPort.fallback),
    adminToken: raw(SETTINGS.adminToken),
    viewersDir: raw(SETTINGS.viewersDir).trim(),
  };
  if (config.token !== "" && config.tokensFile !== "") {
    errors.push("set BROKER_TOKEN or BROKER_TOKENS_FILE, not both");
  }
  if (config.token !== "" && config.token.length < 8) errors.push("BROKER_TOKEN must be 8 characters or more");
  if (/\s/.test(config.adminToken)) errors.push(`${SETTINGS.adminToken.env} (--${SETTINGS.adminToken.flag}) must not contain whitespace`);
  errors.push(...tlsProblems(config));
  if (config.recordDir === "") errors.push(`${SETTINGS.recordDir.env} (--${SETTINGS.recordDir.flag}) must not be empty`);
  if (!/^[\x21-\x7e]{0,128}$/.test(config.instanceId)) {
    errors.push(`${SETTINGS.instanceId.env} (--${SETTINGS.instanceId.flag}) must be up to 128 printable ASCII characters without spaces; got "${config.instanceId}"`);
  }
  if (config.port !== 0 && config.port === config.healthPort) {
    errors.push(`BROKER_PORT and BROKER_HEALTH_PORT must differ; both are ${config.port}`);
  }
  if (config.agones && config.healthPort === AGONES_SIDECAR_HEALTH_PORT) {
    errors.push(
      `BROKER_HEALTH_PORT must not be ${AGONES_SIDECAR_HEALTH_PORT} with BROKER_AGONES=on: the Agones sidecar listens on it in the same pod (deploy/ uses 8081)`,
    );
  }
  return errors.length > 0 ? { kind: "errors", errors } : { kind: "config", config: Object.freeze(config) };
}

/** What is wrong with the TLS settings (README "TLS"); the files themselves are read at start. */
function tlsProblems(c: Config): string[] {
  const problems: string[] = [];
  if (c.tlsCert !== "" && c.tlsKey === "") problems.push("BROKER_TLS_CERT is set but BROKER_TLS_KEY is not: TLS needs both");
  if (c.tlsKey !== "" && c.tlsCert === "") problems.push("BROKER_TLS_KEY is set but BROKER_TLS_CERT is not: TLS needs both");
  if (c.plainPort !== null && c.tlsCert === "") {
    problems.push("BROKER_PLAIN_PORT is for a plain port beside TLS, but BROKER_TLS_CERT is not set (BROKER_PORT is plain already)");
  }
  if (c.plainPort !== null && c.plainHost === "") problems.push("BROKER_PLAIN_HOST (--plain-host) must not be empty");
  if (c.plainPort !== null && c.plainPort !== 0 && (c.plainPort === c.port || c.plainPort === c.healthPort)) {
    problems.push(`BROKER_PLAIN_PORT must differ from BROKER_PORT and BROKER_HEALTH_PORT; it is ${c.plainPort}`);
  }
  return problems;
}

export function helpText(): string {
  const rows = Object.values(SETTINGS).map(
    (s) => `  --${s.flag.padEnd(18)} ${s.env.padEnd(24)} ${s.help}${s.fallback ? ` (default ${s.fallback})` : ""}`,
  );
  return [
    "bitbroker: a message broker for turn-based games and bots (BitBroker protocol v1)",
    "",
    "usage: bitbroker [flags]            run the broker",
    "       bitbroker healthcheck [--ready] [--health-port N] [--host H] [--tls-cert FILE]",
    "                                    exit 0 if the broker on this host is healthy (alive), 1 if not;",
    "                                    --ready: exit 0 only if it accepts new clients (GET /ready)",
    "       bitbroker replay FILE [--serve-game | --serve-bot N] [...]",
    "                                    print a recorded match, or play it back to a live game or bot",
    "       bitbroker records export [--db D] [--room R] [--out FILE]",
    "                                    write the match records as JSON Lines",
    "       bitbroker arena [--config FILE] [--game CMD] [--bot NAME=CMD ...] [options]",
    "                                    play a tournament between bots (bitbroker arena --help)",
    "       bitbroker stdio [options] -- PROGRAM [ARG ...]",
    "                                    a program that answers one line per line as a bot (--help)",
    "       bitbroker --version | --help",
    "",
    "Every setting comes from its environment variable or its flag (the flag wins):",
    "",
    ...rows,
    "",
    "Docs: README.md and docs/PROTOCOL.md",
  ].join("\n");
}
