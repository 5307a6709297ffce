#!/usr/bin/env bun
// Composition root only: config → broker → tcp → health → signals. No protocol or turn logic here.
import { Broker } from "./broker/broker.ts";
import { helpText, loadConfig, type Config } from "./config.ts";
import { healthcheck } from "./health/check.ts";
import { startHealth } from "./health/server.ts";
import { Logger } from "./log.ts";
import { TcpTransport } from "./transport/tcp.ts";
import { COMMIT, VERSION, VERSION_TEXT } from "./version.ts";

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
    console.log(`bitbroker ${VERSION_TEXT}`);
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
  log.log("info", "starting", { version: VERSION, commit: COMMIT, numPlayers: config.numPlayers, moveTimeoutMs: config.moveTimeoutMs, matches: config.matches });
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

  let exiting = false;
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    tcp?.stopListening();
    const deadline = performance.now() + SHUTDOWN_GRACE_MS;
    const wait = setInterval(() => {
      if ((tcp?.openCount ?? 0) === 0 || performance.now() >= deadline) {
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
    tcp = new TcpTransport(broker, log, { host: config.host, port: config.port, lineBytesMax: config.lineBytesMax, onFinished: () => exit(0) });
    health = startHealth(broker, config.host, config.healthPort, VERSION, COMMIT);
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
}
