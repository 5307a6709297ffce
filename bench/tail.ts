// `bun run bench:tail`: what the slowest 1 % of turns wait for (issue 20). Runs our broker (or the
// pipe) and the Rust peers on CPU 0, records the scheduler's and interrupts' tracepoints on that
// CPU during the timed turns (perf), and prints who ran and what fired in the middle, the 98–99 %
// and the slowest 1 % of turns; writes bench/results/<time>-tail.json.
// A benchmark tool, never a test: it needs root and perf (exit 2 without them), and tracing slows
// every turn, so its latencies are not the bench's.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startBots, startSystem, type Options } from "./lib/cases.ts";
import { describeMachine } from "./lib/machine.ts";
import { events, perfProblem, Recording, script } from "./lib/perf.ts";
import { Procs, runMain, type Child, type Json } from "./lib/procs.ts";
import type { Reply } from "./lib/report.ts";
import { bands, blockedPercentile, SchedTrace, type Band, type Cast, type ThreadRuns } from "./lib/sched.ts";
import type { Paths, SystemName } from "./lib/systems.ts";
import { eventsTable, tasksTable, threadsTable } from "./lib/tail-report.ts";

const USAGE = `usage: bun run bench:tail [-- options]      (root and perf; ~10 s per system)
  --systems LIST   ours and/or pipe (default: ours); pipe = bench/pipe/pipe.ts, the thinnest Bun relay
  --size N         state size in bytes (default 64)
  --replies R      what the bots answer: fixed (8 bytes, the default) or echo (the state sent back)
  --turns N        timed turns, all traced (default 30000); 2 bots, 2000 warm-up turns and ≥ 1 s untraced`;

const TRACED_CPU = "0";
const BOTS = 2;
const TAIL_SYSTEMS: readonly SystemName[] = ["ours", "pipe"];
/** perf and this harness run here, off the traced CPU, when there is another. */
const OTHER_CPUS = cpus().length > 1 ? `1-${cpus().length - 1}` : null;

interface Traced {
  system: SystemName;
  sizeBytes: number;
  bots: number;
  reply: Reply;
  /** The game's own timing of the traced turns (slowed by the tracing). */
  game: { turns: number; p50Us: number; p99Us: number; p999Us: number; maxUs: number; turnsPerS: number };
  /** Turns as the scheduler saw them: the game blocked until it ran again. */
  schedTurns: number;
  blockedP50Us: number;
  blockedP99Us: number;
  /** Lost events (a switch from a task the trace had not put on the CPU); their turns dropped. */
  breaks: number;
  perfSaid: string;
  bands: Band[];
  otherThreads: ThreadRuns[];
}

