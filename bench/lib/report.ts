// The results table (ratios to direct TCP) and the issue-7 target checks, as text.
// Pure formatting: rows in, lines out.
export interface Row {
  system: string;
  sizeBytes: number;
  bots: number;
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
}

export interface Idle {
  system: string;
  idleRssMb: number;
  rss1000IdleConnsMb: number | null;
}

const sizeLabel = (n: number): string => (n >= 1024 ? `${n / 1024} KiB` : `${n} B`);
export const caseLabel = (r: { sizeBytes: number; bots: number }): string => `${sizeLabel(r.sizeBytes)} × ${r.bots} bots`;

function baseline(rows: readonly Row[], r: Row): Row | undefined {
  return rows.find((d) => d.system === "direct" && d.sizeBytes === r.sizeBytes && d.bots === r.bots);
}

const fix = (n: number, digits: number): string => n.toFixed(digits);
const ratio = (a: number, b: number | undefined): string => (b ? `${fix(a / b, 2)}×` : "–");

export function table(rows: readonly Row[]): string {
  const head = ["case", "system", "p50 µs", "p99 µs", "turns/s", "p50/direct", "p99/direct", "tput/direct", "broker CPU ms", "CPU µs/turn", "peak RSS MB", "others CPU %"];
  const body = rows.map((r) => {
    const d = baseline(rows, r);
    return [
      caseLabel(r),
      r.system,
      fix(r.p50Us, 1),
      fix(r.p99Us, 1),
      fix(r.turnsPerS, 0),
      ratio(r.p50Us, d?.p50Us),
      ratio(r.p99Us, d?.p99Us),
      ratio(r.turnsPerS, d?.turnsPerS),
      r.brokerCpuMs === null ? "–" : fix(r.brokerCpuMs, 0),
      r.brokerCpuMs === null ? "–" : fix((r.brokerCpuMs * 1000) / r.turns, 1),
      r.brokerPeakRssMb === null ? "–" : fix(r.brokerPeakRssMb, 1),
      fix(Math.max(0, r.otherCpuMs) / (10 * (r.turns / r.turnsPerS)), 0),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [fmt(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(fmt)].join("\n");
}

export function idleTable(idle: readonly Idle[]): string {
  return idle
    .map((i) => `${i.system.padEnd(9)} idle RSS ${fix(i.idleRssMb, 1)} MB` + (i.rss1000IdleConnsMb === null ? "" : `; with 1,000 idle connections ${fix(i.rss1000IdleConnsMb, 1)} MB`))
    .join("\n");
}

export interface Check {
  target: string;
  case: string;
  ok: boolean;
  detail: string;
}

/** Issue 7's targets for our broker. */
export function checks(rows: readonly Row[], idle: readonly Idle[]): Check[] {
  const out: Check[] = [];
  for (const r of rows.filter((x) => x.system === "ours")) {
    const d = baseline(rows, r);
    const o = rows.find((x) => x.system === "original" && x.sizeBytes === r.sizeBytes && x.bots === r.bots);
    const c = caseLabel(r);
    if (d) {
      out.push({ target: "p50 ≤ 2.0× direct", case: c, ok: r.p50Us <= 2 * d.p50Us, detail: ratio(r.p50Us, d.p50Us) });
      out.push({ target: "p99 ≤ 3× direct", case: c, ok: r.p99Us <= 3 * d.p99Us, detail: ratio(r.p99Us, d.p99Us) });
    }
    if (o) {
      const ok = r.p50Us < o.p50Us && r.p99Us < o.p99Us && r.turnsPerS > o.turnsPerS;
      const detail = `p50 ${fix(r.p50Us, 1)} vs ${fix(o.p50Us, 1)} µs, p99 ${fix(r.p99Us, 1)} vs ${fix(o.p99Us, 1)} µs, ${fix(r.turnsPerS, 0)} vs ${fix(o.turnsPerS, 0)} turns/s`;
      out.push({ target: "faster than the original", case: c, ok, detail });
    }
    if (r.sizeBytes === 64) {
      out.push({ target: "≥ 50,000 turns/s (64 B)", case: c, ok: r.turnsPerS >= 50_000, detail: `${fix(r.turnsPerS, 0)} turns/s` });
    }
  }
  const mine = idle.find((i) => i.system === "ours");
  if (mine) out.push({ target: "idle RSS ≤ 50 MB", case: "idle", ok: mine.idleRssMb <= 50, detail: `${fix(mine.idleRssMb, 1)} MB` });
  return out;
}

export function checksText(list: readonly Check[]): string {
  return list.map((c) => `${c.ok ? "MET " : "MISS"}  ${c.target.padEnd(26)} ${c.case.padEnd(18)} ${c.detail}`).join("\n");
}
