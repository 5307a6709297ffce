#!/usr/bin/env bun
// Composition root only: config → broker → tcp → health → signals. No protocol or turn logic here.
import pkg from "../package.json" with { type: "json" };
import { Broker } from "./broker/broker.ts";
import { DEFAULT_ROOM } from "./broker/handshake.ts";
import { RecentMatches } from "./matches/recent.ts";
import { parseRoomsFile, type RoomsFile } from "./rooms/file.ts";
import { readFileSync } from "node:fs";
import { helpText, loadConfig, type Config } from "./config.ts";
import { healthcheck } from "./health/check.ts";
import { recordsCommand } from "./cli/records.ts";
import { replayCommand } from "./cli/replay.ts";
import { Records, RecordsStartError } from "./records/index.ts";
import { startHealth } from "./health/server.ts";
import { Logger } from "./log.ts";
import { TcpTransport } from "./transport/tcp.ts";

/** Set by `bun run build` (--define); unknown under `bun run src/main.ts`. */
declare const BITBROKER_COMMIT: string | undefined;
const commit = typeof BITBROKER_COMMIT === "string" ? BITBROKER_COMMIT : "";
const version = commit ? `${pkg.version} (${commit})` : pkg.version;

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
const loaded = loadConfig(argv, process.env);
switch (loaded.kind) {
  case "help":
    console.log(helpText());
    process.exit(0);
  case "version":
    console.log(`bitbroker ${version}`);
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
  log.log("info", "starting", {
    version,
    numPlayers: config.numPlayers,
    moveTimeoutMs: config.moveTimeoutMs,
    matches: config.matches,
    roomsDeclared: [...rooms.rooms.keys()],
    roomsOnDemand: rooms.onDemand,
    runningMatchesMax: config.runningMatchesMax,
    drainMs: config.drainMs,
    db: config.db.kind === "postgres" ? "postgres" : config.db.kind === "sqlite" ? config.db.path : "off",
  });
  if (config.numPlayersDefaulted && !rooms.rooms.has(DEFAULT_ROOM)) {
    log.log("warn", "BROKER_NUM_PLAYERS is not set; expecting 2 bots per match (the default)", { numPlayers: config.numPlayers });
  }
  const broker = new Broker({
    botsPerMatch: rooms.rooms.get(DEFAULT_ROOM)?.bots ?? config.numPlayers,
    moveTimeoutMs: config.moveTimeoutMs,
    helloTimeoutMs: config.helloTimeoutMs,
    matchesMax: config.matches,
    logTurns: config.logLevel === "debug",
    queueMax: config.queueMax,
    runningMatchesMax: config.runningMatchesMax,
    drainMs: config.drainMs,
    rooms: rooms.rooms,
    roomsOnDemand: rooms.onDemand,
    record: config.record,
    brokerVersion: version,
    newMatchId: () => Bun.randomUUIDv7(),
  });

  const recent = new RecentMatches();
  let records: Records;
  try {
    records = await Records.start({
      config,
      log,
      version,
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

  let exiting = false;
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    // The listener stays open through the grace period: whoever connects now (or connected just
    // before the signal and waits in the accept queue) is told "broker_shutdown", never reset.
    const deadline = performance.now() + SHUTDOWN_GRACE_MS;
    const wait = setInterval(() => {
      if ((tcp?.openCount ?? 0) === 0 || performance.now() >= deadline) {
        clearInterval(wait);
        tcp?.stopListening();
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
        records.onEvent(e);
      },
    });
  } catch (e) {
    cannotListen(log, config.host, config.port, "BROKER_PORT, games and bots", e);
  }
  try {
    health = startHealth(broker, config.host, config.healthPort, version, recent, records);
  } catch (e) {
    cannotListen(log, config.host, config.healthPort, "BROKER_HEALTH_PORT, health", e);
  }

  // The broker says when it is done (at once, or after its drain): "finished" → exit(0).
  const stop = (signal: string): void => {
    log.log("info", "signal received", { signal });
    tcp?.dispatch({ kind: "shutdown" });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Only now: whoever reads "listening" may send SIGTERM at once, and must get a clean exit 0.
  log.log("info", "listening", { host: config.host, port: tcp.port, healthPort: health.port ?? config.healthPort });
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
  const parsed = parseRoomsFile(text, config.roomsFile);
  if (parsed.kind === "errors") return configErrors(parsed.errors);
  const declared = parsed.file.rooms.get(DEFAULT_ROOM)?.bots;
  if (declared !== undefined && !config.numPlayersDefaulted && declared !== config.numPlayers) {
    return configErrors([`BROKER_NUM_PLAYERS is ${config.numPlayers} but ${config.roomsFile} declares ${declared} bots for room "${DEFAULT_ROOM}": set one of them`]);
  }
  return parsed.file;
}

function configErrors(errors: readonly string[]): never {
  console.error(`bitbroker: invalid configuration:\n${errors.map((e) => `  - ${e}`).join("\n")}\nSee bitbroker --help.`);
  process.exit(2);
}
