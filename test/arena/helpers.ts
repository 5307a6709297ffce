// Helpers of the arena's tests: run `bitbroker arena` (from source) with a bound, and read /proc
// to find every process that descends from it, and whether any is still alive.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname;
export const FIXTURES = join(ROOT, "test/arena/fixtures");
const BUN = process.execPath;

export const game = (mode = "") => `${BUN} ${FIXTURES}/rigged-game.ts ${mode}`.trim();
export const bot = (mode = "") => `${BUN} ${FIXTURES}/bot.ts ${mode}`.trim();

export interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** Clock ticks since boot: with the pid, names a process even after its pid is reused. */
  readonly start: number;
  readonly cmd: string;
}

/** Every live process of the machine, from /proc/PID/stat (zombies are dead: they are left out). */
export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: the fields follow the last ")".
      const close = stat.lastIndexOf(")");
      const f = stat.slice(close + 2).split(" ");
      if (f[0] === "Z" || f[0] === "X") continue;
      out.push({ pid: Number(entry), ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]), start: Number(f[19]), cmd: stat.slice(stat.indexOf("(") + 1, close) });
    } catch {
      // Gone while we read.
    }
  }
  return out;
}

/** The processes whose parent chain leads to `root` (not `root` itself). */
export function descendants(root: number, all: Proc[] = processes()): Proc[] {
  const byPid = new Map(all.map((p) => [p.pid, p]));
  return all.filter((p) => {
    for (let q = byPid.get(p.ppid), hops = 0; q && hops < 64; q = byPid.get(q.ppid), hops++) if (q.pid === root) return true;
    return p.ppid === root;
  });
}

export function alive(p: Pick<Proc, "pid" | "start">, all: Proc[] = processes()): boolean {
  return all.some((q) => q.pid === p.pid && q.start === p.start);
}

export interface ArenaRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
  /** Every process seen descending from the arena while it ran (polled). */
  readonly seen: Proc[];
}

export interface RunOptions {
  readonly timeoutMs?: number;
  /** Its working folder: by default a new one (its arena.db, arena-replays, arena.jsonl go there). */
  readonly cwd?: string;
  /** Asked with the stderr so far as it grows, and every 20 ms: true sends SIGINT (once). */
  readonly interruptWhen?: (stderr: string) => boolean | Promise<boolean>;
}

/** Runs `bun src/main.ts arena ARGS` to its end (killed and failed past the bound). */
export async function runArena(args: readonly string[], o: RunOptions = {}): Promise<ArenaRun> {
  // In a folder of its own by default: its records (arena.db) and replays go there.
  const cwd = o.cwd ?? mkdtempSync(join(tmpdir(), "arena-cwd-"));
  const proc = Bun.spawn([BUN, join(ROOT, "src/main.ts"), "arena", ...args], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const seen = new Map<string, Proc>();
  let stderr = "";
  let interrupted = false;
  const interruptIf = async () => {
    if (interrupted || !o.interruptWhen || !(await o.interruptWhen(stderr)) || interrupted) return;
    interrupted = true;
    proc.kill("SIGINT");
  };
  const readErr = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) {
      stderr += decoder.decode(chunk, { stream: true });
      await interruptIf();
    }
  })();
  const stdout = new Response(proc.stdout).text();
  let done = false;
  const poll = (async () => {
    while (!done) {
      for (const p of descendants(proc.pid)) seen.set(`${p.pid}/${p.start}`, p);
      await interruptIf();
      await Bun.sleep(20);
    }
  })();
  const bound = setTimeout(() => proc.kill("SIGKILL"), o.timeoutMs ?? 120_000);
  const code = await proc.exited;
  clearTimeout(bound);
  done = true;
  await Promise.all([poll, readErr]);
  if (proc.signalCode === "SIGKILL") throw new Error(`the arena did not finish within ${o.timeoutMs ?? 120_000} ms; stderr:\n${stderr}`);
  return { code, stdout: await stdout, stderr, pid: proc.pid, seen: [...seen.values()] };
}

/** Waits (bounded) until no process of `procs` is alive; returns those still alive after the bound. */
export async function survivors(procs: readonly Pick<Proc, "pid" | "start">[], boundMs = 5000): Promise<Proc[]> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const all = processes();
    const left = all.filter((q) => procs.some((p) => p.pid === q.pid && p.start === q.start));
    if (left.length === 0 || Date.now() > deadline) return left;
    await Bun.sleep(20);
  }
}
