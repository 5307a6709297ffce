// `bun run bench:startup [--runs N]`: the executable's size, exec → healthy GET /health, idle RSS
// and `healthcheck` run time, beside `bun src/main.ts`. Prints a table; a benchmark, never a test.
import { readFileSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { ROOT, ensureBuilt } from "../scripts/build.ts";

const { values } = parseArgs({ args: process.argv.slice(2), options: { runs: { type: "string", default: "9" } } });
const RUNS = Math.max(1, Number(values.runs) || 9);
const IDLE_MS = 1000;
const HEALTHY_TIMEOUT_MS = 10_000;

interface Sample {
  readonly startMs: number;
  readonly idleRssMiB: number;
  readonly healthcheckMs: number;
}

function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

const rssMiB = (pid: number): number => {
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kib) / 1024;
};

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200;
  } catch {
    return false;
  }
}

/** One cold start: exec, poll /health until 200, idle, read RSS, time one `healthcheck`. */
async function sample(cmd: string[], healthcheck: string[]): Promise<Sample> {
  const healthPort = freePort();
  const env = { BROKER_HOST: "127.0.0.1", BROKER_PORT: String(freePort()), BROKER_HEALTH_PORT: String(healthPort), LOG_LEVEL: "error" };
  const started = performance.now();
  const proc = Bun.spawn(cmd, { cwd: ROOT, env, stdin: "ignore", stdout: "ignore", stderr: "inherit" });
  try {
    while (!(await healthy(healthPort))) {
      if (proc.exitCode !== null) throw new Error(`${cmd.join(" ")} exited with ${proc.exitCode}`);
      if (performance.now() - started > HEALTHY_TIMEOUT_MS) throw new Error(`${cmd.join(" ")} not healthy in time`);
      await Bun.sleep(1);
    }
    const startMs = performance.now() - started;
    await Bun.sleep(IDLE_MS);
    const idleRssMiB = rssMiB(proc.pid);
    const t = performance.now();
    const check = Bun.spawn(healthcheck, { cwd: ROOT, env, stdout: "ignore", stderr: "inherit" });
    if ((await check.exited) !== 0) throw new Error(`${healthcheck.join(" ")} did not exit 0`);
    return { startMs, idleRssMiB, healthcheckMs: performance.now() - t };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const spread = (xs: number[], unit: string, digits = 0): string =>
  `${median(xs).toFixed(digits)} ${unit} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

const binary = await ensureBuilt();
const variants = [
  { name: "dist/bitbroker", cmd: [binary], healthcheck: [binary, "healthcheck"] },
  { name: "bun src/main.ts", cmd: [process.execPath, "src/main.ts"], healthcheck: [process.execPath, "src/main.ts", "healthcheck"] },
];
const results: Sample[][] = [];
for (const v of variants) {
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await sample(v.cmd, v.healthcheck));
  results.push(samples);
}

const version = Bun.spawnSync([binary, "--version"]).stdout.toString().trim();
const rows: Array<[string, ...string[]]> = [
  ["size on disk", `${(statSync(binary).size / 1024 / 1024).toFixed(1)} MiB`, "— (needs Bun + node_modules)"],
  ["exec → GET /health 200", ...results.map((r) => spread(r.map((s) => s.startMs), "ms"))],
  [`idle RSS after ${IDLE_MS / 1000} s`, ...results.map((r) => spread(r.map((s) => s.idleRssMiB), "MiB", 1))],
  ["`healthcheck` exec → exit 0", ...results.map((r) => spread(r.map((s) => s.healthcheckMs), "ms"))],
];
console.log(`${version}, Bun ${Bun.version}, ${process.platform}-${process.arch}, ${cpus().length} CPUs; median (min–max) of ${RUNS} cold starts\n`);
console.log(`| | ${variants.map((v) => v.name).join(" | ")} |`);
console.log(`|---|${variants.map(() => "---").join("|")}|`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
