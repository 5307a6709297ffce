// The latency axis's summary: every run in, one row per case and system out (medians over the
// rounds with their spread, ratios to direct TCP and to the pipe taken round by round), the table,
// the target checks (issues 7 and 20) and our broker against the pipe, as text. Pure formatting.
import type { Alloc } from "./alloc.ts";

/** What the bots answer: the fixed 8-byte reply, or the state they were sent. */
export type Reply = "fixed" | "echo";
export const REPLIES: readonly Reply[] = ["fixed", "echo"];

/** One run of one system on one case. */
export interface Row {
  system: string;
  sizeBytes: number;
  bots: number;
  reply: Reply;
  /** Which round of the interleaved rounds (1-based). */
  round: number;
  turns: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  meanUs: number;
  turnsPerS: number;
  brokerCpuMs: number | null; // CPU time (user+system) of the broker over the timed turns
  brokerPeakRssMb: number | null; // VmHWM of the broker at the end of the timed turns
  otherCpuMs: number; // busy CPU (of the pinned CPUs) minus broker, game and bots over the timed turns
  /** Our broker's collections and allocation over the timed turns (lib/alloc.ts), or null. */
  alloc: Alloc | null;
}

export interface Idle {
  system: string;
  idleRssMb: number;
  /** Of idleRssMb: the process's own pages, and its executable's (shared, clean: the OS can drop them). */
  idleAnonMb: number;
  idleFileMb: number;
  rss1000IdleConnsMb: number | null;
}

/** A median over the rounds, with the lowest and highest value. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) throw new Error("no runs");
  // The median of an even count is the mean of the two middle values.
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { median, min: sorted[0]!, max: sorted[n - 1]! };
}

/** One case and system over its rounds. */
export interface Summary {
  system: string;
  sizeBytes: number;
  bots: number;
  reply: Reply;
  rounds: number;
  p50Us: Spread;
  p99Us: Spread;
  turnsPerS: Spread;
  /** Each round's figure over direct TCP's in the same round; null for direct or without it. */
  p50VsDirect: Spread | null;
  p99VsDirect: Spread | null;
  /** The same against the pipe (bench/pipe/pipe.ts, the thinnest Bun relay); null for it or without it. */
  p50VsPipe: Spread | null;
  p99VsPipe: Spread | null;
  brokerCpuUsPerTurn: Spread | null;
  brokerPeakRssMb: Spread | null;
  othersCpuPct: Spread;
  /** lib/alloc.ts: bytes the collector counted per timed turn, collections per 10,000 turns, the longest pause. */
  bytesPerTurn: Spread | null;
  /** How to read bytesPerTurn: "≈" (every collection counted its bytes), "≥" (timers ran some), "<" (no collection: below one cycle). */
  bytesBound: "≈" | "≥" | "<" | null;
  collectionsPer10k: Spread | null;
  gcPauseMsMax: Spread | null;
  /** Objects per turn by type, from the first round whose window saw no collection; null if none. */
  objectsPerTurn: Record<string, number> | null;
}

const sizeLabel = (n: number): string => (n >= 1024 ? `${n / 1024} KiB` : `${n} B`);
export const caseLabel = (r: { sizeBytes: number; bots: number; reply: Reply }): string =>
  `${sizeLabel(r.sizeBytes)} × ${r.bots} bots, ${r.reply === "echo" ? "echo" : "8 B"} replies`;
const sameCase = (a: Row | Summary, b: Row | Summary): boolean => a.sizeBytes === b.sizeBytes && a.bots === b.bots && a.reply === b.reply;
const othersPct = (r: Row): number => Math.max(0, r.otherCpuMs) / (10 * (r.turns / r.turnsPerS));

