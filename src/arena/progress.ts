// What the arena says while it plays: in a terminal, one live line (matches done, per-bot score,
// ETA) redrawn in place, with notes printed above it; elsewhere, one plain line per match. Writes
// to the stream it is given (stderr), so stdout keeps only the final output.
import { scoreOf, verdictOf, type ArenaMatch } from "./outcome.ts";

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export class Progress {
  private line = "";
  private readonly startedMs = performance.now();
  private finishedHere = 0;
  private readonly scores: Map<string, number>;

  /** `before`: the matches played by an earlier run (--resume). */
  constructor(
    private readonly out: ProgressStream,
    private readonly planned: number,
    bots: readonly string[],
    before: readonly ArenaMatch[],
  ) {
    this.scores = new Map(bots.map((b) => [b, 0]));
    for (const m of before) this.count(m);
  }

  private count(m: ArenaMatch): void {
    const places = verdictOf(m).places;
    if (!places) return;
    m.lineup.forEach((name, seat) => this.scores.set(name, (this.scores.get(name) ?? 0) + (scoreOf(places, seat) ?? 0)));
  }

  private get live(): boolean {
    return this.out.isTTY === true;
  }

  /** A line of its own (a warning, a crash): above the live line in a terminal. */
  note(text: string): void {
    if (this.live) this.out.write(`\r\x1b[2K${text}\n${this.line}`);
    else this.out.write(`${text}\n`);
  }

  /** `done`: matches of the tournament ended so far, this one included. */
  matchEnded(m: ArenaMatch, done: number): void {
    this.finishedHere++;
    this.count(m);
    const elapsedMs = performance.now() - this.startedMs;
    const left = this.planned - done;
    const eta = this.finishedHere > 0 && left > 0 ? ` ETA ${duration((elapsedMs / this.finishedHere) * left)}` : "";
    const standing = [...this.scores].sort((a, b) => b[1] - a[1]).map(([n, s]) => `${n} ${s}`).join("  ");
    if (this.live) {
      const text = `[${done}/${this.planned}] ${Math.floor((100 * done) / this.planned)}%${eta} | ${standing}`;
      const width = Math.max(20, (this.out.columns ?? 100) - 1);
      this.line = text.length > width ? text.slice(0, width - 1) + "…" : text;
      this.out.write(`\r\x1b[2K${this.line}`);
    } else {
      this.out.write(`match ${done}/${this.planned} (#${m.index}, ${m.lineup.join(" vs ")}): ${describe(m)}${eta} | ${standing}\n`);
    }
  }

  /** Clears the live line before the final output. */
  finish(): void {
    if (this.live && this.line !== "") this.out.write("\r\x1b[2K");
    this.line = "";
  }
}

/** A match's end in a few words: who won, or why there is no result. */
export function describe(m: ArenaMatch): string {
  const v = verdictOf(m);
  const culprit = m.culprit === -1 ? "the game" : m.culprit !== null ? (m.lineup[m.culprit] ?? `seat ${m.culprit}`) : null;
  const cause = m.end === "normal" ? "" : ` (${m.end}${culprit ? `: ${culprit}` : ""})`;
  if (!v.places) return `no result${cause}`;
  const best = Math.min(...v.places.filter((p): p is number => p !== null));
  const winners = m.lineup.filter((_, s) => v.places![s] === best);
  return `${winners.length === 1 ? `${winners[0]} wins` : `${winners.join(" and ")} draw`}${cause}`;
}

function duration(msLeft: number): string {
  const s = Math.round(msLeft / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
