// The concurrency axis's summary: medians over rounds with their spread, the side-by-side table
// and the issue-12 target checks. Pure formatting: runs in, rows and lines out.
import type { ConcRun, ConcSystem } from "./concurrency.ts";
import { spread, type Check, type Spread } from "./report.ts";

export type { Spread };

export interface ConcRow {
  system: ConcSystem;
  matches: number;
  connections: number;
  rounds: number;
  turnsPerS: Spread;
  p50Us: Spread;
  p99Us: Spread;
  serverCpuUsPerTurn: Spread;
  serverCpuPct: Spread;
  peersCpuPct: Spread;
  serverRssMb: Spread;
  serverPeakRssMb: Spread;
  otherCpuPct: Spread;
  /** Over every round: the fewest and most timed turns of any one match. */
  matchTurnsMin: number;
  matchTurnsMax: number;
}

/** One row per system and concurrency, in the order they first appear in `runs`. */
export function summarize(runs: readonly ConcRun[]): ConcRow[] {
  const keys: string[] = [];
  const groups = new Map<string, ConcRun[]>();
  for (const r of runs) {
    const key = `${r.matches}/${r.system}`;
    if (!groups.has(key)) {
      groups.set(key, []);
      keys.push(key);
    }
    groups.get(key)!.push(r);
  }
  return keys.map((key) => {
    const g = groups.get(key)!;
    const first = g[0]!;
    const of = (f: (r: ConcRun) => number): Spread => spread(g.map(f));
    return {
      system: first.system,
      matches: first.matches,
      connections: first.connections,
      rounds: g.length,
      turnsPerS: of((r) => r.turnsPerS),
      p50Us: of((r) => r.p50Us),
      p99Us: of((r) => r.p99Us),
      serverCpuUsPerTurn: of((r) => r.serverCpuUsPerTurn),
      serverCpuPct: of((r) => r.serverCpuPct),
      peersCpuPct: of((r) => r.peersCpuPct),
      serverRssMb: of((r) => r.serverRssMb),
      serverPeakRssMb: of((r) => r.serverPeakRssMb),
      otherCpuPct: of((r) => r.otherCpuPct),
      matchTurnsMin: Math.min(...g.map((r) => r.matchTurnsMin)),
      matchTurnsMax: Math.max(...g.map((r) => r.matchTurnsMax)),
    };
  });
}

const fmt = (n: number, digits: number): string => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** "median (min–max)", or the median alone for one round. */
const show = (s: Spread, digits: number): string => (s.min === s.max ? fmt(s.median, digits) : `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`);

export function concTable(rows: readonly ConcRow[]): string {
  const head = ["matches", "conns", "system", "turns/s", "p50 µs", "p99 µs", "server CPU µs/turn", "server CPU %", "peers CPU %", "server RSS MB", "server peak MB", "others CPU %", "turns/match"];
  const body = rows.map((r) => [
    fmt(r.matches, 0),
    fmt(r.connections, 0),
    r.system,
    show(r.turnsPerS, 0),
    show(r.p50Us, 0),
    show(r.p99Us, 0),
    show(r.serverCpuUsPerTurn, 1),
    show(r.serverCpuPct, 0),
    show(r.peersCpuPct, 0),
    show(r.serverRssMb, 1),
    show(r.serverPeakRssMb, 1),
    show(r.otherCpuPct, 0),
    `${r.matchTurnsMin}–${r.matchTurnsMax}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** Issue 12's targets: aggregate turns/s at or above NATS at 100 and 1,000 matches; RSS ≤ 150 MB at 1,000. */
export function concChecks(rows: readonly ConcRow[]): Check[] {
  const out: Check[] = [];
  for (const r of rows.filter((x) => x.system === "ours")) {
    const c = `${fmt(r.matches, 0)} matches`;
    const nats = rows.find((x) => x.system === "nats" && x.matches === r.matches);
    if (nats && r.matches >= 100) {
      const ok = r.turnsPerS.median >= nats.turnsPerS.median;
      out.push({ target: "turns/s ≥ NATS", case: c, ok, detail: `${fmt(r.turnsPerS.median, 0)} vs ${fmt(nats.turnsPerS.median, 0)} (${fmt(r.turnsPerS.median / nats.turnsPerS.median, 2)}×)` });
    }
    if (r.matches >= 1000) {
      // Every round must stay under it: the highest peak counts.
      out.push({ target: "RSS ≤ 150 MB", case: c, ok: r.serverPeakRssMb.max <= 150, detail: `peak ${fmt(r.serverPeakRssMb.max, 1)} MB (VmHWM, highest of ${r.rounds})` });
    }
  }
  return out;
}
