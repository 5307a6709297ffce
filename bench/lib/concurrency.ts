// The concurrency axis: N 2-bot matches at once on one server (ours, or nats-server request-reply),
// driven by one single-threaded swarm of peers. Starts both, samples the server around the window.
import { busyMs, cpuList, sampleProc, type Child, type Json, type ProcSample, type Procs } from "./procs.ts";
import { startNats, startOurs, type Paths, type Started } from "./systems.ts";

/** `before`: our broker from another checkout (`--before DIR`), beside ours in the same rounds. */
export type ConcSystem = "ours" | "before" | "nats";
export const CONC_SYSTEMS: readonly ConcSystem[] = ["ours", "nats"];

export interface ConcOptions {
  paths: Paths;
  natsServer: string | null;
  compiled: boolean;
  bots: number;
  sizeBytes: number;
  /** Each match in its own room (a Hello per client), or all in the default room (v1 clients). */
  rooms: "per-match" | "default";
  /** Where the server runs and where the swarm runs (taskset lists); null = not pinned. */
  serverCpus: string | null;
  peerCpus: string | null;
  /** Niceness of the server and the swarm alike (0 = as the harness's own). */
  nice: number;
  warmupSeconds: number;
  windowSeconds: number;
}

/** One run of one system at one concurrency. */
export interface ConcRun {
  system: ConcSystem;
  matches: number;
  round: number;
  connections: number;
  connectS: number;
  turns: number;
  elapsedS: number;
  turnsPerS: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  meanUs: number;
  /** Fewest and most timed turns of one match: equal shares mean no match starved. */
  matchTurnsMin: number;
  matchTurnsMax: number;
  serverCpuMs: number;
  serverCpuUsPerTurn: number;
  /** Server and swarm CPU over the window, in % of one CPU. */
  serverCpuPct: number;
  peersCpuPct: number;
  serverRssMb: number; // VmRSS at the end of the window
  serverPeakRssMb: number; // VmHWM at the end of the window (connections, warm-up and window)
  /** Busy time of the server's and the swarm's CPUs not spent by them: other load, % of one CPU. */
  otherCpuPct: number;
}

const num = (j: Json, key: string): number => {
  const v = j[key];
  if (typeof v !== "number") throw new Error(`swarm result lacks ${key}: ${JSON.stringify(j)}`);
  return v;
};

async function start(procs: Procs, o: ConcOptions, system: ConcSystem, matches: number): Promise<Started> {
  if (system === "nats") {
    if (!o.natsServer) throw new Error("nats-server is not installed");
    return startNats(procs, o.natsServer, o.serverCpus, o.nice);
  }
  // No BROKER_MATCHES: matches run at once. In the default room every bot may queue before the
  // games arrive, so the queue limit must hold them all.
  const queueMax = Math.max(1000, matches * (o.bots + 1));
  if (system === "before" && o.paths.before === undefined) throw new Error("the system before needs --before DIR");
  const root = system === "before" ? o.paths.before : undefined;
  // Every client comes from 127.0.0.1: the per-address limits (PROTOCOL.md §7) would refuse most.
  const conns = String(matches * (o.bots + 1) + 100);
  const env = { BROKER_CONNECTIONS_PER_ADDRESS_MAX: conns, BROKER_CONNECT_RATE_PER_ADDRESS: "1000000", BROKER_CONNECTIONS_MAX: conns };
  return startOurs(procs, o.paths, { bots: o.bots, compiled: o.compiled, queueMax, cpus: o.serverCpus, nice: o.nice, root, env });
}

interface Sample {
  server: ProcSample;
  swarm: ProcSample;
  cpusMs: number;
}

async function sample(server: Child, swarm: Child, cpus: number[] | null): Promise<Sample> {
  const [s, w] = await Promise.all([sampleProc(server.pid), sampleProc(swarm.pid)]);
  return { server: s, swarm: w, cpusMs: await busyMs(cpus) };
}

/** The CPUs the run may use: the union of the server's and the swarm's, or null (all). */
function usedCpus(o: ConcOptions): number[] | null {
  const a = cpuList(o.serverCpus);
  const b = cpuList(o.peerCpus);
  return a === null || b === null ? null : [...new Set([...a, ...b])];
}

export async function runConcurrent(procs: Procs, o: ConcOptions, system: ConcSystem, matches: number, round: number): Promise<ConcRun> {
  const started = await start(procs, o, system, matches);
  const server = started.broker;
  if (!server) throw new Error(`${system} did not start`);
  const children: Child[] = [server];
  try {
    const args = [
      ...started.peerArgs,
      "--matches", String(matches),
      "--bots", String(o.bots),
      "--size", String(o.sizeBytes),
      "--warmup-seconds", String(o.warmupSeconds),
      "--seconds", String(o.windowSeconds),
      "--rooms", o.rooms,
    ];
    const swarm = procs.spawn(`${system} swarm`, [o.paths.peers, `swarm-${system === "before" ? "ours" : system}`, ...args], { cpus: o.peerCpus, nice: o.nice });
    children.push(swarm);
    const ready = await swarm.waitJson((j) => j.event === "ready", 120_000);
    await swarm.waitJson((j) => j.event === "warm", (o.warmupSeconds + 60) * 1000);
    const cpus = usedCpus(o);
    const before = await sample(server, swarm, cpus);
    swarm.send("go\n");
    await swarm.waitJson((j) => j.event === "window", (o.windowSeconds + 60) * 1000);
    const after = await sample(server, swarm, cpus);
    swarm.send("go\n"); // every game now ends its match
    const done = await swarm.waitJson((j) => j.event === "done", 60_000);
    await Promise.race([swarm.exited, Bun.sleep(5000)]);
    const elapsedS = num(done, "elapsedS");
    const turns = num(done, "turns");
    const serverCpuMs = after.server.cpuMs - before.server.cpuMs;
    const swarmCpuMs = after.swarm.cpuMs - before.swarm.cpuMs;
    const pct = (ms: number): number => ms / (10 * elapsedS);
    return {
      system,
      matches,
      round,
      connections: matches * (o.bots + 1),
      connectS: num(ready, "connectS"),
      turns,
      elapsedS,
      turnsPerS: num(done, "turnsPerS"),
      p50Us: num(done, "p50Us"),
      p90Us: num(done, "p90Us"),
      p99Us: num(done, "p99Us"),
      p999Us: num(done, "p999Us"),
      maxUs: num(done, "maxUs"),
      meanUs: num(done, "meanUs"),
      matchTurnsMin: num(done, "matchTurnsMin"),
      matchTurnsMax: num(done, "matchTurnsMax"),
      serverCpuMs,
      serverCpuUsPerTurn: turns > 0 ? (serverCpuMs * 1000) / turns : 0,
      serverCpuPct: pct(serverCpuMs),
      peersCpuPct: pct(swarmCpuMs),
      serverRssMb: after.server.rssKb / 1024,
      serverPeakRssMb: after.server.hwmKb / 1024,
      otherCpuPct: Math.max(0, pct(after.cpusMs - before.cpusMs - serverCpuMs - swarmCpuMs)),
    };
  } finally {
    for (const c of children.reverse()) await procs.stop(c);
  }
}
