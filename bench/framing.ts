// `bun run bench:framing`: v1 lines against v2 frames through our broker, with a game and one bot
// of the same language (TypeScript, Python, Rust SDKs), at several state sizes; interleaved
// rounds, medians and their spread, a table side by side, bench/results/<time>-framing.json.
// A benchmark, never a test: it fails only when it cannot measure.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { LANGS, runCell, type Cell, type Lang, type Sample } from "./lib/framing-cell.ts";
import { summarise, tableText, targetsText } from "./lib/framing-report.ts";
import { describeMachine } from "./lib/machine.ts";
import { Procs, niceAutogroup } from "./lib/procs.ts";

const USAGE = `usage: bun run bench:framing [-- options]
  --rounds N        interleaved rounds, every cell once each (default 5)
  --langs LIST      from ts,py,rust (default: all)
  --sizes LIST      state sizes in bytes (default: 64,4096,262144,4194304)
  --seconds S       timed turns per cell, at least (default 1.5; and at least 20 turns)
  --warmup S        warm-up per cell (default 0.5; and at least 5 turns)
  --cpus LIST       pin the broker, the game and the bot to these CPUs (taskset), default 0; "all" = none
  --nice=N          niceness of the bench's session (its autogroup), e.g. -20 (needs root)
  --compiled        our broker as dist/bitbroker instead of \`bun src/main.ts\`
  --no-build        skip building the Rust peer (target/release/bitbroker-bench-framing)
  --quick           2 rounds, 0.5 s cells: a smoke run`;

const OPTIONS = {
  rounds: { type: "string", default: "5" },
  langs: { type: "string", default: LANGS.join(",") },
  sizes: { type: "string", default: "64,4096,262144,4194304" },
  seconds: { type: "string", default: "1.5" },
  warmup: { type: "string", default: "0.5" },
  cpus: { type: "string", default: "0" },
  nice: { type: "string", default: "0" },
  compiled: { type: "boolean", default: false },
  "no-build": { type: "boolean", default: false },
  quick: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} as const;

const list = (text: string): string[] => text.split(",").map((s) => s.trim()).filter((s) => s !== "");

async function buildRustPeer(root: string): Promise<void> {
  console.log("== building the Rust peer (cargo build --release --locked, bench/framing/rust)");
  const p = Bun.spawn(["cargo", "build", "--release", "--locked", "--manifest-path", "bench/framing/rust/Cargo.toml"], {
    cwd: root,
    env: { ...process.env, CARGO_TARGET_DIR: `${root}/target` },
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await p.exited) !== 0) throw new Error("cargo build failed");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: Bun.argv.slice(2), options: OPTIONS, allowPositionals: false });
  if (values.help) return console.log(USAGE);
  const root = resolve(import.meta.dir, "..");
  const langs = list(values.langs).map((l) => {
    if (!(LANGS as readonly string[]).includes(l)) throw new Error(`--langs: unknown ${l}`);
    return l as Lang;
  });
  const sizes = list(values.sizes).map(Number);
  const rounds = values.quick ? 2 : Number(values.rounds);
  const seconds = values.quick ? 0.5 : Number(values.seconds);
  const warmup = values.quick ? 0.2 : Number(values.warmup);
  const cpus = values.cpus === "all" ? null : values.cpus;
  if (langs.includes("rust") && !values["no-build"]) await buildRustPeer(root);
  // Match records off (children inherit it): a bench broker writes no bitbroker.db into the clone.
  process.env.BROKER_DB ??= "off";
  const restoreNice = await niceAutogroup(Number(values.nice));
  const procs = new Procs(cpus);
  const onSignal = (): void => {
    procs.killAll();
    restoreNice();
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  const samples: Sample[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Interleaved: every cell once per round; which framing goes first alternates by round.
      const framings: Array<"v1" | "v2"> = round % 2 === 0 ? ["v1", "v2"] : ["v2", "v1"];
      for (const lang of langs) {
        for (const size of sizes) {
          for (const framing of framings) {
            const cell: Cell = { lang, size, framing };
            const sample = await runCell(procs, root, cell, { seconds, warmup, compiled: values.compiled });
            samples.push({ ...sample, round });
            console.log(`round ${round + 1}/${rounds} ${lang} ${size} B ${framing}: ${Math.round(sample.turnsPerS)} turns/s, p50 ${Math.round(sample.p50Us)} µs, broker ${Math.round(sample.brokerBytesPerTurn)} B/turn`);
          }
        }
      }
    }
  } finally {
    procs.killAll();
    restoreNice();
  }
  const rows = summarise(samples, langs, sizes);
  console.log(`\n${tableText(rows)}\n\n${targetsText(rows)}`);
  const machine = await describeMachine(root, null);
  const stamp = new Date().toISOString().replaceAll(":", "-").replaceAll(".", "-");
  mkdirSync(`${root}/bench/results`, { recursive: true });
  const path = `${root}/bench/results/${stamp}-framing.json`;
  const method = { rounds, seconds, warmup, cpus: cpus ?? "all", nice: Number(values.nice), compiled: values.compiled, reply: "fixed 8 bytes" };
  await Bun.write(path, JSON.stringify({ machine, method, command: `bun run bench:framing -- ${Bun.argv.slice(2).join(" ")}`.trim(), rows, samples }, null, 1));
  console.log(`\nwrote ${path.slice(root.length + 1)}`);
}

await main();
