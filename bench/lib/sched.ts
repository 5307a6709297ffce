// bench:tail's reading of a scheduler trace (`perf script -F time,event,trace --ns` of one CPU):
// the turns as the scheduler sees them, who ran in each, the events in each, the bands of the
// slowest turns, every other thread's runs. Pure: lines in, numbers out; no files, no processes.

/** Who is who on the traced CPU: the game's thread, the relay's main thread, and the owner
 * (a process's name) of every other thread the harness knows. */
export interface Cast {
  gameTid: number;
  relayTid: number;
  relayLabel: string; // "broker" or "pipe"
  owners: ReadonlyMap<number, string>; // tid → "bots", "broker", "pipe", "game", "harness"
}

/** One turn as the scheduler sees it: from the game blocking to the game running again. */
export interface Turn {
  blockedUs: number;
  /** By task label: time run, running segments, segments that ended in preemption. */
  tasks: Map<string, { us: number; runs: number; preempted: number }>;
  /** By event ("softirq NET_RX", "local timer", "wakeup broker" …): count, and time in it for
   * the events with an exit (softirqs, local timer interrupts). */
  events: Map<string, { count: number; us: number }>;
}

/** A thread other than the game, the relay's main thread, the bots and idle, over the whole trace. */
export interface ThreadRuns {
  tid: number;
  comm: string;
  of: string; // its process, when the harness knows it
  runs: number;
  totalUs: number;
  medianUs: number;
  maxUs: number;
}

const SWITCH = /prev_comm=(.*?) prev_pid=(\d+) prev_prio=\S+ prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)/;
const WAKEUP = /comm=(.*?) pid=(\d+) prio=/;

/** "22507.618706591" → µs, without losing the nanoseconds to a double of seconds. */
function micros(time: string): number {
  const dot = time.indexOf(".");
  const sec = Number(time.slice(0, dot));
  const frac = time.slice(dot + 1).padEnd(9, "0");
  return sec * 1e6 + Number(frac) / 1e3;
}

export class SchedTrace {
  readonly turns: Turn[] = [];
  /** Switches whose prev_pid was not the task the last switch put on the CPU: lost events.
   * A turn that spans one is dropped. */
  breaks = 0;
  private turn: Turn | null = null;
  private turnStartUs = 0;
  private segmentStart = 0;
  private running: { tid: number; since: number } | null = null;
  private readonly threads = new Map<number, { comm: string; runs: number[] }>();
  private readonly open = new Map<string, number>(); // event with an exit → its entry's time

  constructor(private readonly cast: Cast) {}

  /** The game, the relay, the bots, idle, or any other thread by its name (and its process's,
   * when known: "mi-scavenger (broker)"). */
  label(tid: number, comm: string): string {
    if (tid === this.cast.gameTid) return "game";
    if (tid === this.cast.relayTid) return this.cast.relayLabel;
    if (tid === 0) return "idle";
    const owner = this.cast.owners.get(tid);
    if (owner === "bots") return "bots";
    return owner === undefined ? comm : `${comm} (${owner})`;
  }

  private isOther(tid: number): boolean {
    return tid !== this.cast.gameTid && tid !== this.cast.relayTid && tid !== 0 && this.cast.owners.get(tid) !== "bots";
  }

  /** One line of `perf script -F time,event,trace --ns`. */
  push(line: string): void {
    const text = line.trimStart();
    const a = text.indexOf(": ");
    const b = text.indexOf(": ", a + 2);
    if (a < 0 || b < 0) return;
    const us = micros(text.slice(0, a));
    const event = text.slice(a + 2, b).trim();
    const trace = text.slice(b + 2);
    if (event === "sched:sched_switch") return this.switched(us, trace);
    const turn = this.turn;
    switch (event) {
      case "sched:sched_wakeup": {
        const m = WAKEUP.exec(trace);
        if (m && turn) this.count(turn, `wakeup ${this.label(Number(m[2]), m[1] ?? "?")}`);
        return;
      }
      case "irq:softirq_entry":
      case "irq:softirq_exit": {
        const key = `softirq ${/action=(\w+)/.exec(trace)?.[1] ?? "?"}`;
        return event.endsWith("entry") ? this.enter(turn, key, us) : this.exit(turn, key, us);
      }
      case "irq_vectors:local_timer_entry":
        return this.enter(turn, "local timer", us);
      case "irq_vectors:local_timer_exit":
        return this.exit(turn, "local timer", us);
      case "irq:irq_handler_entry":
        if (turn) this.count(turn, `irq ${/name=(\S+)/.exec(trace)?.[1] ?? "?"}`);
        return;
      case "timer:hrtimer_expire_entry":
        if (turn) this.count(turn, `hrtimer ${/function=(\S+)/.exec(trace)?.[1] ?? "?"}`);
        return;
    }
  }

