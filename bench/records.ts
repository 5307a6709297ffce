// `bun bench/records.ts`: what keeping records costs the relay. Turn latency of our broker with
// records off, in SQLite, in SQLite with replays (BROKER_RECORD=on), and in PostgreSQL when one
// can be started here, side by side in the same run; then the cost of committing one match's
// end record in SQLite (synchronous=NORMAL, as the broker does, against FULL). A benchmark, never
// a test: it prints tables and writes bench/results/<time>-records.json.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SqlStore } from "../src/store/sql.ts";
import { SqliteDriver } from "../src/store/sqlite.ts";
import { PgServer, pgSkipReason } from "../test/store/pg.ts";
import { fixture } from "../test/store/fixtures.ts";
import { runCase, type Options } from "./lib/cases.ts";
import { describeMachine } from "./lib/machine.ts";
import { Procs } from "./lib/procs.ts";
import type { Row } from "./lib/report.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { quick: { type: "boolean", default: false }, repeat: { type: "string", default: "3" }, "no-build": { type: "boolean", default: false }, cpus: { type: "string", default: "0" } },
});
const root = resolve(import.meta.dir, "..");
const repeat = Number(values.repeat);
const dir = mkdtempSync(join(tmpdir(), "bitbroker-bench-records-"));
const procs = new Procs(values.cpus === "all" ? null : values.cpus);
let pg: PgServer | null = null;
process.on("exit", () => {
  procs.killAll();
  pg?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

if (!values["no-build"]) {
  const p = Bun.spawn(["cargo", "build", "--release", "--locked", "--manifest-path", "bench/peers/Cargo.toml", "--bin", "peers"], {
    cwd: root,
    env: { ...process.env, CARGO_TARGET_DIR: `${root}/target` },
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await p.exited) !== 0) throw new Error("cargo build failed");
}

const skip = pgSkipReason();
if (skip) console.log(`SKIPPING PostgreSQL: ${skip}`);
else pg = await PgServer.start();

let runs = 0;
const configs: Array<[string, () => Promise<Record<string, string>>]> = [
  ["off", async () => ({ BROKER_DB: "off" })],
  ["sqlite", async () => ({ BROKER_DB: join(dir, `r${++runs}.db`) })],
  ["sqlite+replays", async () => ({ BROKER_DB: join(dir, `r${++runs}.db`), BROKER_RECORD: "on", BROKER_RECORD_DIR: join(dir, `replays${runs}`) })],
  ...(pg ? ([["postgres", async () => ({ BROKER_DB: await pg!.database(`bench${++runs}`) })]] as Array<[string, () => Promise<Record<string, string>>]>) : []),
];
const cases: Array<[number, number]> = [
  [64, 2],
  [4096, 2],
  [262144, 2],
];
const plan = (size: number) => (size <= 4096 ? { warmup: 2000, warmupSeconds: 1, turns: values.quick ? 3000 : 20_000, maxSeconds: 20 } : { warmup: 200, warmupSeconds: 1, turns: values.quick ? 300 : 2000, maxSeconds: 20 });
const base: Options = { paths: { root, peers: `${root}/target/release/peers`, originalBroker: "", bun: process.execPath }, natsServer: null, compiled: false };

const machine = await describeMachine(root, null);
console.log(`== ${machine.nproc} × ${machine.cpuModel}, Linux ${machine.kernel}, bun ${machine.bun}; pinned to CPUs ${values.cpus}; ${repeat} runs per cell, interleaved`);
const rows: Array<Row & { records: string }> = [];
for (const [size, bots] of cases) {
  const mine: Array<Row & { records: string }> = [];
  for (let r = 0; r < repeat; r++) {
    for (const [name, env] of configs) {
      const row = await runCase(procs, { ...base, brokerEnv: await env() }, "ours", size, bots, plan(size));
      mine.push({ ...row, records: name });
      console.log(`   ${name.padEnd(15)} ${String(size).padStart(6)} B × ${bots}: p50 ${row.p50Us.toFixed(1)} µs, p99 ${row.p99Us.toFixed(1)} µs, ${row.turnsPerS.toFixed(0)} turns/s`);
    }
  }
  for (const [name] of configs) {
    const sorted = mine.filter((m) => m.records === name).sort((a, b) => a.p50Us - b.p50Us);
    rows.push(sorted[Math.floor((sorted.length - 1) / 2)]!);
  }
}

console.log("\n== turn latency by records setting (the run with the median p50 of each cell)");
console.log(["case", "records", "p50 µs", "p99 µs", "turns/s", "p50 vs off", "CPU µs/turn"].join("\t"));
for (const r of rows) {
  const off = rows.find((o) => o.records === "off" && o.sizeBytes === r.sizeBytes && o.bots === r.bots)!;
  const cpu = r.brokerCpuMs === null ? "–" : ((r.brokerCpuMs * 1000) / r.turns).toFixed(1);
  console.log([`${r.sizeBytes} B × ${r.bots}`, r.records, r.p50Us.toFixed(1), r.p99Us.toFixed(1), r.turnsPerS.toFixed(0), `${((r.p50Us / off.p50Us - 1) * 100).toFixed(1)} %`, cpu].join("\t"));
}

/** Commit of one match's end record in SQLite, as the broker does it (one transaction, before the 00 FF). */
async function commitCost(synchronous: "NORMAL" | "FULL"): Promise<{ synchronous: string; p50Us: number; p99Us: number; maxUs: number }> {
  const driver = new SqliteDriver(join(dir, `commit-${synchronous}.db`));
  const store = new SqlStore(driver);
  await store.migrate();
  await driver.all(`PRAGMA synchronous = ${synchronous}`);
  const samples: number[] = [];
  for (let n = 1; n <= (values.quick ? 300 : 2000); n++) {
    const { end } = fixture({ n, names: ["A", "B"], result: { seats: [{ index: 0, rank: 1 }, { index: 1, rank: 2 }], summary: "" } });
    const t0 = performance.now();
    store.writeSync!([{ kind: "end", record: end! }]);
    samples.push((performance.now() - t0) * 1000);
  }
  await store.close();
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { synchronous, p50Us: at(0.5), p99Us: at(0.99), maxUs: samples.at(-1)! };
}
const commits = [await commitCost("NORMAL"), await commitCost("FULL")];
console.log("\n== one match's end record committed in SQLite (WAL), on the relay's thread");
for (const c of commits) console.log(`synchronous=${c.synchronous}\tp50 ${c.p50Us.toFixed(1)} µs\tp99 ${c.p99Us.toFixed(1)} µs\tmax ${c.maxUs.toFixed(0)} µs`);

mkdirSync(join(root, "bench/results"), { recursive: true });
const file = join(root, "bench/results", `${new Date().toISOString().replace(/[:.]/g, "-")}-records${values.quick ? "-quick" : ""}.json`);
await Bun.write(file, JSON.stringify({ command: ["bun bench/records.ts", ...Bun.argv.slice(2)].join(" "), machine, rows, commits }, null, 2) + "\n");
console.log(`\nwritten: ${file.slice(root.length + 1)}`);
process.exit(0);
