// The tournament's standings as a text table, JSON and CSV, and the SPRT's verdict in words. Pure:
// strings in, strings out.
import type { SprtSpec } from "./sprt.ts";
import { eloEstimate, type Penta } from "./sprt.ts";
import type { Standing, Table } from "./standings.ts";
import type { SprtState } from "./tournament.ts";

export interface Summary {
  readonly tournament: string;
  readonly kind: string;
  readonly planned: number;
  readonly played: number;
  readonly interrupted: boolean;
  /** It gave up: matches could not start (tournament.ts START_FAILURES_MAX). */
  readonly gaveUp: boolean;
  readonly table: Table;
  readonly sprt: { readonly spec: SprtSpec; readonly state: SprtState; readonly a: string; readonly b: string; readonly penta: Penta } | null;
}

const Z95 = 1.959964;

const fixed = (n: number | null, digits: number) => (n === null ? "-" : n.toFixed(digits));
const ms = (n: number | null) => (n === null ? "-" : n < 10 ? `${n.toFixed(2)} ms` : n < 1000 ? `${n.toFixed(1)} ms` : `${(n / 1000).toFixed(2)} s`);
const pct = (r: Standing) => (r.wins + r.draws + r.losses === 0 ? "-" : `${((100 * r.score) / (r.wins + r.draws + r.losses)).toFixed(1)}%`);

export function textTable(s: Summary): string {
  const head = ["#", "bot", "matches", "W", "D", "L", "no result", "score", "score %", "rating", "μ ± 95%", "timeouts", "crashes", "think mean", "think p99"];
  const rows = s.table.rows.map((r, i) => [
    String(i + 1),
    r.name,
    String(r.matches),
    String(r.wins),
    String(r.draws),
    String(r.losses),
    String(r.noResult),
    fixed(r.score, 1),
    pct(r),
    fixed(r.rating, 2),
    `${r.mu.toFixed(2)} ± ${(Z95 * r.sigma).toFixed(2)}`,
    String(r.timeouts),
    String(r.crashes),
    ms(r.thinkMeanMs),
    ms(r.thinkP99Ms),
  ]);
  const width = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 1 ? cell.padEnd(width[c]!) : cell.padStart(width[c]!))).join("  ");
  const status = s.interrupted ? "interrupted" : s.gaveUp ? "gave up" : s.sprt?.state.decided ? "stopped by the SPRT" : "finished";
  const out = [`${s.tournament}: ${s.kind}, ${s.table.bots.length} bots, ${s.played} of ${s.planned} matches played (${status})`, "", line(head), ...rows.map(line)];
  if (s.sprt) out.push("", ...sprtLines(s.sprt, s.played));
  out.push("", "rating = μ − 3σ (openskill, as GET /leaderboard); μ ± 95% = μ ± 1.96σ; think = as the broker measured it (state sent → reply read)");
  return out.join("\n");
}

/** The SPRT in plain words: what it tested, whether and when it stopped, which hypothesis it accepted. */
export function sprtLines(x: NonNullable<Summary["sprt"]>, played: number): string[] {
  const { spec, state, a, b, penta } = x;
  const what = `SPRT: is ${a} stronger than ${b}? H0: ${a} is ${fmtElo(spec.elo0)} Elo, H1: ${fmtElo(spec.elo1)} Elo (alpha ${spec.alpha}, beta ${spec.beta})`;
  const d = state.decided;
  const lines = [what];
  if (d) {
    const verdict = d.decision === "H1" ? `H1 accepted: ${a} is stronger than ${b} by about ${fmtElo(spec.elo1)} Elo or more` : `H0 accepted: ${a} is not stronger than ${b} by ${fmtElo(spec.elo1)} Elo (about ${fmtElo(spec.elo0)} or less)`;
    lines.push(`  stopped after ${d.pairs} pairs of matches (${state.decidedAfterMatches} matches ended): LLR ${d.llr.toFixed(3)} ${d.decision === "H1" ? "≥" : "≤"} ${(d.decision === "H1" ? d.upper : d.lower).toFixed(3)}`);
    lines.push(`  ${verdict}`);
    const after = played - (state.decidedAfterMatches ?? played);
    if (after > 0) lines.push(`  ${after === 1 ? "1 match still running then was" : `${after} matches still running then were`} finished: in the table, not in the test (with them: ${state.now.pairs} pairs, LLR ${state.now.llr.toFixed(3)})`);
  } else {
    lines.push(`  no decision: LLR ${state.now.llr.toFixed(3)} after ${state.now.pairs} pairs, between ${state.now.lower.toFixed(3)} and ${state.now.upper.toFixed(3)}`);
  }
  lines.push(`  pairs by ${a}'s points (0, ½, 1, 1½, 2): ${penta.join(", ")}`);
  const e = eloEstimate(penta);
  if (e) lines.push(`  Elo of ${a} over ${b}: ${fmtElo(e.elo)} (95%: ${fmtElo(e.lo)} to ${fmtElo(e.hi)})`);
  return lines;
}

function fmtElo(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? "+inf" : "-inf";
  return `${n >= 0 ? "+" : ""}${Math.round(n * 10) / 10}`;
}

export function jsonSummary(s: Summary): string {
  const { table } = s;
  return JSON.stringify(
    {
      tournament: s.tournament,
      schedule: s.kind,
      matchesPlanned: s.planned,
      matchesPlayed: s.played,
      interrupted: s.interrupted,
      gaveUp: s.gaveUp,
      standings: table.rows.map((r) => ({
        name: r.name,
        matches: r.matches,
        wins: r.wins,
        draws: r.draws,
        losses: r.losses,
        noResult: r.noResult,
        score: r.score,
        rating: r.rating,
        mu: r.mu,
        sigma: r.sigma,
        interval95: [r.mu - Z95 * r.sigma, r.mu + Z95 * r.sigma],
        timeouts: r.timeouts,
        crashes: r.crashes,
        thinkMoves: r.think.moves,
        thinkMeanMs: r.thinkMeanMs,
        thinkP99Ms: r.thinkP99Ms,
      })),
      headToHead: Object.fromEntries(table.bots.map((a, i) => [a, Object.fromEntries(table.bots.flatMap((b, j) => (i === j ? [] : [[b, table.h2h[i]![j]]])))])),
      sprt: s.sprt ? { ...s.sprt.spec, a: s.sprt.a, b: s.sprt.b, penta: s.sprt.penta, decided: s.sprt.state.decided, now: s.sprt.state.now, decidedAfterMatches: s.sprt.state.decidedAfterMatches } : null,
    },
    (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
    2,
  );
}

export function csvSummary(s: Summary): string {
  const head = ["rank", "bot", "matches", "wins", "draws", "losses", "no_result", "score", "rating", "mu", "sigma", "timeouts", "crashes", "think_moves", "think_mean_ms", "think_p99_ms"];
  const cell = (v: string | number | null) => (v === null ? "" : typeof v === "number" ? String(Math.round(v * 1e6) / 1e6) : /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const rows = s.table.rows.map((r, i) => [i + 1, r.name, r.matches, r.wins, r.draws, r.losses, r.noResult, r.score, r.rating, r.mu, r.sigma, r.timeouts, r.crashes, r.think.moves, r.thinkMeanMs, r.thinkP99Ms].map(cell).join(","));
  return [head.join(","), ...rows].join("\n") + "\n";
}
