// Who plays whom, in which seats, in which order: round-robin (every pairing, both seat orders),
// gauntlet (one bot against each of the others, both seat orders) and N-player free-for-all.
// Pure and seeded: the same schedule for the same seed, and a longer tournament starts with the
// matches of a shorter one (so --resume may extend it with --matches).
import { Rng, mix32 } from "./rng.ts";

export type ScheduleKind = "round-robin" | "gauntlet" | "ffa";
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ["round-robin", "gauntlet", "ffa"];

export interface Schedule {
  readonly kind: ScheduleKind;
  /** Bots in the tournament. */
  readonly bots: number;
  /** Seats per match: 2 for round-robin and gauntlet. */
  readonly seats: number;
  /** The gauntlet's bot (index into the bots). */
  readonly gauntlet: number;
  readonly seed: number;
}

export interface PlannedMatch {
  /** 0-based, in schedule order; also the match's room suffix and its place in the rating chart. */
  readonly index: number;
  /** The bot (index into the bots) in each seat: lineup[seat]. */
  readonly lineup: readonly number[];
  /** This match's own seed (BITBROKER_SEED, {seed}), from the tournament's seed and its index. */
  readonly seed: number;
  /** Round-robin and gauntlet: matches 2k and 2k+1 are pair k, the same bots with the seats swapped. */
  readonly pair: number | null;
}

/** Matches in one round: every pairing twice (round-robin), every opponent twice (gauntlet), one per bot (ffa). */
export function roundSize(s: Schedule): number {
  if (s.kind === "round-robin") return s.bots * (s.bots - 1);
  if (s.kind === "gauntlet") return 2 * (s.bots - 1);
  return s.bots;
}

/** The first `count` matches of the schedule. */
export function plan(s: Schedule, count: number): PlannedMatch[] {
  if (s.kind === "ffa") return planFfa(s, count);
  if (s.seats !== 2) throw new Error(`bug: ${s.kind} needs 2 seats, not ${s.seats}`);
  const out: PlannedMatch[] = [];
  for (let round = 0; out.length < count; round++) {
    const pairings: Array<[number, number]> = [];
    if (s.kind === "round-robin") {
      for (let a = 0; a < s.bots; a++) for (let b = a + 1; b < s.bots; b++) pairings.push([a, b]);
    } else {
      for (let b = 0; b < s.bots; b++) if (b !== s.gauntlet) pairings.push([s.gauntlet, b]);
    }
    // Each round in its own order, so that a tournament cut short is not biased to some pairings.
    new Rng(mix32(s.seed, round)).shuffle(pairings);
    for (const [a, b] of pairings) {
      for (const lineup of [[a, b], [b, a]]) {
        if (out.length === count) break;
        const index = out.length;
        out.push({ index, lineup, seed: mix32(s.seed, 0x5eed, index), pair: Math.floor(index / 2) });
      }
    }
  }
  return out;
}

/**
 * Free-for-all: matches take the next `seats` bots from an endless stream of shuffled rounds of
 * every bot, so each bot plays as often as the others (give or take one) and sits anywhere.
 */
function planFfa(s: Schedule, count: number): PlannedMatch[] {
  if (s.seats > s.bots) throw new Error(`bug: ${s.seats} seats for ${s.bots} bots`);
  const out: PlannedMatch[] = [];
  const stream: number[] = [];
  let round = 0;
  while (out.length < count) {
    while (new Set(stream).size < s.seats) stream.push(...new Rng(mix32(s.seed, round++)).shuffle([...Array(s.bots).keys()]));
    const lineup: number[] = [];
    for (let i = 0; lineup.length < s.seats; i++) {
      // A bot already seated (a round's end meeting the next one's start) waits for the next match.
      if (lineup.includes(stream[i]!)) continue;
      lineup.push(stream.splice(i, 1)[0]!);
      i--;
    }
    const index = out.length;
    out.push({ index, lineup, seed: mix32(s.seed, 0x5eed, index), pair: null });
  }
  return out;
}
