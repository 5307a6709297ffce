#!/usr/bin/env bun
// Composition root only: config → broker → tcp → health → signals. No protocol or turn logic here.
import { Broker } from "./broker/broker.ts";
import { DEFAULT_ROOM } from "./broker/handshake.ts";
import { RecentMatches } from "./matches/recent.ts";
import { parseRoomsFile, type RoomsFile } from "./rooms/file.ts";
import { OPEN, Tokens, parseTokensFile, sharedToken, type TokenRules } from "./auth/tokens.ts";
import { readFileSync } from "node:fs";
import { helpText, loadConfig, type Config } from "./config.ts";
import { FleetDriver } from "./fleet/driver.ts";
import { healthcheck } from "./health/check.ts";
import { recordsCommand } from "./cli/records.ts";
import { replayCommand } from "./cli/replay.ts";
import { Records, RecordsStartError } from "./records/index.ts";
import { arenaCommand } from "./cli/arena.ts";
import { stdioCommand } from "./cli/stdio.ts";
import { startHealth } from "./health/server.ts";
import { Logger } from "./log.ts";
import { TcpTransport } from "./transport/tcp.ts";
import { WsTransport } from "./transport/ws.ts";
import { playerRoutes } from "./play/routes.ts";
import { Viewers } from "./dashboard/viewers.ts";
import { loadTls, type TlsFiles, type TlsInfo } from "./transport/tls.ts";
import { COMMIT, VERSION, VERSION_TEXT } from "./version.ts";
import { observability } from "./http/compose.ts";

/** Every close is flushed, or cut, within this long after SIGTERM. */
const SHUTDOWN_GRACE_MS = 1500;
/** Then spooled records and buffered replays are written for up to this long. */
const RECORDS_CLOSE_MS = 400;

const argv = process.argv.slice(2).map((a) => (a === "-h" ? "--help" : a));
if (argv[0] === "healthcheck") {
  process.exit(await healthcheck(argv.slice(1), process.env));
}
if (argv[0] === "replay") process.exit(await replayCommand(argv.slice(1)));
if (argv[0] === "records") process.exit(await recordsCommand(argv.slice(1), process.env));
// Their arguments as given: a command line after `--` is the program's own (its -h too).
if (argv[0] === "arena") process.exit(await arenaCommand(process.argv.slice(3)));
if (argv[0] === "stdio") process.exit(await stdioCommand(process.argv.slice(3), process.env));
const loaded = loadConfig(argv, process.env);
switch (loaded.kind) {
  case "help":
    console.log(helpText());
    process.exit(0);
  case "version":
    console.log(`bitbroker ${VERSION_TEXT}`);
    process.exit(0);
  case "errors":
    configErrors(loaded.errors);
  case "config":
    await run(loaded.config);
}

