// `bun run bench`: builds the Rust peers, runs every system on every case, prints the table and
// writes bench/results/<time>.json; `--concurrency LIST` runs the concurrency axis instead.
// A benchmark, never a test: it fails only when it cannot measure.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { measureIdle, runCase, type Options, type Plan } from "./lib/cases.ts";
import { CONC_SYSTEMS, type ConcSystem } from "./lib/concurrency.ts";
import { concurrencyAxis } from "./lib/concurrency-axis.ts";
import { describeMachine } from "./lib/machine.ts";
import { niceAutogroup, Procs, runMain } from "./lib/procs.ts";
import { checks, checksText, floorText, idleTable, objectsText, REPLIES, summarize, table, type Reply, type Row } from "./lib/report.ts";
import { ALL_SYSTEMS, ensureNats, SYSTEMS, TUNED_ENV, type Paths, type SystemName } from "./lib/systems.ts";

const USAGE = `usage: bun run bench [-- options]
  --quick              about a tenth of the turns (a smoke run, p99 less stable)
  --compiled           run our broker as dist/bitbroker instead of \`bun src/main.ts\`
  --systems LIST       comma-separated from direct,ours,pipe,original,nats (default: all), and before,
                       tuned (only when named). pipe: bench/pipe/pipe.ts, the thinnest relay Bun allows,
                       the floor for ours; tuned: ours with MIMALLOC_PURGE_DELAY=-1 BUN_JSC_useWarmUpMarkedBlocks=0
  --before DIR         the system before: our broker from another checkout DIR (a git worktree of an
                       older commit), side by side with ours in the same rounds
  --sizes LIST         state sizes in bytes (default: 64,4096,262144)
  --bots LIST          bots per match (default: 2,8)
  --replies LIST       what the bots answer: fixed (8 bytes), echo (the state sent back); default: fixed,echo
  --line-bytes-max N   BROKER_LINE_BYTES_MAX for our broker (default: the broker's own)
  --cpus LIST          pin every broker and peer to these CPUs (taskset), default 0; "all" = no pinning
  --repeat N           rounds: every case N times, interleaved (each round runs every system once, the
                       order alternating); the table shows medians with the lowest and highest round
  --nice=N             niceness N for the bench's session (see the concurrency axis; --nice=-20 needs root)
  --no-alloc           do not measure our broker's allocation (BUN_JSC_logGC=1 and bench/lib/probe.ts)
  --no-build           skip cargo build (use the peers already in target/release)
  --no-idle            skip the idle RSS measurements

The concurrency axis (only it runs when --concurrency is given; 64 B states, 2 bots per match):
  --concurrency LIST   matches at once, e.g. 1,10,100,1000; ours and nats (--systems ours,nats)
  --repeat N           rounds, interleaved (default 3); the table shows medians and their spread
  --warmup-seconds S   before the window (default 3; --quick 1)
  --window-seconds S   the timed window (default 10; --quick 3)
  --rooms MODE         per-match (default: match i in room m<i>) or default (v1 clients, one room)
  --server-cpus LIST   the broker or nats-server (default 0); "all" = not pinned
  --peer-cpus LIST     the swarm of games and bots, one thread (default 1); "all" = not pinned
  --nice=N             niceness N for the bench's session (its autogroup), so server and swarm alike
                       (default 0; --nice=-20 takes the CPUs back from other load; negative needs root)`;

/** Turns per case by state size: full runs aim at a stable p99 within the time budget. The
 * original broker stalls ~40 ms per turn (its trigger waits behind Nagle for the game's delayed
 * ACK: no TCP_NODELAY, reply and trigger are two writes), so it gets a fixed time instead. */
function planFor(size: number, system: SystemName, quick: boolean): Plan {
  // Big states: 10,000 turns of warm-up (~4 s at 256 KiB). With 200, JavaScriptCore's optimizing
  // compiler was still compiling the relay's functions in the timed turns, on the pinned CPU
  // (`bench:tail` showed its JITWorker in the slowest 1 %): our p99 doubled, p99.9 ×5.
  const [warmup, turns] = size <= 4096 ? (size <= 64 ? [2000, 30_000] : [2000, 20_000]) : [10_000, 2000];
  const plan = quick
    ? { warmup: warmup / 4, warmupSeconds: 0.5, turns: turns / 10, maxSeconds: 5 }
    : { warmup, warmupSeconds: 1, turns, maxSeconds: 20 };
  return system === "original" ? { ...plan, warmup: 10, maxSeconds: quick ? 2 : 8 } : plan;
}