  private switched(us: number, trace: string): void {
    const m = SWITCH.exec(trace);
    if (!m) return;
    const prevComm = m[1] ?? "?";
    const prevTid = Number(m[2]);
    const prevState = m[3] ?? "";
    const nextTid = Number(m[5]);
    if (this.running !== null && this.running.tid !== prevTid) {
      this.breaks++;
      this.turn = null; // its accounting has a hole
    } else if (this.running !== null && this.isOther(prevTid)) {
      const t = this.threads.get(prevTid) ?? { comm: prevComm, runs: [] };
      t.runs.push(us - this.running.since);
      this.threads.set(prevTid, t);
    }
    this.running = { tid: nextTid, since: us };
    const turn = this.turn;
    if (turn) {
      const label = this.label(prevTid, prevComm);
      const task = turn.tasks.get(label) ?? { us: 0, runs: 0, preempted: 0 };
      task.us += us - this.segmentStart;
      task.runs++;
      if (prevState.startsWith("R")) task.preempted++;
      turn.tasks.set(label, task);
      this.segmentStart = us;
      if (nextTid === this.cast.gameTid) {
        turn.blockedUs = us - this.turnStartUs;
        this.turns.push(turn);
        this.turn = null;
      }
    } else if (prevTid === this.cast.gameTid && prevState === "S") {
      this.turn = { blockedUs: 0, tasks: new Map(), events: new Map() };
      this.turnStartUs = us;
      this.segmentStart = us;
    }
  }

  private count(turn: Turn, key: string, us = 0): void {
    const e = turn.events.get(key) ?? { count: 0, us: 0 };
    e.count++;
    e.us += us;
    turn.events.set(key, e);
  }

  private enter(turn: Turn | null, key: string, us: number): void {
    this.open.set(key, us);
    if (turn) this.count(turn, key);
  }

  private exit(turn: Turn | null, key: string, us: number): void {
    const since = this.open.get(key);
    this.open.delete(key);
    const e = turn?.events.get(key);
    // Timed only when its entry fell inside this turn (the entry was counted there).
    if (e && since !== undefined && since >= this.turnStartUs) e.us += us - since;
  }

  /** Every other thread's runs over the whole trace, the busiest first. */
  otherThreads(): ThreadRuns[] {
    return [...this.threads]
      .map(([tid, t]) => {
        const sorted = [...t.runs].sort((x, y) => x - y);
        return {
          tid,
          comm: t.comm,
          of: this.cast.owners.get(tid) ?? "",
          runs: sorted.length,
          totalUs: sorted.reduce((s, x) => s + x, 0),
          medianUs: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
          maxUs: sorted[sorted.length - 1] ?? 0,
        };
      })
      .sort((x, y) => y.totalUs - x.totalUs);
  }
}

/** One band of turns, sorted by blocked time: the averages per turn of its turns. */
export interface Band {
  name: string;
  turns: number;
  fromUs: number; // the band's shortest and longest turn
  toUs: number;
  meanBlockedUs: number;
  tasks: Record<string, { usPerTurn: number; runsPerTurn: number; preemptedPerTurn: number }>;
  events: Record<string, { perTurn: number; usPerTurn: number }>;
}

export const BANDS: ReadonlyArray<readonly [string, number, number]> = [
  ["middle 50 %", 0.25, 0.75],
  ["98–99 %", 0.98, 0.99],
  ["slowest 1 %", 0.99, 1],
];

export function bands(turns: readonly Turn[]): Band[] {
  const sorted = [...turns].sort((x, y) => x.blockedUs - y.blockedUs);
  return BANDS.map(([name, from, to]) => {
    const band = sorted.slice(Math.floor(sorted.length * from), Math.floor(sorted.length * to));
    const n = Math.max(1, band.length);
    const tasks: Band["tasks"] = {};
    const events: Band["events"] = {};
    for (const turn of band) {
      for (const [label, t] of turn.tasks) {
        const a = (tasks[label] ??= { usPerTurn: 0, runsPerTurn: 0, preemptedPerTurn: 0 });
        a.usPerTurn += t.us / n;
        a.runsPerTurn += t.runs / n;
        a.preemptedPerTurn += t.preempted / n;
      }
      for (const [key, e] of turn.events) {
        const a = (events[key] ??= { perTurn: 0, usPerTurn: 0 });
        a.perTurn += e.count / n;
        a.usPerTurn += e.us / n;
      }
    }
    return {
      name,
      turns: band.length,
      fromUs: band[0]?.blockedUs ?? 0,
      toUs: band[band.length - 1]?.blockedUs ?? 0,
      meanBlockedUs: band.reduce((s, t) => s + t.blockedUs, 0) / n,
      tasks,
      events,
    };
  });
}

/** Nearest-rank percentile of the turns' blocked time. */
export function blockedPercentile(turns: readonly Turn[], p: number): number {
  const sorted = turns.map((t) => t.blockedUs).sort((x, y) => x - y);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