async function run(config: Config): Promise<void> {
  // A closed log pipe (say, a supervisor that stopped reading) loses log lines, never the broker.
  process.stdout.on("error", () => {});
  const log = new Logger(config.logLevel, config.logFormat);
  const rooms = loadRooms(config);
  const loadedTls = loadTlsOrExit(config);
  const tls = loadedTls?.tls ?? null;
  const tokens = new Tokens(config.token !== "" ? sharedToken(config.token) : config.tokensFile !== "" ? orExit(loadTokens(config.tokensFile)) : OPEN);
  log.log("info", "starting", {
    version: VERSION,
    commit: COMMIT,
    numPlayers: config.numPlayers,
    moveTimeoutMs: config.moveTimeoutMs,
    matches: config.matches,
    roomsDeclared: [...rooms.rooms.keys()],
    roomsOnDemand: rooms.onDemand,
    runningMatchesMax: config.runningMatchesMax,
    drainMs: config.drainMs,
    access: config.adminToken === "" ? "loopback only" : "admin token",
    viewersDir: config.viewersDir,
    db: config.db.kind === "postgres" ? "postgres" : config.db.kind === "sqlite" ? config.db.path : "off",
  });
  if (loadedTls) logTls(log, config.tlsCert, loadedTls.info);
  if (config.numPlayersDefaulted && !rooms.rooms.has(DEFAULT_ROOM)) {
    log.log("warn", "BROKER_NUM_PLAYERS is not set; expecting 2 bots per match (the default)", { numPlayers: config.numPlayers });
  }
  const broker = new Broker({
    botsPerMatch: rooms.rooms.get(DEFAULT_ROOM)?.bots ?? config.numPlayers,
    moveTimeoutMs: config.moveTimeoutMs,
    moveTimeoutMsMax: config.moveTimeoutMsMax,
    timeBankMsMax: config.timeBankMsMax,
    helloTimeoutMs: config.helloTimeoutMs,
    matchesMax: config.matches,
    logTurns: config.logLevel === "debug",
    queueMax: config.queueMax,
    runningMatchesMax: config.runningMatchesMax,
    drainMs: config.drainMs,
    rooms: rooms.rooms,
    roomsOnDemand: rooms.onDemand,
    record: config.record,
    brokerVersion: VERSION_TEXT,
    newMatchId: () => Bun.randomUUIDv7(),
    authorize: (req) => tokens.allows(req),
    connectionsMax: config.connectionsMax,
    connectionsPerAddressMax: config.connectionsPerAddressMax,
    connectRatePerAddress: config.connectRatePerAddress,
    roomsMax: config.roomsMax,
  });

  const recent = new RecentMatches();
  let records: Records;
  try {
    records = await Records.start({
      config,
      log,
      version: VERSION_TEXT,
      replays: config.record || [...rooms.rooms.values()].some((r) => r.record === true),
      running: () => broker.runningMatches(),
      recent,
      fatal: (message) => {
        log.log("error", "records stopped the broker", { error: message });
        process.exit(1);
      },
    });
  } catch (e) {
    if (!(e instanceof RecordsStartError)) throw e;
    log.log("error", "cannot keep records", { error: e.message });
    process.exit(1);
  }
  // Fleet (BROKER_AGONES=on): a projection of the broker's events onto the Agones SDK sidecar.
  const waiting = (): number => {
    const s = broker.snapshot();
    return s.gamesWaiting + s.botsWaiting;
  };
  const fleet = config.agones
    ? new FleetDriver({ sdkPort: config.agonesSdkHttpPort, version: VERSION_TEXT, log: (l, e, f) => log.log(l, e, f), queued: waiting })
    : undefined;
  // Metrics, the dashboard and access (src/metrics, src/dashboard, src/http): projections of the broker's events.
  const obs = observability(config, broker, VERSION_TEXT, [...rooms.rooms.keys()], (e) => tcp?.dispatch(e));
  if ("error" in obs) return configErrors([obs.error]);

  let exiting = false;
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    // The listener stays open through the grace period: whoever connects now (or connected just
    // before the signal and waits in the accept queue) is told "broker_shutdown", never reset.
    const deadline = performance.now() + SHUTDOWN_GRACE_MS;
    // The sidecar gets the sockets' grace, less time to say so, to take Shutdown; a missing one delays nothing more.
    let fleetSettled = fleet === undefined;
    void fleet?.stop(SHUTDOWN_GRACE_MS - 250).then(() => (fleetSettled = true));
    const wait = setInterval(() => {
      if (((tcp?.openCount ?? 0) === 0 && fleetSettled) || performance.now() >= deadline) {
        clearInterval(wait);
        tcp?.stopListening();
        obs.stop();
        health?.stop(true);
        void records.close(RECORDS_CLOSE_MS).finally(() => {
          log.log("info", "stopped", { exitCode: code });
          process.exit(code);
        });
      }
    }, 10);
  };

  // Projections of the broker's events (STYLE.md "Growing the house").
  let tcp: TcpTransport | undefined;
  let health: ReturnType<typeof startHealth> | undefined;
  try {
    tcp = new TcpTransport(broker, log, {
      host: config.host,
      port: config.port,
      lineBytesMax: config.lineBytesMax,
      onFinished: () => exit(0),
      onEvent: (e) => {
        recent.onEvent(e);
        fleet?.onEvent(e);
        obs.onEvent(e);
        records.onEvent(e);
      },
      tls,
      plain: config.plainPort === null ? null : { host: config.plainHost, port: config.plainPort },
    });
  } catch (e) {
    if ((e as { listener?: string }).listener === "plain") cannotListen(log, config.plainHost, config.plainPort ?? 0, "BROKER_PLAIN_PORT, plain games and bots", e);
    cannotListen(log, config.host, config.port, "BROKER_PORT, games and bots", e);
  }
  try {
    // Games and bots over WebSocket (/ws, the same driver as TCP) and the human seat (/play): src/play/.
    const ws = config.ws ? new WsTransport(tcp.driver, { lineBytesMax: config.lineBytesMax, handshakesMax: config.wsHandshakesMax, handshakesPerAddressMax: config.wsHandshakesPerAddressMax, log }) : undefined;
    const players = playerRoutes(ws, new Viewers(config.viewersDir), VERSION);
    health = startHealth(broker, { host: config.host, port: config.healthPort, version: VERSION, commit: COMMIT, recent, hooks: obs.hooks, records, tls, players });
  } catch (e) {
    cannotListen(log, config.host, config.healthPort, "BROKER_HEALTH_PORT, health", e);
  }

  // The broker says when it is done (at once, or after its drain): "finished" → exit(0).
  const stop = (signal: string): void => {
    log.log("info", "signal received", { signal });
    tcp?.dispatch({ kind: "shutdown" });
  };
  // SIGHUP: the tokens file is read again; matches, queues and connections are untouched.
  process.on("SIGHUP", () => {
    if (config.tokensFile === "") return log.log("info", "SIGHUP: nothing to reload (no BROKER_TOKENS_FILE)");
    const reloaded = loadTokens(config.tokensFile);
    if ("errors" in reloaded) return log.log("error", "tokens file not reloaded", { file: config.tokensFile, kept: "the rules in force", problems: [...reloaded.errors] });
    tokens.replace(reloaded.rules);
    log.log("info", "tokens file reloaded", { file: config.tokensFile, rules: reloaded.rules.rules.length, openRooms: reloaded.rules.openRooms });
  });
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Only now: whoever reads "listening" may send SIGTERM at once, and must get a clean exit 0.
  const plain = tcp.plainPort === null ? null : { plainHost: config.plainHost, plainPort: tcp.plainPort };
  log.log("info", "listening", { host: config.host, port: tcp.port, healthPort: health.port ?? config.healthPort, tls: tls !== null, ...plain });
  fleet?.listening();
}

