// Where the arena keeps what it played, so an interrupted tournament resumes (--resume): the
// ArenaStore interface, and the journal, a JSON Lines file with one line per match it finished
// (a match cut short by Ctrl-C is not written: it is played again). Only this file touches it.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { ArenaMatch } from "./outcome.ts";

export interface ArenaStore {
  /** Where it keeps matches, for messages. */
  readonly label: string;
  /** The matches of `tournament` already played, one per schedule index (the last written wins). */
  played(tournament: string): Promise<{ matches: ArenaMatch[]; damaged: number }>;
  /** Keeps a finished match; returns once it is written. */
  save(match: ArenaMatch): Promise<void>;
}

const VERSION = 1;

export class JournalStore implements ArenaStore {
  constructor(private readonly path: string) {}

  get label(): string {
    return this.path;
  }

  async played(tournament: string): Promise<{ matches: ArenaMatch[]; damaged: number }> {
    if (!existsSync(this.path)) return { matches: [], damaged: 0 };
    const byIndex = new Map<number, ArenaMatch>();
    let damaged = 0;
    for (const line of readFileSync(this.path, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      let m: (ArenaMatch & { v?: number }) | null = null;
      try {
        m = JSON.parse(line) as ArenaMatch & { v?: number };
      } catch {
        // A line cut short (the arena killed while writing it): that match is played again.
        damaged++;
        continue;
      }
      if (m?.v !== VERSION || typeof m.index !== "number" || !Array.isArray(m.lineup)) {
        damaged++;
        continue;
      }
      if (m.tournament === tournament) byIndex.set(m.index, m);
    }
    return { matches: [...byIndex.values()].sort((a, b) => a.index - b.index), damaged };
  }

  async save(match: ArenaMatch): Promise<void> {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      // One write per line, opened in append mode: lines of matches that end together never mix.
      appendFileSync(this.path, JSON.stringify({ v: VERSION, ...match }) + "\n");
    } catch (e) {
      throw new Error(`cannot write the journal ${this.path}: ${(e as Error).message}`);
    }
  }
}
