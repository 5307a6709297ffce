// bench:tail's tables: per band of turns, who ran and what interrupted; every other thread's
// runs over the whole trace. Pure formatting of lib/sched.ts's numbers.
import type { Band, ThreadRuns } from "./sched.ts";

/** Columns padded to their widest cell: the first left-aligned, the others right-aligned. */
function grid(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => "   " + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ").trimEnd()).join("\n");
}

const f = (x: number, digits: number): string => x.toFixed(digits);
/** A task's or an event's rows are shown when they matter in some band. */
const TASK_US_MIN = 0.05;
const EVENT_PER_TURN_MIN = 0.001;

/** Who ran while the game waited: µs, running segments and preempted segments per turn. */
export function tasksTable(bands: readonly Band[]): string {
  const labels = [...new Set(bands.flatMap((b) => Object.keys(b.tasks)))];
  const us = (b: Band | undefined, label: string): number => b?.tasks[label]?.usPerTurn ?? 0;
  const slowest = bands[bands.length - 1];
  const shown = labels.filter((l) => bands.some((b) => us(b, l) >= TASK_US_MIN)).sort((x, y) => us(slowest, y) - us(slowest, x));
  const head = ["", ...bands.flatMap((b) => [b.name, "", ""])];
  const sub = ["task", ...bands.flatMap(() => ["µs/turn", "runs", "preempted"])];
  const blocked = ["mean blocked µs", ...bands.flatMap((b) => [f(b.meanBlockedUs, 1), "", ""])];
  const range = ["turns (blocked µs)", ...bands.flatMap((b) => [`${b.turns} (${f(b.fromUs, 0)}–${f(b.toUs, 0)})`, "", ""])];
  const rows = shown.map((l) => [
    l,
    ...bands.flatMap((b) => {
      const t = b.tasks[l];
      return t ? [f(t.usPerTurn, 2), f(t.runsPerTurn, 3), f(t.preemptedPerTurn, 3)] : ["", "", ""];
    }),
  ]);
  const hidden = labels.length - shown.length;
  return grid([head, range, blocked, sub, ...rows]) + (hidden > 0 ? `\n   (${hidden} more tasks under ${TASK_US_MIN} µs/turn in every band)` : "");
}

/** What happened while the game waited: events per turn, and µs per turn in those with an exit. */
export function eventsTable(bands: readonly Band[]): string {
  const keys = [...new Set(bands.flatMap((b) => Object.keys(b.events)))];
  const per = (b: Band | undefined, key: string): number => b?.events[key]?.perTurn ?? 0;
  const slowest = bands[bands.length - 1];
  const shown = keys.filter((k) => bands.some((b) => per(b, k) >= EVENT_PER_TURN_MIN)).sort((x, y) => per(slowest, y) - per(slowest, x));
  const head = ["", ...bands.flatMap((b) => [b.name, ""])];
  const sub = ["event", ...bands.flatMap(() => ["/turn", "µs/turn"])];
  const timed = (k: string): boolean => k.startsWith("softirq ") || k === "local timer";
  const rows = shown.map((k) => [k, ...bands.flatMap((b) => [f(per(b, k), 3), timed(k) ? f(b.events[k]?.usPerTurn ?? 0, 2) : ""])]);
  return grid([head, sub, ...rows]);
}

const THREADS_SHOWN = 15;

/** Every other thread on the CPU over the whole trace, the busiest first. */
export function threadsTable(threads: readonly ThreadRuns[]): string {
  const rows = threads
    .slice(0, THREADS_SHOWN)
    .map((t) => [t.comm, String(t.tid), t.of, String(t.runs), f(t.totalUs / 1000, 2), f(t.medianUs, 1), f(t.maxUs, 1)]);
  const more = threads.length > THREADS_SHOWN ? `\n   (${threads.length - THREADS_SHOWN} more threads)` : "";
  return grid([["thread", "tid", "of", "runs", "total ms", "median µs", "max µs"], ...rows]) + more;
}