/** Operating error at start-up: exit 1 with what to check (STYLE.md: four kinds of error). */
function cannotListen(log: Logger, host: string, port: number, what: string, e: unknown): never {
  const code = (e as { code?: string }).code ?? "";
  const hint =
    code === "EADDRINUSE"
      ? `is port ${port} in use?`
      : code === "EADDRNOTAVAIL"
        ? `is ${host} an address of this machine?`
        : code === "EACCES"
          ? `may this user bind port ${port}?`
          : "";
  log.log("error", "cannot listen", { host, port, on: what, hint, code, error: (e as Error).message });
  process.exit(1);
}

/** BROKER_ROOMS_FILE, read and checked; a bad file is a configuration error (exit 2, every problem listed). */
function loadRooms(config: Config): RoomsFile {
  if (config.roomsFile === "") return { onDemand: true, rooms: new Map() };
  let text: string;
  try {
    text = readFileSync(config.roomsFile, "utf8");
  } catch (e) {
    return configErrors([`BROKER_ROOMS_FILE: cannot read ${config.roomsFile}: ${(e as Error).message}`]);
  }
  const parsed = parseRoomsFile(text, config.roomsFile, { moveMsMax: config.moveTimeoutMsMax, bankMsMax: config.timeBankMsMax });
  if (parsed.kind === "errors") return configErrors(parsed.errors);
  const declared = parsed.file.rooms.get(DEFAULT_ROOM)?.bots;
  if (declared !== undefined && !config.numPlayersDefaulted && declared !== config.numPlayers) {
    return configErrors([`BROKER_NUM_PLAYERS is ${config.numPlayers} but ${config.roomsFile} declares ${declared} bots for room "${DEFAULT_ROOM}": set one of them`]);
  }
  return parsed.file;
}

/** BROKER_TLS_CERT/KEY read and checked (a bad file: exit 2, every problem listed), or null for plain TCP. */
function loadTlsOrExit(config: Config): { tls: TlsFiles; info: TlsInfo } | null {
  if (config.tlsCert === "") return null;
  const loaded = loadTls(config.tlsCert, config.tlsKey);
  return "errors" in loaded ? configErrors(loaded.errors) : loaded;
}

function logTls(log: Logger, cert: string, info: TlsInfo): void {
  log.log("info", "tls", { cert, subject: info.subject, subjectAltName: info.subjectAltName, validTo: info.validTo, fingerprint256: info.fingerprint256 });
  if (info.validToMs < Date.now()) log.log("warn", "tls certificate expired: clients will refuse it", { cert, validTo: info.validTo });
}

function configErrors(errors: readonly string[]): never {
  console.error(`bitbroker: invalid configuration:\n${errors.map((e) => `  - ${e}`).join("\n")}\nSee bitbroker --help.`);
  process.exit(2);
}

/** BROKER_TOKENS_FILE, read and checked (every problem listed). */
function loadTokens(file: string): { rules: TokenRules } | { errors: readonly string[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { errors: [`BROKER_TOKENS_FILE: cannot read ${file}: ${(e as Error).message}`] };
  }
  const parsed = parseTokensFile(text, file);
  return parsed.kind === "rules" ? { rules: parsed.rules } : { errors: parsed.errors };
}

function orExit(loaded: { rules: TokenRules } | { errors: readonly string[] }): TokenRules {
  return "errors" in loaded ? configErrors(loaded.errors) : loaded.rules;
}
