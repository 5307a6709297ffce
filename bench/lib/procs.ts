// Child processes of the bench: started, read line by line, and all killed at the end.
// Every process the harness starts goes through Procs, so killAll() leaves nothing behind.
import type { Subprocess } from "bun";
import { writeFileSync } from "node:fs";

type Pipe = Subprocess<"pipe", "pipe", "pipe">;
export type Json = Record<string, unknown>;

const STDERR_KEEP_CHARS = 4000;

/** One child: its stdout as lines, the tail of its stderr, and its exit. */
export class Child {
  private readonly queue: string[] = [];
  private wake: (() => void) | null = null;
  private stdoutDone = false;
  private stderrTail = "";
  /** Called with every whole stderr line, when set (lib/alloc.ts reads the GC log this way). */
  onStderrLine: ((line: string) => void) | null = null;

  constructor(
    readonly name: string,
    readonly proc: Pipe,
  ) {
    void this.pumpStdout();
    void this.pumpStderr();
  }

  get pid(): number {
    return this.proc.pid;
  }

  get exited(): Promise<number> {
    return this.proc.exited;
  }

  /** What the child said on stderr lately, for error messages. */
  get stderr(): string {
    return this.stderrTail.trim();
  }

  private async pumpStdout(): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of this.proc.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        this.queue.push(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      this.notify();
    }
    if (pending) this.queue.push(pending);
    this.stdoutDone = true;
    this.notify();
  }

  private async pumpStderr(): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of this.proc.stderr) {
      const text = decoder.decode(chunk, { stream: true });
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_KEEP_CHARS);
      if (this.onStderrLine === null) continue;
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        this.onStderrLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Next stdout line; throws on timeout or when the child has closed its stdout. */
  async nextLine(timeoutMs: number): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const line = this.queue.shift();
      if (line !== undefined) return line;
      if (this.stdoutDone) throw new Error(`${this.name} exited before answering${this.stderr ? `: ${this.stderr}` : ""}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.name} said nothing for ${timeoutMs} ms${this.stderr ? `: ${this.stderr}` : ""}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Skips stdout lines until a JSON line that `match` accepts. */
  async waitJson(match: (j: Json) => boolean, timeoutMs: number): Promise<Json> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const line = await this.nextLine(Math.max(1, deadline - performance.now()));
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue; // not a JSON line (a banner, a text log)
      }
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) && match(parsed as Json)) return parsed as Json;
    }
  }

  send(text: string): void {
    this.proc.stdin.write(text);
    void this.proc.stdin.flush();
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
  }
}

/** The registry of every child the bench started. */
export class Procs {
  private readonly children = new Set<Child>();

  /** `cpus`: a taskset CPU list every child is pinned to (taskset execs, so pids stay), or null. */
  constructor(readonly cpus: string | null = null) {}

  /** `opts.cpus`: this child's own CPU list instead of the registry's (null = not pinned);
   * `opts.nice`: its niceness (negative needs root), for a measurement on a machine shared with other load. */
  spawn(name: string, cmd: string[], opts: { env?: Record<string, string>; cwd?: string; cpus?: string | null; nice?: number } = {}): Child {
    const cpus = opts.cpus === undefined ? this.cpus : opts.cpus;
    const niced = opts.nice === undefined || opts.nice === 0 ? cmd : ["nice", "-n", String(opts.nice), ...cmd];
    const pinned = cpus === null ? niced : ["taskset", "-c", cpus, ...niced];
    const proc = Bun.spawn(pinned, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    const child = new Child(name, proc);
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }

  /** Kills `child` and waits (briefly) for it to be gone. */
  async stop(child: Child): Promise<void> {
    child.kill();
    await Promise.race([child.exited, Bun.sleep(2000)]);
    this.children.delete(child);
  }

  killAll(): void {
    for (const child of this.children) child.kill();
    this.children.clear();
  }
}

/**
 * Sets the niceness of this process's autogroup (its session's share of the CPUs against other
 * sessions, when the kernel groups by session: /proc/sys/kernel/sched_autogroup_enabled) and returns
 * a function that puts the old value back. Children started later share the group. A per-process
 * nice alone does nothing against other sessions' load there.
 */
export async function niceAutogroup(nice: number): Promise<() => void> {
  const path = "/proc/self/autogroup";
  const enabled = (await Bun.file("/proc/sys/kernel/sched_autogroup_enabled").text().catch(() => "0")).trim() === "1";
  if (nice === 0 || !enabled) return () => {};
  const before = /nice (-?\d+)/.exec(await Bun.file(path).text())?.[1] ?? "0";
  writeFileSync(path, String(nice));
  return () => writeFileSync(path, before);
}

/** Process counters from /proc: CPU time (user+system, all threads) and resident memory. */
export interface ProcSample {
  cpuMs: number;
  rssKb: number;
  /** Of rssKb: the process's own pages (heap, stacks) and the pages of files it maps (its executable's code). */
  rssAnonKb: number;
  rssFileKb: number;
  hwmKb: number;
}

const CLOCK_TICKS_PER_S = 100; // getconf CLK_TCK on Linux x86-64

/** CPU numbers of a taskset list such as "0", "0,1" or "0-3"; null = every CPU. */
export function cpuList(spec: string | null): number[] | null {
  if (spec === null) return null;
  return spec.split(",").flatMap((part) => {
    const [a, b] = part.split("-").map(Number);
    if (a === undefined || !Number.isInteger(a)) throw new Error(`--cpus: bad CPU list ${spec}`);
    const last = b === undefined ? a : b;
    return Array.from({ length: last - a + 1 }, (_, i) => a + i);
  });
}

/** Busy time (user+nice+system+irq+softirq) of the given CPUs, or of all, in ms. irq and softirq
 * count: a process's stime includes the loopback's softirq work done on its behalf. */
export async function busyMs(cpus: number[] | null): Promise<number> {
  const lines = (await Bun.file("/proc/stat").text()).split("\n");
  const wanted = cpus === null ? lines.filter((l) => l.startsWith("cpu ")) : lines.filter((l) => cpus.some((c) => l.startsWith(`cpu${c} `)));
  let ticks = 0;
  for (const line of wanted) {
    const [, user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).map(Number);
    ticks += (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}

export async function sampleProc(pid: number): Promise<ProcSample> {
  const stat = await Bun.file(`/proc/${pid}/stat`).text();
  // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_S, rssKb: kb("VmRSS"), rssAnonKb: kb("RssAnon"), rssFileKb: kb("RssFile"), hwmKb: kb("VmHWM") };
}

/**
 * Runs a bench's `main`: the children of `procs()` (read each time: a bench may replace its Procs)
 * are killed on SIGINT or SIGTERM, at exit and after `main`; an error is one line, exit code 1.
 */
export async function runMain(name: string, procs: () => Procs, main: () => Promise<void>): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      procs().killAll();
      process.exit(130);
    });
  }
  process.on("exit", () => procs().killAll());
  try {
    await main();
  } catch (e) {
    console.error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  } finally {
    procs().killAll();
  }
}
