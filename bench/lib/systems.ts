// The systems under test: no broker (direct TCP), our broker, the pipe (the thinnest Bun relay),
// the original broker, nats-server. Each start() gives the peers' arguments and the broker
// process to sample, if there is one.
import { existsSync } from "node:fs";
import type { Child, Procs } from "./procs.ts";

/** `before`: our broker from another checkout (`--before DIR`), for before/after rows in one run.
 * `tuned`: our broker with TUNED_ENV. `pipe`: bench/pipe/pipe.ts between the direct game and bots. */
export type SystemName = "direct" | "ours" | "before" | "tuned" | "pipe" | "original" | "nats";
/** The default list; `before` and `tuned` run only when named in `--systems`. */
export const SYSTEMS: readonly SystemName[] = ["direct", "ours", "pipe", "original", "nats"];
export const ALL_SYSTEMS: readonly SystemName[] = [...SYSTEMS, "before", "tuned"];

/**
 * The system `tuned`: our broker without two of Bun's helper threads' wake-ups, which on one
 * pinned CPU land inside turns (p98–p99.9): mimalloc never gives freed pages back to the OS
 * (no purge timer), and JavaScriptCore does not warm up marked blocks on a helper thread.
 */
export const TUNED_ENV: Readonly<Record<string, string>> = { MIMALLOC_PURGE_DELAY: "-1", BUN_JSC_useWarmUpMarkedBlocks: "0" };

export interface Paths {
  root: string; // the repository
  before?: string; // another checkout of it (`--before DIR`), run as the system `before`
  peers: string; // the peers binary
  originalBroker: string; // the original broker's runner
  bun: string;
}

export interface BrokerOptions {
  bots: number;
  compiled: boolean; // run dist/bitbroker instead of `bun src/main.ts`
  lineBytesMax?: number;
  helloTimeoutMs?: number;
  matches?: number;
  queueMax?: number;
  /** CPUs for the broker alone (the concurrency axis); undefined = the registry's. */
  cpus?: string | null;
  nice?: number;
  /** More settings for our broker (bench/records.ts: BROKER_DB, BROKER_RECORD…). */
  env?: Record<string, string>;
  /** Preload lib/probe.ts and log every collection (lib/alloc.ts); `bun src/main.ts` only. */
  probe?: boolean;
  /** Run the broker of this checkout instead of `paths.root`'s (`--before DIR`). */
  root?: string;
}

/** A started system: the broker to sample (none for direct) and how peers reach it. */
export interface Started {
  broker: Child | null;
  peerArgs: string[]; // e.g. ["--addr", "127.0.0.1:1234"] or ["--url", "nats://…"]
  healthPort?: number;
}

/** A port that was free a moment ago (the original broker and nats-server need one given). */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** Waits until something LISTENs on 127.0.0.1:port, reading /proc/net/tcp: a probe
 * connection would count as a client (the original broker exits on one that says nothing). */
export async function waitListening(port: number, child: Child, timeoutMs: number): Promise<void> {
  const needle = `:${port.toString(16).toUpperCase().padStart(4, "0")} 00000000:0000 0A`;
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await Bun.file("/proc/net/tcp").text()).includes(needle)) return;
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited: ${child.stderr}`);
    await Bun.sleep(10);
  }
  throw new Error(`${child.name} is not listening on ${port} after ${timeoutMs} ms: ${child.stderr}`);
}

export async function startOurs(procs: Procs, paths: Paths, o: BrokerOptions): Promise<Started> {
  const root = o.root ?? paths.root;
  const binary = `${root}/dist/bitbroker`;
  if (o.compiled && !existsSync(binary)) throw new Error(`--compiled: ${binary} does not exist (bun run build first)`);
  const probe = o.probe === true && !o.compiled;
  // The probe of this checkout, whichever broker it goes into.
  const cmd = o.compiled ? [binary] : probe ? [paths.bun, "--preload", `${import.meta.dir}/probe.ts`, "src/main.ts"] : [paths.bun, "src/main.ts"];
  const env: Record<string, string> = {
    BROKER_HOST: "127.0.0.1",
    BROKER_PORT: "0",
    BROKER_HEALTH_PORT: "0",
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
    BROKER_NUM_PLAYERS: String(o.bots),
    // Records off unless asked: bench/records.ts measures what keeping them costs.
    BROKER_DB: "off",
    ...(probe ? { BUN_JSC_logGC: "1" } : {}),
    ...o.env,
  };
  if (o.lineBytesMax !== undefined) env.BROKER_LINE_BYTES_MAX = String(o.lineBytesMax);
  if (o.helloTimeoutMs !== undefined) env.BROKER_HELLO_TIMEOUT_MS = String(o.helloTimeoutMs);
  if (o.matches !== undefined) env.BROKER_MATCHES = String(o.matches);
  if (o.queueMax !== undefined) env.BROKER_QUEUE_MAX = String(o.queueMax);
  const broker = procs.spawn("our broker", cmd, { cwd: root, env, cpus: o.cpus, nice: o.nice });
  const listening = await broker.waitJson((j) => j.event === "listening", 15_000);
  const port = Number(listening.port);
  const healthPort = Number(listening.healthPort);
  return { broker, peerArgs: ["--addr", `127.0.0.1:${port}`], healthPort };
}

export async function startOriginal(procs: Procs, paths: Paths, o: BrokerOptions): Promise<Started> {
  const port = freePort();
  const broker = procs.spawn("original broker", [paths.originalBroker, String(port), String(o.bots)]);
  await waitListening(port, broker, 15_000);
  return { broker, peerArgs: ["--addr", `127.0.0.1:${port}`] };
}

export async function startNats(procs: Procs, natsServer: string, cpus?: string | null, nice?: number): Promise<Started> {
  const port = freePort();
  // Defaults otherwise: max_payload 1 MiB holds the 256 KiB case (350 KB of base64).
  const broker = procs.spawn("nats-server", [natsServer, "-a", "127.0.0.1", "-p", String(port)], { cpus, nice });
  await waitListening(port, broker, 15_000);
  return { broker, peerArgs: ["--url", `nats://127.0.0.1:${port}`] };
}

/** The pipe (bench/pipe/pipe.ts) in front of the direct bots' ports: its own ports, in order. */
export async function startPipe(procs: Procs, paths: Paths, botPorts: readonly number[]): Promise<[Child, number[]]> {
  const pipe = procs.spawn("pipe", [paths.bun, `${paths.root}/bench/pipe/pipe.ts`, ...botPorts.map(String)]);
  const ready = await pipe.waitJson((j) => j.event === "ready", 15_000);
  const ports = ready.ports;
  if (!Array.isArray(ports) || ports.length !== botPorts.length) throw new Error(`the pipe gave no ports: ${JSON.stringify(ready)}`);
  return [pipe, ports.map(Number)];
}

/** nats-server's path, installing the Debian package if it is missing; null = skip NATS. */
export async function ensureNats(): Promise<string | null> {
  const found = Bun.which("nats-server");
  if (found) return found;
  console.log("nats-server is missing: installing the Debian package nats-server (apt-get) …");
  const run = async (cmd: string[]): Promise<boolean> => {
    const p = Bun.spawn(cmd, { stdout: "ignore", stderr: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    return (await p.exited) === 0;
  };
  if (Bun.which("apt-get") && (await run(["apt-get", "update"])) && (await run(["apt-get", "install", "-y", "nats-server"]))) {
    const installed = Bun.which("nats-server");
    if (installed) return installed;
  }
  console.log("SKIPPING NATS: nats-server is not installed and apt-get could not install it (run as root: apt-get install nats-server).");
  return null;
}