const list = (text: string): string[] => text.split(",").map((s) => s.trim()).filter((s) => s !== "");
const ints = (text: string, what: string): number[] =>
  list(text).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${what}: ${s} is not a positive integer`);
    return n;
  });

async function build(root: string): Promise<void> {
  console.log("== building the Rust peers (cargo build --release --locked)");
  const p = Bun.spawn(
    ["cargo", "build", "--release", "--locked", "--manifest-path", "bench/peers/Cargo.toml", "--bin", "peers", "--example", "original_broker"],
    { cwd: root, env: { ...process.env, CARGO_TARGET_DIR: `${root}/target` }, stdout: "inherit", stderr: "inherit" },
  );
  if ((await p.exited) !== 0) throw new Error("cargo build failed");
}

const loadAvg = async (): Promise<string> => (await Bun.file("/proc/loadavg").text()).trim();

const OPTIONS = {
  quick: { type: "boolean", default: false },
  compiled: { type: "boolean", default: false },
  systems: { type: "string", default: SYSTEMS.join(",") },
  sizes: { type: "string", default: "64,4096,262144" },
  bots: { type: "string", default: "2,8" },
  replies: { type: "string", default: REPLIES.join(",") },
  "no-alloc": { type: "boolean", default: false },
  "line-bytes-max": { type: "string" },
  cpus: { type: "string", default: "0" },
  repeat: { type: "string" },
  concurrency: { type: "string" },
  "warmup-seconds": { type: "string" },
  "window-seconds": { type: "string" },
  rooms: { type: "string", default: "per-match" },
  "server-cpus": { type: "string", default: "0" },
  "peer-cpus": { type: "string", default: "1" },
  nice: { type: "string", default: "0" },
  "no-build": { type: "boolean", default: false },
  "no-idle": { type: "boolean", default: false },
  before: { type: "string" },
  help: { type: "boolean", default: false },
} as const;

const parse = () => parseArgs({ args: Bun.argv.slice(2), options: OPTIONS }).values;
type Values = ReturnType<typeof parse>;

async function main(): Promise<void> {
  const values = parse();
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.concurrency !== undefined) return concurrency(values);
  const systems = list(values.systems).map((s) => {
    if (!(ALL_SYSTEMS as readonly string[]).includes(s)) throw new Error(`--systems: unknown system ${s}`);
    return s as SystemName;
  });
  const sizes = ints(values.sizes, "sizes");
  const botCounts = ints(values.bots, "bots");
  const replies = list(values.replies).map((r) => {
    if (!(REPLIES as readonly string[]).includes(r)) throw new Error(`--replies: fixed or echo, not ${r}`);
    return r as Reply;
  });
  const root = resolve(import.meta.dir, "..");
  const cpus = values.cpus === "all" ? null : values.cpus;
  const repeat = ints(values.repeat ?? "1", "repeat")[0] ?? 1;
  if (cpus !== null && !Bun.which("taskset")) throw new Error("--cpus needs taskset (util-linux); use --cpus all");
  procs = new Procs(cpus);
  const loadBefore = await loadAvg();
  const lineBytesMax = values["line-bytes-max"] === undefined ? undefined : ints(values["line-bytes-max"], "line-bytes-max")[0];

  if (!values["no-build"]) await build(root);
  const natsServer = systems.includes("nats") ? await ensureNats() : null;
  const paths: Paths = {
    root,
    peers: `${root}/target/release/peers`,
    originalBroker: `${root}/target/release/examples/original_broker`,
    bun: process.execPath,
    before: values.before === undefined ? undefined : resolve(values.before),
  };
  if (systems.includes("before") && paths.before === undefined) throw new Error("--systems before needs --before DIR");
  const options: Options = { paths, natsServer, compiled: values.compiled, lineBytesMax, alloc: !values["no-alloc"] && !values.compiled };
  const machine = await describeMachine(root, natsServer);
  console.log(`== machine: ${machine.nproc} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, bun ${machine.bun}`);
  console.log(`== load average before: ${loadBefore}; pinned to CPUs: ${cpus ?? "none"}; rounds: ${repeat}; nice ${values.nice}`);
  console.log(`== our broker: ${values.compiled ? "dist/bitbroker" : "bun src/main.ts"} at ${machine.gitCommit}${machine.gitDirty ? " (src/ modified)" : ""}`);
  const before = paths.before === undefined ? null : { dir: paths.before, commit: Bun.spawnSync(["git", "-C", paths.before, "rev-parse", "HEAD"]).stdout.toString().trim() };
  if (before) console.log(`== before: ${before.dir} at ${before.commit}`);
  const tunedEnv = systems.includes("tuned") ? Object.entries(TUNED_ENV).map(([k, v]) => `${k}=${v}`).join(" ") : null;
  if (tunedEnv) console.log(`== tuned: our broker with ${tunedEnv}`);

  const started = performance.now();
  const runs: Row[] = [];
  const skipped: string[] = [];
  const active = systems.filter((s) => s !== "nats" || natsServer !== null);
  if (active.length < systems.length) skipped.push("nats");
  const restoreNice = await niceAutogroup(niceness(values.nice));
  try {
    for (const size of sizes) {
      for (const bots of botCounts) {
        for (const reply of replies) {
          for (let round = 1; round <= repeat; round++) {
            // Who goes first alternates, so no system always follows another's teardown.
            const order = round % 2 === 1 ? active : [...active].reverse();
            for (const system of order) {
              const t0 = performance.now();
              const row = await runCase(procs, options, system, size, bots, planFor(size, system, values.quick), reply, round);
              runs.push(row);
              const secs = ((performance.now() - t0) / 1000).toFixed(1);
              const others = Math.max(0, row.otherCpuMs) / (10 * (row.turns / row.turnsPerS));
              const gc = row.alloc ? `, ${row.alloc.edenCollections + row.alloc.fullCollections} GCs, ${(row.alloc.bytesCounted / row.turns).toFixed(0)} B/turn` : "";
              console.log(`   round ${round} ${system.padEnd(8)} ${String(size).padStart(6)} B × ${bots} ${reply.padEnd(5)}: p50 ${row.p50Us.toFixed(1)} µs, p99 ${row.p99Us.toFixed(1)} µs, ${row.turnsPerS.toFixed(0)} turns/s (${row.turns} turns, ${secs} s, other processes ${others.toFixed(0)}% of a CPU${gc})`);
            }
          }
        }
      }
    }
  } finally {
    restoreNice();
  }
  const idle = values["no-idle"] ? [] : await measureIdle(procs, options, systems);
  const seconds = (performance.now() - started) / 1000;

  const rows = summarize(runs);
  const targetChecks = checks(rows, idle);
  console.log(`\n== turn latency (game: send action → receive reply), ${values.quick ? "quick" : "full"} run, ${seconds.toFixed(0)} s; medians over ${repeat} round${repeat === 1 ? "" : "s"} (lowest–highest)`);
  console.log(table(rows));
  const objects = objectsText(rows);
  if (objects !== "") console.log(`\n== objects our broker allocated per turn (windows without a collection)\n${objects}`);
  if (idle.length > 0) console.log(`\n== idle memory\n${idleTable(idle)}`);
  if (targetChecks.length > 0) console.log(`\n== issue 20 targets (our broker)\n${checksText(targetChecks)}`);
  const floor = floorText(rows);
  if (floor !== "") console.log(`${targetChecks.length > 0 ? "" : "\n"}${floor}`);
  if (skipped.length > 0) console.log(`\nskipped: ${skipped.join(", ")}`);

  const dir = `${root}/bench/results`;
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = `${dir}/${stamp}${values.quick ? "-quick" : ""}.json`;
  const result = {
    command: ["bun run bench", ...Bun.argv.slice(2)].join(" "),
    date: new Date().toISOString(),
    machine,
    method: {
      turn: "game writes its action, timer stops when the bot's reply line has been read",
      reply: "every bot answers at once: fixed = an 8-byte body; echo = the state it was sent (02 00 + the same bytes)",
      peers: "Rust, blocking std::net, TCP_NODELAY, one thread per peer (NATS: async-nats, current-thread tokio per peer)",
      nats: "request-reply on subject bot.<i>; payloads are the same base64 lines as v1, without the newline",
      brokerCpu: "utime+stime of the broker process from /proc/<pid>/stat over the timed turns",
      brokerPeakRss: "VmHWM from /proc/<pid>/status after the timed turns (warm-up included)",
      ourBroker: values.compiled ? "dist/bitbroker" : "bun src/main.ts",
      before,
      pipe: "bench/pipe/pipe.ts (bun) between the direct game and bots: one listener per bot, bytes copied both ways as they arrive (TCP_NODELAY); sampled as the broker; rows' p50VsPipe/p99VsPipe: ratios to it round by round",
      tuned: tunedEnv === null ? null : `our broker as ours, with ${tunedEnv}`,
      pinnedCpus: cpus ?? "none",
      rounds: `${repeat}, interleaved, the first system alternating (rows: medians with the lowest and highest round; ratios to direct taken round by round; runs: every run)`,
      alloc: "ours only: collections (BUN_JSC_logGC=1) between two marks of bench/lib/probe.ts, the first after a full collection; B/turn = bytes allocated this cycle summed over the window's collections / turns (misses less than one cycle after the last); objects per turn from the heap's counts by type when no collection ran",
      nice: values.nice,
      othersCpu: "busy time of the pinned CPUs (all CPUs if unpinned, /proc/stat) minus broker, game and bots: other load, 10 ms ticks",
      plans: Object.fromEntries(sizes.map((s) => [String(s), planFor(s, "ours", values.quick)])),
      originalPlans: Object.fromEntries(sizes.map((s) => [String(s), planFor(s, "original", values.quick)])),
    },
    seconds,
    loadAverage: { before: loadBefore, after: await loadAvg() },
    rows,
    runs,
    idle,
    targets: targetChecks,
    skipped,
  };
  await Bun.write(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`\nwritten: ${file.slice(root.length + 1)}`);
}

function niceness(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < -20 || n > 19) throw new Error(`--nice: ${text} is not a niceness (-20..19)`);
  return n;
}

/** The concurrency axis (lib/concurrency-axis.ts): its own options, the same build and machine. */
async function concurrency(values: Values): Promise<void> {
  const levels = ints(values.concurrency ?? "", "concurrency");
  const systems = (values.systems === SYSTEMS.join(",") ? CONC_SYSTEMS.join(",") : values.systems).split(",").map((s) => {
    if (!(CONC_SYSTEMS as readonly string[]).includes(s) && s !== "before") throw new Error(`--systems: the concurrency axis runs ours, before and nats, not ${s}`);
    return s as ConcSystem;
  });
  const seconds = (text: string | undefined, fallback: number, what: string): number => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${what}: ${text} is not a positive number of seconds`);
    return n;
  };
  if (values.rooms !== "per-match" && values.rooms !== "default") throw new Error(`--rooms: per-match or default, not ${values.rooms}`);
  const pin = (text: string): string | null => (text === "all" ? null : text);
  const serverCpus = pin(values["server-cpus"]);
  const peerCpus = pin(values["peer-cpus"]);
  if ((serverCpus !== null || peerCpus !== null) && !Bun.which("taskset")) throw new Error("pinning needs taskset (util-linux); use --server-cpus all --peer-cpus all");
  const root = resolve(import.meta.dir, "..");
  procs = new Procs(null);
  if (!values["no-build"]) await build(root);
  const natsServer = systems.includes("nats") ? await ensureNats() : null;
  const active = systems.filter((s) => s !== "nats" || natsServer !== null);
  const paths: Paths = { root, peers: `${root}/target/release/peers`, originalBroker: "", bun: process.execPath, before: values.before === undefined ? undefined : resolve(values.before) };
  const machine = await describeMachine(root, natsServer);
  console.log(`== machine: ${machine.nproc} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, bun ${machine.bun}`);
  console.log(`== our broker: ${values.compiled ? "dist/bitbroker" : "bun src/main.ts"} at ${machine.gitCommit}${machine.gitDirty ? " (src/ modified)" : ""}`);
  await concurrencyAxis(
    procs,
    {
      levels,
      systems: active,
      rounds: ints(values.repeat ?? "3", "repeat")[0] ?? 3,
      quick: values.quick,
      options: {
        paths,
        natsServer,
        compiled: values.compiled,
        bots: 2,
        sizeBytes: 64,
        rooms: values.rooms,
        serverCpus,
        peerCpus,
        nice: niceness(values.nice),
        warmupSeconds: seconds(values["warmup-seconds"], values.quick ? 1 : 3, "warmup-seconds"),
        windowSeconds: seconds(values["window-seconds"], values.quick ? 3 : 10, "window-seconds"),
      },
    },
    machine,
    root,
    ["bun run bench", ...Bun.argv.slice(2)].join(" "),
  );
  if (active.length < systems.length) console.log("\nskipped: nats");
}

let procs = new Procs();
await runMain("bench", () => procs, main);