/** One summary per case and system, in the order they first appear in `runs`. */
export function summarize(runs: readonly Row[]): Summary[] {
  const keys: string[] = [];
  const groups = new Map<string, Row[]>();
  for (const r of runs) {
    const key = `${r.sizeBytes}/${r.bots}/${r.reply}/${r.system}`;
    if (!groups.has(key)) keys.push(key);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return keys.map((key) => {
    const g = groups.get(key)!;
    const first = g[0]!;
    // Each round's figure over the base system's in the same round and case.
    const ratios = (base: string, f: (r: Row) => number): Spread | null => {
      if (first.system === base) return null;
      const values = g.flatMap((r) => {
        const b = runs.find((d) => d.system === base && d.round === r.round && sameCase(d, r));
        return b ? [f(r) / f(b)] : [];
      });
      return values.length > 0 ? spread(values) : null;
    };
    const some = (f: (r: Row) => number | null): Spread | null => {
      const values = g.map(f).filter((v): v is number => v !== null);
      return values.length > 0 ? spread(values) : null;
    };
    const clean = g.find((r) => r.alloc?.objects);
    return {
      system: first.system,
      sizeBytes: first.sizeBytes,
      bots: first.bots,
      reply: first.reply,
      rounds: g.length,
      p50Us: spread(g.map((r) => r.p50Us)),
      p99Us: spread(g.map((r) => r.p99Us)),
      turnsPerS: spread(g.map((r) => r.turnsPerS)),
      p50VsDirect: ratios("direct", (r) => r.p50Us),
      p99VsDirect: ratios("direct", (r) => r.p99Us),
      p50VsPipe: ratios("pipe", (r) => r.p50Us),
      p99VsPipe: ratios("pipe", (r) => r.p99Us),
      brokerCpuUsPerTurn: some((r) => (r.brokerCpuMs === null ? null : (r.brokerCpuMs * 1000) / r.turns)),
      brokerPeakRssMb: some((r) => r.brokerPeakRssMb),
      othersCpuPct: spread(g.map(othersPct)),
      bytesPerTurn: some((r) => (r.alloc ? (collected(r.alloc) === 0 ? r.alloc.cycleBytes : r.alloc.bytesCounted) / r.turns : null)),
      bytesBound: bound(g),
      collectionsPer10k: some((r) => (r.alloc ? ((r.alloc.edenCollections + r.alloc.fullCollections) * 10_000) / r.turns : null)),
      gcPauseMsMax: some((r) => (r.alloc ? r.alloc.pauseMsMax : null)),
      objectsPerTurn: clean ? perTurn(clean.alloc!.objects!, clean.turns) : null,
    };
  });
}

const collected = (a: Alloc): number => a.edenCollections + a.fullCollections;

/** "<" if no round saw a collection, "≥" if some collection in some round ran on a timer, else "≈". */
function bound(g: readonly Row[]): Summary["bytesBound"] {
  const allocs = g.flatMap((r) => (r.alloc ? [r.alloc] : []));
  if (allocs.length === 0) return null;
  if (allocs.every((a) => collected(a) === 0)) return "<";
  return allocs.some((a) => a.requestedCollections < collected(a)) ? "≥" : "≈";
}

function perTurn(objects: Record<string, number>, turns: number): Record<string, number> {
  return Object.fromEntries(Object.entries(objects).map(([type, n]) => [type, Math.round((n / turns) * 100) / 100]));
}

const fmt = (n: number, digits: number): string => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** "median (min–max)", or the median alone for one round. */
export const show = (s: Spread | null, digits: number, unit = ""): string =>
  s === null ? "–" : s.min === s.max ? `${fmt(s.median, digits)}${unit}` : `${fmt(s.median, digits)}${unit} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

export function table(rows: readonly Summary[]): string {
  const head = ["case", "system", "p50 µs", "p99 µs", "turns/s", "p50/direct", "p99/direct", "CPU µs/turn", "B/turn", "GCs/10k turns", "GC max ms", "others CPU %"];
  const body = rows.map((r) => [
    caseLabel(r),
    r.system,
    show(r.p50Us, 1),
    show(r.p99Us, 1),
    show(r.turnsPerS, 0),
    show(r.p50VsDirect, 2, "×"),
    show(r.p99VsDirect, 2, "×"),
    show(r.brokerCpuUsPerTurn, 1),
    r.bytesBound === null ? "–" : `${r.bytesBound} ${show(r.bytesPerTurn, 0)}`,
    show(r.collectionsPer10k, 1),
    show(r.gcPauseMsMax, 2),
    show(r.othersCpuPct, 0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** Objects our broker (ours, tuned, before) allocated per turn, by type, where a window saw no collection. */
export function objectsText(rows: readonly Summary[]): string {
  return rows
    .filter((r) => r.objectsPerTurn !== null)
    .map((r) => {
      const parts = Object.entries(r.objectsPerTurn!)
        .filter(([, n]) => n >= 0.01)
        .sort((a, b) => b[1] - a[1])
        .map(([type, n]) => `${type} ${n}`);
      return `${caseLabel(r).padEnd(34)} ${r.system.padEnd(6)} ${parts.length > 0 ? parts.join(", ") : "none"}`;
    })
    .join("\n");
}

export function idleTable(idle: readonly Idle[]): string {
  return idle
    .map((i) => `${i.system.padEnd(9)} idle RSS ${fmt(i.idleRssMb, 1)} MB (own ${fmt(i.idleAnonMb, 1)}, the executable's ${fmt(i.idleFileMb, 1)})` + (i.rss1000IdleConnsMb === null ? "" : `; with 1,000 idle connections ${fmt(i.rss1000IdleConnsMb, 1)} MB`))
    .join("\n");
}

export interface Check {
  target: string;
  case: string;
  ok: boolean;
  detail: string;
}

/** Issue 20's targets for our broker, on the medians (ratios: round by round against direct). */
export function checks(rows: readonly Summary[], idle: readonly Idle[]): Check[] {
  const out: Check[] = [];
  for (const r of rows.filter((x) => x.system === "ours")) {
    const c = caseLabel(r);
    if (r.sizeBytes <= 64 && r.p50VsDirect && r.p99VsDirect) {
      out.push({ target: "p50 ≤ 2.2× direct", case: c, ok: r.p50VsDirect.median <= 2.2, detail: show(r.p50VsDirect, 2, "×") });
      out.push({ target: "p99 ≤ 3× direct", case: c, ok: r.p99VsDirect.median <= 3, detail: show(r.p99VsDirect, 2, "×") });
    }
    const o = rows.find((x) => x.system === "original" && sameCase(x, r));
    if (o) {
      const ok = r.p50Us.median < o.p50Us.median && r.p99Us.median < o.p99Us.median;
      out.push({ target: "faster than the original", case: c, ok, detail: `p50 ${fmt(r.p50Us.median, 1)} vs ${fmt(o.p50Us.median, 1)} µs, p99 ${fmt(r.p99Us.median, 1)} vs ${fmt(o.p99Us.median, 1)} µs` });
    }
  }
  const mine = idle.find((i) => i.system === "ours");
  if (mine) out.push({ target: "idle RSS ≤ 50 MB", case: "idle", ok: mine.idleRssMb <= 50, detail: `${fmt(mine.idleRssMb, 1)} MB` });
  return out;
}

export function checksText(list: readonly Check[]): string {
  return list.map((c) => `${c.ok ? "MET " : "MISS"}  ${c.target.padEnd(26)} ${c.case.padEnd(34)} ${c.detail}`).join("\n");
}

/** Our broker (and `tuned`, `before` when they ran) against the pipe, the floor of any Bun relay:
 * medians of the round-by-round ratios, one line per case; "" when the pipe did not run. */
export function floorText(rows: readonly Summary[]): string {
  return rows
    .filter((r) => (r.system === "ours" || r.system === "tuned" || r.system === "before") && r.p50VsPipe && r.p99VsPipe)
    .map((r) => `${`${r.system} / pipe (the thinnest Bun relay)`.padEnd(38)} ${caseLabel(r).padEnd(34)} p50 ${show(r.p50VsPipe, 2, "×")}, p99 ${show(r.p99VsPipe, 2, "×")}`)
    .join("\n");
}
