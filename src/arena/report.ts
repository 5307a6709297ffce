// `--report FILE.html`: one self-contained page to share (no scripts, no external files):
// standings, each bot's rating over the tournament (inline SVG), the head-to-head matrix, the
// SPRT's verdict, and every match with how it ended and where its log and replay are. Pure.
import type { ArenaMatch } from "./outcome.ts";
import { describe } from "./progress.ts";
import { sprtLines, textTable, type Summary } from "./output.ts";
import type { Table } from "./standings.ts";

export interface ReportSources {
  readonly journal: string;
  readonly logs: string | null;
  /** A replay file's address as seen from the page (relative when it can be). */
  readonly replayHref?: (path: string) => string;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

export function htmlReport(s: Summary, matches: readonly ArenaMatch[], sources: ReportSources): string {
  const standingsText = textTable(s).split("\n").slice(2).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(s.tournament)}: arena report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}pre{background:#f7f7f7;padding:.75em;overflow:auto}
.win{background:#e3f4e3}.loss{background:#f8e1e1}.draw{background:#f6f3dc}small{color:#666}
</style></head><body>
<h1>${esc(s.tournament)}</h1>
<p>${esc(s.kind)} of ${s.table.bots.length} bots: ${s.played} of ${s.planned} matches played${s.interrupted ? " (interrupted)" : s.gaveUp ? " (gave up: matches could not start)" : ""}. Journal: <code>${esc(sources.journal)}</code>${sources.logs ? `; each match's output in <code>${esc(sources.logs)}/ROOM.log</code>` : ""}.</p>
<h2>Standings</h2>
${standingsTable(s.table)}
<details><summary>as text</summary><pre>${esc(standingsText)}</pre></details>
${s.sprt ? `<h2>SPRT</h2><pre>${esc(sprtLines(s.sprt, s.played).join("\n"))}</pre>` : ""}
<h2>Ratings over the tournament</h2>
<p><small>openskill μ of each bot after each match with a result, in schedule order; the band is μ ± 1.96σ.</small></p>
${ratingChart(s.table)}
<h2>Head to head</h2>
<p><small>Row's score against the column (1 a win, ½ a draw) over their matches with a result.</small></p>
${headToHead(s.table)}
<h2>Matches</h2>
<p><small>Every match of the tournament in the records, by schedule index; a replay shows the match message by message (<code>bitbroker replay FILE</code>), or plays it back to a live game or bot (<code>--serve-game</code>, <code>--serve-bot N</code>).</small></p>
${matchTable(matches, sources.replayHref ?? ((p) => p))}
</body></html>
`;
}

function standingsTable(t: Table): string {
  const head = ["#", "bot", "matches", "W", "D", "L", "no result", "score", "rating", "μ ± 95%", "timeouts", "crashes", "think mean (ms)", "think p99 (ms)"];
  const rows = t.rows.map((r, i) => {
    const color = COLORS[t.bots.indexOf(r.name) % COLORS.length];
    const cells = [
      String(i + 1),
      `<span style="color:${color}">■</span> ${esc(r.name)}`,
      String(r.matches),
      String(r.wins),
      String(r.draws),
      String(r.losses),
      String(r.noResult),
      r.score.toFixed(1),
      r.rating.toFixed(2),
      `${r.mu.toFixed(2)} ± ${(1.959964 * r.sigma).toFixed(2)}`,
      String(r.timeouts),
      String(r.crashes),
      r.thinkMeanMs === null ? "-" : r.thinkMeanMs.toFixed(3),
      r.thinkP99Ms === null ? "-" : r.thinkP99Ms.toFixed(3),
    ];
    return `<tr>${cells.map((c, j) => `<td${j === 1 ? ' class="l"' : ""}>${c}</td>`).join("")}</tr>`;
  });
  return `<table><tr>${head.map((h, j) => `<th${j === 1 ? ' class="l"' : ""}>${h}</th>`).join("")}</tr>${rows.join("")}</table>`;
}

function ratingChart(t: Table): string {
  const h = t.history;
  if (h.length === 0) return "<p>No match with a result yet.</p>";
  const W = 900;
  const H = 320;
  const m = { l: 50, r: 150, t: 10, b: 30 };
  const lo = Math.min(...h.flatMap((p) => p.mu.map((mu, i) => mu - 1.959964 * p.sigma[i]!)));
  const hi = Math.max(...h.flatMap((p) => p.mu.map((mu, i) => mu + 1.959964 * p.sigma[i]!)));
  const n = h.length;
  const x = (k: number) => m.l + (n === 1 ? 0 : (k / (n - 1)) * (W - m.l - m.r));
  const y = (v: number) => m.t + (1 - (v - lo) / (hi - lo || 1)) * (H - m.t - m.b);
  const parts: string[] = [];
  for (let tick = 0; tick <= 4; tick++) {
    const v = lo + ((hi - lo) * tick) / 4;
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/><text x="${m.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${v.toFixed(1)}</text>`);
  }
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle" font-size="11">matches with a result (1 … ${n}; the last is match #${h[n - 1]!.index})</text>`);
  t.bots.forEach((name, b) => {
    const color = COLORS[b % COLORS.length];
    const upper = h.map((p, k) => `${x(k).toFixed(1)},${y(p.mu[b]! + 1.959964 * p.sigma[b]!).toFixed(1)}`);
    const lower = h.map((p, k) => `${x(k).toFixed(1)},${y(p.mu[b]! - 1.959964 * p.sigma[b]!).toFixed(1)}`).reverse();
    parts.push(`<polygon points="${[...upper, ...lower].join(" ")}" fill="${color}" opacity="0.08"/>`);
    parts.push(`<polyline points="${h.map((p, k) => `${x(k).toFixed(1)},${y(p.mu[b]!).toFixed(1)}`).join(" ")}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const last = h[n - 1]!.mu[b]!;
    parts.push(`<text x="${W - m.r + 8}" y="${(y(last) + 4).toFixed(1)}" font-size="12" fill="${color}">${esc(name)} ${last.toFixed(1)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="ratings over the tournament">${parts.join("")}</svg>`;
}

function headToHead(t: Table): string {
  const head = `<tr><th></th>${t.bots.map((b) => `<th>${esc(b)}</th>`).join("")}</tr>`;
  const rows = t.bots.map((a, i) => {
    const cells = t.bots.map((_, j) => {
      if (i === j) return "<td>—</td>";
      const c = t.h2h[i]![j]!;
      if (c.games === 0) return "<td></td>";
      const r = c.score / c.games;
      return `<td class="${r > 0.5 ? "win" : r < 0.5 ? "loss" : "draw"}">${c.score} / ${c.games}</td>`;
    });
    return `<tr><th class="l">${esc(a)}</th>${cells.join("")}</tr>`;
  });
  return `<table>${head}${rows.join("")}</table>`;
}

function matchTable(matches: readonly ArenaMatch[], href: (path: string) => string): string {
  const head = ["#", "seats (0, 1, …)", "outcome", "end", "turns", "started", "match id / room", "replay"];
  const rows = [...matches]
    .sort((a, b) => a.index - b.index)
    .map((m) => {
      const crashed = m.exits.filter((x) => x.tail && x.tail.length > 0);
      const why = m.reason || crashed.length > 0 ? `<details><summary>${esc(m.end)}</summary>${esc(m.reason)}${crashed.map((x) => `<pre>${esc(`${x.who === "game" ? "game" : m.lineup[x.who]} (pid ${x.pid}, ${x.signal ?? `status ${x.code}`}):\n${x.tail!.join("\n")}`)}</pre>`).join("")}</details>` : esc(m.end);
      const replay = m.replay ? `<a href="${esc(encodeURI(href(m.replay)))}">file</a>: <code>bitbroker replay ${esc(m.replay)}</code>` : "<small>not recorded</small>";
      const cells = [String(m.index), esc(m.lineup.join(", ")), esc(describe(m)), why, String(m.turns), esc(m.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z")), `<small>${esc(m.matchId ?? "-")}<br>${esc(m.room)}</small>`, replay];
      return `<tr>${cells.map((c, j) => `<td${j > 0 ? ' class="l"' : ""}>${c}</td>`).join("")}</tr>`;
    });
  return `<table><tr>${head.map((h, j) => `<th${j > 0 ? ' class="l"' : ""}>${h}</th>`).join("")}</tr>${rows.join("")}</table>`;
}
