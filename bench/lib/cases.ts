// One bench case (a system × state size × bot count) and the idle-memory measurements.
// Starts the broker and the Rust peers, samples the broker around the timed turns, stops all.
import { GcWatch } from "./alloc.ts";
import { busyMs, cpuList, sampleProc, type Child, type Json, type ProcSample, type Procs } from "./procs.ts";
import type { Idle, Reply, Row } from "./report.ts";
import { startNats, startOriginal, startOurs, startPipe, TUNED_ENV, type Paths, type Started, type SystemName } from "./systems.ts";

export interface Plan {
  warmup: number; // at least this many turns …
  warmupSeconds: number; // … and at least this long
  turns: number;
  maxSeconds: number;
}

export interface Options {
  paths: Paths;
  natsServer: string | null;
  compiled: boolean;
  lineBytesMax?: number;
  /** More settings for our broker. */
  brokerEnv?: Record<string, string>;
  /** Measure our broker's allocation over the timed turns (lib/alloc.ts); not with `compiled`. */
  alloc?: boolean;
}

const num = (j: Json, key: string): number => {
  const v = j[key];
  if (typeof v !== "number") throw new Error(`game result lacks ${key}: ${JSON.stringify(j)}`);
  return v;
};

export async function startSystem(procs: Procs, o: Options, system: SystemName, bots: number): Promise<Started | null> {
  switch (system) {
    case "direct":
    case "pipe": // started after the bots (startBots), in front of their ports
      return null;
    case "ours":
    case "tuned":
    case "before": {
      const root = system === "before" ? o.paths.before : undefined;
      if (system === "before" && root === undefined) throw new Error("the system before needs --before DIR");
      const env = system === "tuned" ? { ...o.brokerEnv, ...TUNED_ENV } : o.brokerEnv;
      return startOurs(procs, o.paths, { bots, compiled: o.compiled, lineBytesMax: o.lineBytesMax, matches: 1, env, probe: o.alloc === true, root });
    }
    case "original":
      return startOriginal(procs, o.paths, { bots, compiled: false });
    case "nats":
      if (!o.natsServer) throw new Error("nats-server is not installed");
      return startNats(procs, o.natsServer);
  }
}

/** The bots, the game's command line (role and endpoint arguments) and, for the system pipe,
 * the pipe started in front of the bots' ports (the game talks to the pipe's). */
export interface Peers {
  bots: Child;
  gameCmd: string[];
  pipe: Child | null;
}

export async function startBots(procs: Procs, o: Options, system: SystemName, started: Started | null, bots: number, size: number, reply: Reply): Promise<Peers> {
  const { peers } = o.paths;
  const common = ["--count", String(bots), "--size", String(size), "--reply", reply];
  const endpoint = started?.peerArgs ?? [];
  const direct = system === "direct" || system === "pipe";
  const role = direct ? "direct-bots" : system === "nats" ? "nats-bots" : "bots";
  const child = procs.spawn(`${system} bots`, [peers, role, ...endpoint, ...common]);
  const ready = await child.waitJson((j) => j.event === "ready", 30_000);
  if (direct) {
    const ports = ready.ports;
    if (!Array.isArray(ports)) throw new Error(`direct bots gave no ports: ${JSON.stringify(ready)}`);
    const [pipe, gamePorts] = system === "pipe" ? await startPipe(procs, o.paths, ports.map(Number)) : [null, ports];
    return { bots: child, gameCmd: [peers, "direct-game", "--ports", gamePorts.join(",")], pipe };
  }
  return { bots: child, gameCmd: [peers, system === "nats" ? "nats-game" : "game", ...endpoint], pipe: null };
}

interface Samples {
  broker: ProcSample | null;
  machineMs: number; // busy CPU of the CPUs the bench is pinned to (of all CPUs if unpinned)
  oursMs: number; // CPU of broker, bots and game together
}

async function sampleAll(procs: Procs, broker: Child | null, children: readonly Child[]): Promise<Samples> {
  const each = await Promise.all(children.map((c) => sampleProc(c.pid)));
  const oursMs = each.reduce((sum, s) => sum + s.cpuMs, 0);
  return { broker: broker ? (each[0] ?? null) : null, machineMs: await busyMs(cpuList(procs.cpus)), oursMs };
}

