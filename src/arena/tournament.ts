// A tournament: the schedule's matches not yet played, --parallel at a time, each kept in the store
// as it ends; an SPRT that decides stops new matches (those running finish and are reported, but
// its decision is the one taken when it decided). Interrupted (the signal): running matches are
// stopped and not kept, so --resume plays them again.
import { createHash } from "node:crypto";
import type { ArenaConfig } from "./config.ts";
import { runMatch, type BrokerAccess } from "./match.ts";
import type { ArenaMatch } from "./outcome.ts";
import type { PlannedMatch } from "./schedule.ts";
import { sprtStatus, type SprtStatus } from "./sprt.ts";
import { pentaOf } from "./standings.ts";
import type { ArenaStore } from "./store.ts";

export interface TournamentSetup {
  readonly config: ArenaConfig;
  readonly tournament: string;
  readonly planned: readonly PlannedMatch[];
  readonly store: ArenaStore;
  readonly broker: BrokerAccess;
  /** Matches of this tournament already played (--resume). */
  readonly played: readonly ArenaMatch[];
  readonly exitGraceMs: number;
  readonly onLine: (room: string, label: string, line: string) => void;
  /** After each match is kept: every match so far (in the order they ended) and the SPRT's state. */
  readonly onMatch: (m: ArenaMatch, all: readonly ArenaMatch[], sprt: SprtState | null) => void;
  readonly signal: AbortSignal;
}

export interface SprtState {
  /** Now, over every pair that has ended. */
  readonly now: SprtStatus;
  /** Taken when it decided (null until then): what the tournament reports. */
  readonly decided: SprtStatus | null;
  /** Matches that had ended when it decided. */
  readonly decidedAfterMatches: number | null;
}

export interface TournamentOutcome {
  readonly matches: readonly ArenaMatch[];
  readonly sprt: SprtState | null;
  readonly interrupted: boolean;
}

/** The tournament's name when none is given: a digest of what decides its schedule (not its length). */
export function tournamentId(c: ArenaConfig): string {
  if (c.name !== null) return c.name;
  const what = {
    game: [c.game.command, c.game.relay],
    seats: c.seats,
    bots: c.bots.map((b) => [b.name, b.command, b.relay]),
    kind: c.kind,
    gauntlet: c.gauntlet,
    seed: c.seed,
  };
  return `arena-${createHash("sha256").update(JSON.stringify(what)).digest("hex").slice(0, 10)}`;
}

/** Played matches that do not fit the schedule (it changed, or the journal was edited): every one named. */
export function mismatches(planned: readonly PlannedMatch[], played: readonly ArenaMatch[], names: readonly string[]): string[] {
  const problems: string[] = [];
  for (const m of played) {
    const p = planned[m.index];
    if (p === undefined) continue; // beyond this run's --matches: kept, not shown
    const want = p.lineup.map((b) => names[b]);
    if (want.join("\u0000") !== m.lineup.join("\u0000")) problems.push(`match ${m.index} was played by ${m.lineup.join(" vs ")}, the schedule says ${want.join(" vs ")}`);
  }
  return problems;
}

export async function runTournament(s: TournamentSetup): Promise<TournamentOutcome> {
  const { config } = s;
  const inPlan = (m: ArenaMatch) => m.index < s.planned.length;
  const all: ArenaMatch[] = s.played.filter(inPlan);
  const done = new Set(all.map((m) => m.index));
  const queue = s.planned.filter((p) => !done.has(p.index));
  let sprt: SprtState | null = null;
  const pairOf = (index: number) => s.planned[index]?.pair ?? null;
  const updateSprt = () => {
    if (!config.sprt) return;
    const [a, b] = config.bots;
    const now = sprtStatus(config.sprt, pentaOf(all, a!.name, b!.name, pairOf));
    const decided = sprt?.decided ?? (now.decision ? now : null);
    sprt = { now, decided, decidedAfterMatches: sprt?.decidedAfterMatches ?? (decided ? all.length : null) };
  };
  updateSprt();

  let next = 0;
  const worker = async (): Promise<void> => {
    while (!s.signal.aborted && !sprt?.decided && next < queue.length) {
      const planned = queue[next++]!;
      const m = await runMatch({
        tournament: s.tournament,
        planned,
        game: config.game,
        bots: config.bots,
        broker: s.broker,
        matchTimeoutMs: config.matchTimeoutMs,
        startTimeoutMs: config.startTimeoutMs,
        exitGraceMs: s.exitGraceMs,
        onLine: s.onLine,
        signal: s.signal,
      });
      if (m === null) return;
      await s.store.save(m);
      all.push(m);
      updateSprt();
      s.onMatch(m, all, sprt);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(config.parallel, queue.length)) }, worker));
  return { matches: all, sprt, interrupted: s.signal.aborted };
}
