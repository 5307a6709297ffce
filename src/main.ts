#!/usr/bin/env bun
// Composition root only: config → broker → tcp → health → signals. No protocol or turn logic here.
import pkg from "../package.json" with { type: "json" };
import { Broker } from "./broker/broker.ts";
import { helpText, loadConfig, type Config } from "./config.ts";
import { FleetDriver } from "./fleet/driver.ts";
import { eventsFromCommands, queuedFromSnapshot } from "./fleet/events.ts";
import { healthcheck } from "./health/check.ts";
import { startHealth } from "./health/server.ts";
import { Logger } from "./log.ts";
import { TcpTransport } from "./transport/tcp.ts";

/** Set by `bun run build` (--define); unknown under `bun run src/main.ts`. */
declare const BITBROKER_COMMIT: string | undefined;
const commit = typeof BITBROKER_COMMIT === "string" ? BITBROKER_COMMIT : "";
const version = commit ? `${pkg.version} (${commit})` : pkg.version;

/** Every close is flushed, or cut, within this long after SIGTERM. */
const SHUTDOWN_GRACE_MS = 1500;

const argv = process.argv.slice(2);
if (argv[0] === "healthcheck") {
  process.exit(await healthcheck(argv.slice(1), process.env));
}
const loaded = loadConfig(argv, process.env);
switch (loaded.kind) {
  case "help":
    console.log(helpText());
    process.exit(0);
  case "version":
    console.log(`bitbroker ${version}`);
    process.exit(0);
  case "errors":
    console.error(`bitbroker: invalid configuration:\n${loaded.errors.map((e) => `  - ${e}`).join("\n")}\nSee bitbroker --help.`);
    process.exit(2);
  case "config":
    run(loaded.config);
}

function run(config: Config): void {
  // A closed log pipe (say, a supervisor that stopped reading) loses log lines, never the broker.
  process.stdout.on("error", () => {});
  const log = new Logger(config.logLevel, config.logFormat);
  log.log("info", "starting", { version, numPlayers: config.numPlayers, moveTimeoutMs: config.moveTimeoutMs, matches: config.matches });
  if (config.numPlayersDefaulted) {
    log.log("warn", "BROKER_NUM_PLAYERS is not set; expecting 2 bots per match (the default)", { numPlayers: config.numPlayers });
  }
  const broker = new Broker({
    botsPerMatch: config.numPlayers,
    moveTimeoutMs: config.moveTimeoutMs,
    helloTimeoutMs: config.helloTimeoutMs,
    matchesMax: config.matches,
    logTurns: config.logLevel === "debug",
  });

  // Fleet (BROKER_AGONES=on): a projection of the broker's events onto the Agones SDK sidecar.
  // Until the broker emits domain events, eventsFromCommands reads them off its commands.
  const fleet = config.agones
    ? new FleetDriver({ sdkPort: config.agonesSdkHttpPort, version, log: (l, e, f) => log.log(l, e, f), queued: () => queuedFromSnapshot(broker.snapshot()) })
    : undefined;

  let exiting = false;
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    tcp?.stopListening();
    const deadline = performance.now() + SHUTDOWN_GRACE_MS;
    // The sidecar gets the sockets' grace, less time to say so, to take Shutdown; a missing one delays nothing more.
    let fleetSettled = fleet === undefined;
    void fleet?.stop(SHUTDOWN_GRACE_MS - 250).then(() => (fleetSettled = true));
    const wait = setInterval(() => {
      if (((tcp?.openCount ?? 0) === 0 && fleetSettled) || performance.now() >= deadline) {
        clearInterval(wait);
        health?.stop(true);
        log.log("info", "stopped", { exitCode: code });
        process.exit(code);
      }
    }, 10);
  };

  let tcp: TcpTransport | undefined;
  let health: ReturnType<typeof startHealth> | undefined;
  try {
    tcp = new TcpTransport(broker, log, {
      host: config.host,
      port: config.port,
      lineBytesMax: config.lineBytesMax,
      onFinished: () => exit(0),
      ...(fleet && { observe: (commands) => eventsFromCommands(commands).forEach((e) => fleet.onEvent(e)) }),
    });
    health = startHealth(broker, config.host, config.healthPort, version);
  } catch (e) {
    log.log("error", "cannot listen", { host: config.host, port: config.port, healthPort: config.healthPort, error: (e as Error).message });
    process.exit(1);
  }

  const stop = (signal: string): void => {
    log.log("info", "signal received", { signal });
    tcp?.stopListening();
    tcp?.dispatch({ kind: "shutdown" });
    exit(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Only now: whoever reads "listening" may send SIGTERM at once, and must get a clean exit 0.
  log.log("info", "listening", { host: config.host, port: tcp.port, healthPort: health.port ?? config.healthPort });
  fleet?.listening();
}