/** One run of one case. `reply`: what the bots answer (the fixed 8 bytes, or the state echoed). */
export async function runCase(procs: Procs, o: Options, system: SystemName, size: number, bots: number, plan: Plan, reply: Reply = "fixed", round = 1): Promise<Row> {
  const started = await startSystem(procs, o, system, bots);
  let broker = started?.broker ?? null;
  const children: Child[] = broker ? [broker] : [];
  const ours = system === "ours" || system === "before" || system === "tuned";
  const gc = ours && o.alloc === true && !o.compiled && broker ? new GcWatch(broker) : null;
  try {
    const { bots: botsChild, gameCmd, pipe } = await startBots(procs, o, system, started, bots, size, reply);
    children.push(botsChild);
    if (pipe) {
      broker = pipe; // sampled as the broker: CPU µs/turn and peak RSS
      children.unshift(pipe); // sampleAll: the broker first
    }
    const planArgs = ["--bots", String(bots), "--size", String(size), "--warmup", String(plan.warmup), "--warmup-seconds", String(plan.warmupSeconds), "--turns", String(plan.turns), "--max-seconds", String(plan.maxSeconds), "--reply", reply];
    const game = procs.spawn(`${system} game`, [...gameCmd, ...planArgs]);
    children.push(game);
    await game.waitJson((j) => j.event === "warm", 120_000);
    await gc?.start();
    const before = await sampleAll(procs, broker, children);
    game.send("go\n");
    const done = await game.waitJson((j) => j.event === "done", (plan.maxSeconds + 60) * 1000);
    const after = await sampleAll(procs, broker, children);
    const alloc = gc ? await gc.end() : null;
    game.send("go\n"); // the game now ends the match
    await Promise.race([game.exited, Bun.sleep(3000)]);
    return {
      system,
      sizeBytes: size,
      bots,
      reply,
      round,
      turns: num(done, "turns"),
      p50Us: num(done, "p50Us"),
      p90Us: num(done, "p90Us"),
      p99Us: num(done, "p99Us"),
      p999Us: num(done, "p999Us"),
      maxUs: num(done, "maxUs"),
      meanUs: num(done, "meanUs"),
      turnsPerS: num(done, "turnsPerS"),
      brokerCpuMs: before.broker && after.broker ? after.broker.cpuMs - before.broker.cpuMs : null,
      brokerPeakRssMb: after.broker ? after.broker.hwmKb / 1024 : null,
      otherCpuMs: after.machineMs - before.machineMs - (after.oursMs - before.oursMs),
      alloc,
    };
  } finally {
    for (const c of children.reverse()) await procs.stop(c);
  }
}

const IDLE_SETTLE_MS = 1000;
const IDLE_CONNECTIONS = 1000;

/** Our broker's connection count, from its health endpoint. */
async function connections(healthPort: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${healthPort}/health`);
  const body: unknown = await res.json();
  const n = typeof body === "object" && body !== null ? (body as Record<string, unknown>).connections : undefined;
  return typeof n === "number" ? n : -1;
}

/** Idle RSS of each broker; ours also with 1,000 silent connections (no hello, long hello timeout). */
export async function measureIdle(procs: Procs, o: Options, systems: readonly SystemName[]): Promise<Idle[]> {
  const out: Idle[] = [];
  if (systems.includes("ours")) {
    // 1,000 connections from one address at once: above the broker's per-address rate and cap.
    const env = { BROKER_CONNECT_RATE_PER_ADDRESS: "1000000", BROKER_CONNECTIONS_PER_ADDRESS_MAX: String(2 * IDLE_CONNECTIONS) };
    const s = await startOurs(procs, o.paths, { bots: 2, compiled: o.compiled, helloTimeoutMs: 3_600_000, env });
    const broker = s.broker;
    if (!broker || s.healthPort === undefined) throw new Error("our broker did not start");
    try {
      await Bun.sleep(IDLE_SETTLE_MS);
      const idle = await sampleProc(broker.pid);
      const idler = procs.spawn("idle connections", [o.paths.peers, "idle", ...s.peerArgs, "--count", String(IDLE_CONNECTIONS)]);
      try {
        await idler.waitJson((j) => j.event === "ready", 30_000);
        const deadline = performance.now() + 30_000;
        while ((await connections(s.healthPort)) < IDLE_CONNECTIONS) {
          if (performance.now() > deadline) throw new Error("our broker never counted 1,000 connections");
          await Bun.sleep(50);
        }
        await Bun.sleep(IDLE_SETTLE_MS);
        const loaded = await sampleProc(broker.pid);
        out.push({ system: "ours", idleRssMb: idle.rssKb / 1024, idleAnonMb: idle.rssAnonKb / 1024, idleFileMb: idle.rssFileKb / 1024, rss1000IdleConnsMb: loaded.rssKb / 1024 });
      } finally {
        await procs.stop(idler);
      }
    } finally {
      await procs.stop(broker);
    }
  }
  const others: Array<[SystemName, () => Promise<Started>]> = [
    ["original", () => startOriginal(procs, o.paths, { bots: 2, compiled: false })],
    ["nats", () => startNats(procs, o.natsServer ?? "nats-server")],
  ];
  for (const [name, start] of others) {
    if (!systems.includes(name) || (name === "nats" && !o.natsServer)) continue;
    const s = await start();
    if (!s.broker) continue;
    try {
      await Bun.sleep(IDLE_SETTLE_MS);
      const idle = await sampleProc(s.broker.pid);
      out.push({ system: name, idleRssMb: idle.rssKb / 1024, idleAnonMb: idle.rssAnonKb / 1024, idleFileMb: idle.rssFileKb / 1024, rss1000IdleConnsMb: null });
    } finally {
      await procs.stop(s.broker);
    }
  }
  return out;
}
