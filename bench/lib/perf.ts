// bench:tail's use of `perf`: can it record tracepoints here, a recording of one CPU switched on
// and off around the timed turns (perf's control fd, acknowledged), and its `perf script` lines.
// It records the scheduler, interrupts and timers only: no samples, no stacks, no other CPU.
import { existsSync } from "node:fs";
import type { Child, Procs } from "./procs.ts";

/** The tracepoints: who runs (switch, wake-up), and what interrupts them. The two
 * irq_vectors events exist on x86 only; elsewhere they are left out. */
const EVENTS = [
  "sched:sched_switch",
  "sched:sched_wakeup",
  "irq:irq_handler_entry",
  "irq:softirq_entry",
  "irq:softirq_exit",
  "timer:hrtimer_expire_entry",
  "irq_vectors:local_timer_entry",
  "irq_vectors:local_timer_exit",
] as const;

const TRACEFS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

const tracefs = (): string | undefined => TRACEFS.find((d) => existsSync(`${d}/events/sched/sched_switch`));

/** What keeps us from recording here, in one line; null when nothing does. */
export async function perfProblem(): Promise<string | null> {
  if (!Bun.which("taskset")) return "bench:tail needs taskset (util-linux) to pin everything to CPU 0";
  if (!Bun.which("perf")) return "bench:tail needs perf, which is not installed (Debian: apt-get install linux-perf)";
  const version = Bun.spawnSync(["perf", "--version"], { stdout: "ignore", stderr: "pipe" });
  if (version.exitCode !== 0) return `bench:tail needs a working perf: \`perf --version\` failed: ${version.stderr.toString().trim().split("\n")[0]}`;
  const paranoid = Number((await Bun.file("/proc/sys/kernel/perf_event_paranoid").text().catch(() => "2")).trim());
  if (process.getuid?.() !== 0 && paranoid > -1)
    return `bench:tail needs root or kernel.perf_event_paranoid = -1 (it is ${paranoid}) to record scheduler tracepoints on CPU 0`;
  if (tracefs() === undefined) return `bench:tail needs tracefs with the sched events (mount -t tracefs nodev /sys/kernel/tracing)`;
  return null;
}

/** The events this kernel has. */
export function events(): string[] {
  const dir = tracefs();
  return EVENTS.filter((e) => dir !== undefined && existsSync(`${dir}/events/${e.replace(":", "/")}`));
}

/** A `perf record` of the CPUs `traced`, started with its events off. */
export class Recording {
  private constructor(private readonly perf: Child) {}

  /** Starts perf (itself on `perfCpus`, off the traced CPU when there is another) with its events
   * off, to be switched on by `on()`. */
  static start(procs: Procs, file: string, traced: string, perfCpus: string | null, names: readonly string[]): Recording {
    const cmd = ["perf", "record", "-C", traced, ...names.flatMap((e) => ["-e", e]), "-o", file, "--no-buildid", "-D", "-1", "--control", "fd:0,1"];
    return new Recording(procs.spawn("perf record", cmd, { cpus: perfCpus }));
  }

  /** perf answers each command on its control fd with "ack" once it has carried it out. */
  private async command(word: string): Promise<void> {
    this.perf.send(`${word}\n`);
    const deadline = performance.now() + 10_000;
    for (;;) {
      const line = await this.perf.nextLine(Math.max(1, deadline - performance.now()));
      if (line.includes("ack")) return;
    }
  }

  on(): Promise<void> {
    return this.command("enable");
  }

  /** Events off, then perf writes its file and exits; returns what it said (lost events). */
  async stop(): Promise<string> {
    await this.command("disable");
    this.perf.proc.kill("SIGINT");
    const code = await Promise.race([this.perf.exited, Bun.sleep(30_000).then(() => null)]);
    if (code === null) throw new Error("perf record did not finish its file within 30 s");
    return this.perf.stderr;
  }
}

/** Feeds every line of `perf script` of `file` (time in ns, event, its fields) to `onLine`. */
export async function script(file: string, onLine: (line: string) => void): Promise<void> {
  const p = Bun.spawn(["perf", "script", "-i", file, "-F", "time,event,trace", "--ns"], { stdout: "pipe", stderr: "pipe" });
  const stderr = new Response(p.stderr).text();
  try {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of p.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    }
    if (pending !== "") onLine(pending);
    if ((await p.exited) !== 0) throw new Error(`perf script failed: ${(await stderr).trim()}`);
  } finally {
    p.kill();
  }
}
