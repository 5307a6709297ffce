// `bun run test:stress -- [--runs N] [--load K] [--keep DIR] [SUITE... | -- COMMAND...]`: runs a
// test suite N times with K busy loops beside it (a loaded machine, as CI can be), and reports
// every failing run with its seed and the path of its whole log. A flaky test shows up here.
//
//   bun run test:stress -- test/e2e                        # bun test test/e2e, 10 runs, 2 busy loops
//   bun run test:stress -- --runs 20 test/e2e/faults.test.ts
//   bun run test:stress -- --runs 5 -- .venv/bin/python -m pytest -q sdk/python/tests
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const ROOT = new URL("..", import.meta.url).pathname;

const dash = process.argv.indexOf("--", 2);
const own = dash === -1 ? process.argv.slice(2) : process.argv.slice(2, dash);
const given = dash === -1 ? [] : process.argv.slice(dash + 1);
const { values, positionals } = parseArgs({
  args: own,
  options: {
    runs: { type: "string", default: "10" },
    load: { type: "string", default: "2" },
    cpu: { type: "string" },
    keep: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
  allowPositionals: true,
});
if (values.help || (positionals.length === 0 && given.length === 0)) {
  console.log("usage: bun run test:stress -- [--runs N] [--load K] [--cpu C] [--keep DIR] SUITE...   (bun test SUITE...)\n" +
    "       bun run test:stress -- [--runs N] [--load K] [--cpu C] [--keep DIR] -- COMMAND ARGS... (any other suite)\n" +
    "  --cpu C pins the suite and the busy loops to CPU C (taskset): one loaded core, the harshest case.");
  process.exit(positionals.length === 0 && given.length === 0 && !values.help ? 2 : 0);
}
const runs = Number(values.runs);
const load = Number(values.load);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(load) || load < 0) {
  console.error("--runs must be a whole number ≥ 1 and --load ≥ 0");
  process.exit(2);
}
const logs = values.keep ?? join(ROOT, "test", "artifacts", "stress", new Date().toISOString().replace(/[:.]/g, "-"));
mkdirSync(logs, { recursive: true });

// --cpu: everything on one core (taskset, from util-linux).
const pin = values.cpu === undefined ? [] : ["taskset", "-c", values.cpu];
// The load: busy loops, like `yes >/dev/null &` twice.
const busy = Array.from({ length: load }, () => Bun.spawn([...pin, "sh", "-c", "yes >/dev/null"], { stdout: "ignore", stderr: "ignore" }));
const stopLoad = () => busy.forEach((p) => p.kill());
process.on("SIGINT", () => {
  stopLoad();
  process.exit(130);
});

const failures: string[] = [];
console.log(`${runs} run(s) of ${given.length > 0 ? given.join(" ") : `bun test ${positionals.join(" ")}`}, ${load} busy loop(s) beside${pin.length ? ` on CPU ${values.cpu}` : ""}; logs in ${logs}`);
for (let run = 1; run <= runs; run++) {
  const seed = Math.floor(Math.random() * 2 ** 31);
  // A bun suite runs in a random order from a printed seed, so a failure can be replayed exactly.
  const cmd = [...pin, ...(given.length > 0 ? given : ["bun", "test", "--timeout", "60000", "--randomize", `--seed=${seed}`, ...positionals])];
  const started = performance.now();
  const proc = Bun.spawnSync(cmd, { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env, STRESS_RUN: String(run) } });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const log = join(logs, `run-${run}.log`);
  writeFileSync(log, `$ ${cmd.join(" ")}\n${proc.stdout.toString()}${proc.stderr.toString()}`);
  const ok = proc.exitCode === 0;
  console.log(`run ${run}/${runs}: ${ok ? "passed" : `FAILED (exit ${proc.exitCode})`} in ${seconds} s${given.length > 0 ? "" : `, seed ${seed}`}${ok ? "" : `: ${log}`}`);
  if (!ok) failures.push(`run ${run}${given.length > 0 ? "" : ` (seed ${seed})`}: ${log}`);
}
stopLoad();
console.log(failures.length === 0 ? `all ${runs} runs passed` : `${failures.length} of ${runs} runs failed:\n  ${failures.join("\n  ")}`);
writeFileSync(join(logs, "summary.txt"), failures.length === 0 ? `all ${runs} runs passed\n` : failures.join("\n") + "\n");
process.exit(failures.length === 0 ? 0 : 1);