const positive = (text: string, what: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${what}: ${text} is not a positive integer`);
  return n;
};

/** The thread ids of a process now (empty once it is gone). */
function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

const num = (j: Json, key: string): number => {
  const v = j[key];
  if (typeof v !== "number") throw new Error(`game result lacks ${key}: ${JSON.stringify(j)}`);
  return v;
};

/** What one traced run leaves: who was who, the game's result, what perf said, the trace file. */
interface Recorded {
  cast: Cast;
  done: Json;
  perfSaid: string;
}

/** One system: start it and the peers on CPU 0, record the CPU during the timed turns, stop all. */
async function record(procs: Procs, o: Options, system: SystemName, size: number, reply: Reply, turns: number, file: string): Promise<Recorded> {
  const relayLabel = system === "pipe" ? "pipe" : "broker";
  const children: Child[] = [];
  const owners = new Map<number, string>();
  try {
    const started = await startSystem(procs, o, system, BOTS);
    if (started?.broker) children.push(started.broker);
    const peers = await startBots(procs, o, system, started, BOTS, size, reply);
    children.push(peers.bots);
    if (peers.pipe) children.push(peers.pipe);
    const relay = peers.pipe ?? started?.broker;
    if (!relay) throw new Error(`${system} has no relay process to trace`);
    const plan = ["--bots", String(BOTS), "--size", String(size), "--warmup", "2000", "--warmup-seconds", "1", "--turns", String(turns), "--max-seconds", "120", "--reply", reply];
    const game = procs.spawn(`${system} game`, [...peers.gameCmd, ...plan]);
    children.push(game);
    const learn = (): void => {
      const known = [[peers.bots.pid, "bots"], [relay.pid, relayLabel], [game.pid, "game"], [process.pid, "harness"]] as const;
      for (const [pid, name] of known) for (const tid of threadsOf(pid)) owners.set(tid, name);
    };
    await game.waitJson((j) => j.event === "warm", 120_000);
    learn();
    const recording = Recording.start(procs, file, TRACED_CPU, OTHER_CPUS, events());
    await recording.on();
    game.send("go\n");
    const done = await game.waitJson((j) => j.event === "done", 300_000);
    learn(); // threads started during the turns
    const perfSaid = await recording.stop();
    game.send("go\n"); // the game now ends the match
    await Promise.race([game.exited, Bun.sleep(3000)]);
    return { cast: { gameTid: game.pid, relayTid: relay.pid, relayLabel, owners }, done, perfSaid };
  } finally {
    for (const c of children.reverse()) await procs.stop(c);
  }
}

/** One system, recorded and read. */
async function traceOne(procs: Procs, o: Options, system: SystemName, size: number, reply: Reply, turns: number, dir: string): Promise<Traced> {
  const file = join(dir, `${system}.data`);
  const { cast, done, perfSaid } = await record(procs, o, system, size, reply, turns, file);
  const trace = new SchedTrace(cast);
  await script(file, (line) => trace.push(line));
  return {
    system,
    sizeBytes: size,
    bots: BOTS,
    reply,
    game: { turns: num(done, "turns"), p50Us: num(done, "p50Us"), p99Us: num(done, "p99Us"), p999Us: num(done, "p999Us"), maxUs: num(done, "maxUs"), turnsPerS: num(done, "turnsPerS") },
    schedTurns: trace.turns.length,
    blockedP50Us: blockedPercentile(trace.turns, 50),
    blockedP99Us: blockedPercentile(trace.turns, 99),
    breaks: trace.breaks,
    perfSaid: perfSaid.trim(),
    bands: bands(trace.turns),
    otherThreads: trace.otherThreads(),
  };
}

function print(t: Traced): void {
  const g = t.game;
  console.log(`\n== ${t.system}: ${t.sizeBytes} B × ${t.bots} bots, ${t.reply} replies, ${g.turns} timed turns, all traced`);
  console.log(`   the game's timing, traced: p50 ${g.p50Us.toFixed(1)} µs, p99 ${g.p99Us.toFixed(1)} µs, p99.9 ${g.p999Us.toFixed(1)} µs, ${g.turnsPerS.toFixed(0)} turns/s`);
  console.log("   (tracing slows every turn, ~1.5× here: compare bands with each other, not with `bun run bench`)");
  console.log(`   the scheduler's turns (game blocked → game running again): ${t.schedTurns}, p50 ${t.blockedP50Us.toFixed(1)} µs, p99 ${t.blockedP99Us.toFixed(1)} µs`);
  if (t.breaks > 0) console.log(`   WARNING: ${t.breaks} lost events (their turns dropped)${t.perfSaid ? `; perf said: ${t.perfSaid}` : ""}`);
  console.log(`\n   who ran while the game waited, per turn of each band\n${tasksTable(t.bands)}`);
  console.log(`\n   what fired while the game waited\n${eventsTable(t.bands)}`);
  console.log(`\n   other threads on CPU ${TRACED_CPU}, over the whole trace\n${threadsTable(t.otherThreads)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      systems: { type: "string", default: "ours" },
      size: { type: "string", default: "64" },
      replies: { type: "string", default: "fixed" },
      turns: { type: "string", default: "30000" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const systems = values.systems.split(",").map((s) => {
    if (!(TAIL_SYSTEMS as readonly string[]).includes(s)) throw new Error(`--systems: ours or pipe, not ${s}`);
    return s as SystemName;
  });
  if (values.replies !== "fixed" && values.replies !== "echo") throw new Error(`--replies: fixed or echo, not ${values.replies}`);
  const reply: Reply = values.replies;
  const size = positive(values.size, "size");
  const turns = positive(values.turns, "turns");
  const problem = await perfProblem();
  if (problem !== null) {
    console.error(problem);
    process.exit(2);
  }
  // The harness too: every thread of it now, and those it starts later inherit the mask (the
  // children are pinned to CPU 0 by taskset all the same).
  if (OTHER_CPUS !== null) Bun.spawnSync(["taskset", "-a", "-p", "-c", OTHER_CPUS, String(process.pid)], { stdout: "ignore" });
  const root = resolve(import.meta.dir, "..");
  const paths: Paths = { root, peers: `${root}/target/release/peers`, originalBroker: "", bun: process.execPath };
  if (!existsSync(paths.peers)) throw new Error(`${paths.peers} is missing: run \`bun run bench\` once (it builds the Rust peers)`);
  const machine = await describeMachine(root, null);
  console.log(`== machine: ${machine.nproc} × ${machine.cpuModel}, Linux ${machine.kernel}, bun ${machine.bun}; everything on CPU ${TRACED_CPU}, perf and the harness on ${OTHER_CPUS ?? "it too"}`);
  console.log(`== our broker: bun src/main.ts at ${machine.gitCommit}${machine.gitDirty ? " (src/ modified)" : ""}; recorded: ${events().join(" ")}`);

  const dir = mkdtempSync(join(tmpdir(), "bench-tail-"));
  const results: Traced[] = [];
  try {
    for (const system of systems) {
      const t = await traceOne(procs, { paths, natsServer: null, compiled: false }, system, size, reply, turns, dir);
      results.push(t);
      print(t);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const out = `${root}/bench/results/${new Date().toISOString().replace(/[:.]/g, "-")}-tail.json`;
  const result = {
    command: ["bun run bench:tail", ...Bun.argv.slice(2)].join(" "),
    date: new Date().toISOString(),
    machine,
    method: {
      pinning: `broker (or pipe), game and bots under taskset -c ${TRACED_CPU}; perf record -C ${TRACED_CPU} on the other CPUs, on only during the timed turns`,
      events: events(),
      turn: "the scheduler's turn: from the game's thread switching out asleep (sched_switch prev_state S) to its next switch in",
      tasks: "per turn: time each task ran (from one sched_switch to the next), its running segments, and those that ended in preemption (prev_state R)",
      counted: "per turn: softirqs by action and local timer interrupts (count, time from entry to exit), hardware irqs by name, hrtimers by function, wake-ups by woken task",
      bands: "turns sorted by blocked time: the middle 50 % (25th–75th), 98–99 % and the slowest 1 %; every figure is a mean per turn of the band",
      tracing: "tracing slows every turn (~1.5× on the 2-vCPU machine): the bands compare with each other, not with bun run bench",
    },
    results,
  };
  await Bun.write(out, JSON.stringify(result, null, 2) + "\n");
  console.log(`\nwritten: ${out.slice(root.length + 1)}`);
}

const procs = new Procs(TRACED_CPU);
await runMain("bench:tail", () => procs, main);
