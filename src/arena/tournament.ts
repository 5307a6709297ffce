// A tournament: the schedule's matches not yet played, --parallel at a time, each kept in the store
// as it ends; an SPRT that decides stops new matches (those running finish and are reported, but
// its decision is the one taken when it decided). Interrupted (the signal): running matches are
// stopped and not kept, so --resume plays them again.
import { createHash } from "node:crypto";
import type { ArenaConfig } from "./config.ts";
import { runMatch, type BrokerAccess } from "./match.ts";
import { ARENA_ENDS, type ArenaMatch } from "./outcome.ts";
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
  /** A match that could not start, held back until one starts (see START_FAILURES_MAX). */
  readonly onFailedStart: (m: ArenaMatch) => void;
  readonly signal: AbortSignal;
  /** Called before running matches are stopped by a failure of the arena (so the broker ends them first). */
  readonly beforeHalt?: () => void;
  readonly replayOf?: (matchId: string) => string;
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
  /** Why it gave up (matches that cannot start), or null. */
  readonly gaveUp: string | null;
}

/** Matches in a row that could not start, after which the tournament gives up (they are not kept). */
export const START_FAILURES_MAX = 3;

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

  // Matches that could not start are kept only once a later one starts: when START_FAILURES_MAX
  // fail in a row, the command lines are wrong, not the bots, and --resume should play them again.
  let failing: ArenaMatch[] = [];
  let gaveUp: string | null = null;
  const keep = async (m: ArenaMatch): Promise<void> => {
    await s.store.save(m);
    all.push(m);
    updateSprt();
    s.onMatch(m, all, sprt);
  };
  // A failure of the arena itself (the journal cannot be written) stops every match, then is thrown.
  const halt = new AbortController();
  const onAbort = () => halt.abort();
  s.signal.addEventListener("abort", onAbort);
  let failure: unknown = null;
  let next = 0;
  const worker = async (): Promise<void> => {
    try {
      await work();
    } catch (e) {
      failure ??= e;
      s.beforeHalt?.();
      halt.abort();
    }
  };
  const work = async (): Promise<void> => {
    while (!halt.signal.aborted && gaveUp === null && !sprt?.decided && next < queue.length) {
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
        signal: halt.signal,
        replayOf: s.replayOf,
      });
      if (m === null) {
        // Not interrupted by us: the broker went away (an external one shut down).
        if (!halt.signal.aborted && gaveUp === null) gaveUp = "the broker shut down during a match (broker_shutdown)";
        return;
      }
      if (m.end === ARENA_ENDS.start_failed || m.end === ARENA_ENDS.start_timeout) {
        failing.push(m);
        if (failing.length >= START_FAILURES_MAX && gaveUp === null) gaveUp = `${failing.length} matches in a row could not start; the last: ${m.reason}`;
        if (gaveUp === null) s.onFailedStart(m);
        continue;
      }
      for (const f of failing.splice(0)) await keep(f);
      await keep(m);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(config.parallel, queue.length)) }, worker));
  s.signal.removeEventListener("abort", onAbort);
  if (failure !== null) throw failure;
  if (gaveUp === null) for (const f of failing.splice(0)) await keep(f);
  return { matches: all, sprt, interrupted: s.signal.aborted, gaveUp: gaveUp === null ? null : `${gaveUp}${lastWords(failing)}` };
}

/** The last lines of the processes that failed in the last match that could not start. */
function lastWords(failing: readonly ArenaMatch[]): string {
  const m = failing[failing.length - 1];
  const said = (m?.exits ?? []).filter((x) => x.tail && x.tail.length > 0).map((x) => `\n  ${x.who === "game" ? "game" : m!.lineup[x.who]}: ${x.tail!.slice(-3).join("\n    ")}`);
  return said.join("");
}
