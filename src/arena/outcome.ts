// What the arena keeps of each match it played (one line of its journal, one row of the report),
// and what a match means for each seat: its place, or no result; a timeout or a crash. Pure.
import type { MatchResult } from "../protocol/index.ts";
import type { ThinkTimes } from "./think.ts";

/** How a match ended, besides the broker's codes ("normal" and PROTOCOL.md §6.1): the arena's own. */
export const ARENA_ENDS = {
  /** The game did not end the match within --match-timeout: every process was stopped. */
  match_timeout: "match_timeout",
  /** A process (the culprit) exited, or could not be started, before its match started. */
  start_failed: "start_failed",
  /** The match did not start within --start-timeout-ms (someone never joined). */
  start_timeout: "start_timeout",
} as const;

/** One played match, as the journal keeps it (JSON). */
export interface ArenaMatch {
  readonly tournament: string;
  readonly index: number;
  readonly room: string;
  /** The arena's name of the bot in each seat. */
  readonly lineup: readonly string[];
  /** The broker's match id (null when the match never started). */
  readonly matchId: string | null;
  /** "normal", the broker's reason code, or one of ARENA_ENDS. */
  readonly end: string;
  /** At fault: -1 the game, else a seat; null when nobody is (a normal end, a match timeout). */
  readonly culprit: number | null;
  /** The broker's reason text, or the arena's ("" for a normal end). */
  readonly reason: string;
  readonly result: MatchResult | null;
  readonly turns: number;
  /** Think times by seat. */
  readonly think: readonly ThinkTimes[];
  /** Moves missed (and skipped, under SKIP time rules) by seat. */
  readonly missed: readonly number[];
  /** ISO 8601, wall clock. */
  readonly startedAt: string;
  readonly endedAt: string;
  /** How each process exited: "game" or the seat, its status or signal, and whether the arena stopped it. */
  readonly exits: readonly ProcessExit[];
  /** Its replay file, when the broker recorded it. */
  readonly replay?: string | null;
}

export interface ProcessExit {
  readonly who: "game" | number;
  readonly pid: number;
  readonly code: number | null;
  readonly signal: string | null;
  /** The arena stopped it (it had not exited by the end of its match, or the arena was interrupted). */
  readonly stopped: boolean;
  /** Its last lines of output, kept when it failed (exited non-zero or killed by a signal, unasked) or was at fault. */
  readonly tail?: readonly string[];
}

/** Ends in which a bot's process or connection failed: counted as its crash. */
const CRASHES = new Set(["bot_disconnected", "bot_misbehaved", "slow_consumer", ARENA_ENDS.start_failed]);

export interface Verdict {
  /** Place by seat (1 = first; ties share), null for a seat with no place; null when the match has no result. */
  readonly places: ReadonlyArray<number | null> | null;
  readonly timeouts: readonly number[];
  readonly crashes: readonly number[];
}

/**
 * A match's meaning: the game's result when it ended normally with one (ranks if every listed seat
 * has one, else places by score; as the leaderboard reads results); a bot at fault loses (last
 * place, the others share the first); anything else (the game at fault, a match timeout, a normal
 * end without a result) has no result.
 */
export function verdictOf(m: ArenaMatch): Verdict {
  const seats = m.lineup.length;
  const timeouts = m.missed.map((n, seat) => n + (m.end === "move_timeout" && m.culprit === seat ? 1 : 0));
  const crashes = m.lineup.map((_, seat) => (CRASHES.has(m.end) && m.culprit === seat ? 1 : 0));
  let places: Array<number | null> | null = null;
  if (m.end === "normal" && m.result) {
    places = placesOf(m.result, seats);
  } else if (m.culprit !== null && m.culprit >= 0 && m.culprit < seats) {
    places = m.lineup.map((_, seat) => (seat === m.culprit ? seats : 1));
  }
  return { places, timeouts, crashes };
}

/** Places by seat from a result; null when fewer than two seats are placed. */
export function placesOf(result: MatchResult, seats: number): Array<number | null> | null {
  const listed = result.seats.filter((s) => s.index < seats);
  let placed: Array<{ index: number; place: number }> = [];
  if (listed.length >= 2 && listed.every((s) => s.rank !== undefined)) {
    placed = listed.map((s) => ({ index: s.index, place: s.rank! }));
  } else if (listed.length >= 2 && listed.every((s) => s.score !== undefined)) {
    placed = listed.map((s) => ({ index: s.index, place: 1 + listed.filter((o) => o.score! > s.score!).length }));
  }
  if (placed.length < 2) return null;
  const places: Array<number | null> = Array.from({ length: seats }, () => null);
  for (const p of placed) places[p.index] = p.place;
  return places;
}

/** A seat's score in a match with places: the share of the other placed seats it beat, ties half. */
export function scoreOf(places: ReadonlyArray<number | null>, seat: number): number | null {
  const mine = places[seat];
  if (mine === null || mine === undefined) return null;
  const others = places.filter((p, s): p is number => s !== seat && p !== null);
  if (others.length === 0) return null;
  return others.reduce((acc, p) => acc + (mine < p ? 1 : mine === p ? 0.5 : 0), 0) / others.length;
}
