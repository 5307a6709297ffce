// GET /leaderboard: wins, draws, losses and a rating per bot name, from the recorded results of a
// room, in the order the matches ended. Ratings are openskill's (Weng-Lin, Plackett-Luce model):
// any number of bots per match, ranks and ties (README "Leaderboard"). Kept per room and brought
// up to date incrementally; recomputed from the start when older records changed (pruned, or
// written late by another broker).
import { ordinal, rate, rating, type Rating } from "openskill";
import type { MatchResult } from "../protocol/index.ts";
import type { Cursor, RatedMatch, Store } from "../store/types.ts";

export interface Standing {
  readonly name: string;
  /** The conservative estimate μ − 3σ: what the table is sorted by. */
  readonly rating: number;
  readonly mu: number;
  readonly sigma: number;
  readonly matches: number;
  readonly wins: number;
  readonly draws: number;
  readonly losses: number;
  /** A person played under this name (the /play page), in at least one rated match. */
  readonly human: boolean;
}

interface BotState {
  rating: Rating;
  matches: number;
  wins: number;
  draws: number;
  losses: number;
  human: boolean;
}

interface RoomState {
  readonly bots: Map<string, BotState>;
  /** Matches with a result read so far (rated or not), and the last one. */
  processed: number;
  rated: number;
  last: Cursor | null;
}

const PAGE = 1000;
const ROOMS_CACHED = 100;

/**
 * Where each seat of a result finished (1 = first; ties share), for the seats that have one:
 * ranks when every listed seat has a rank, else places by score (higher is better) when every one
 * has a score. Fewer than two placed seats: nothing to rate.
 */
export function placesOf(result: MatchResult, seats: number): Array<{ index: number; place: number }> {
  const listed = result.seats.filter((s) => s.index < seats);
  if (listed.length < 2) return [];
  if (listed.every((s) => s.rank !== undefined)) return listed.map((s) => ({ index: s.index, place: s.rank! }));
  if (listed.every((s) => s.score !== undefined)) {
    return listed.map((s) => ({ index: s.index, place: 1 + listed.filter((o) => o.score! > s.score!).length }));
  }
  return [];
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

function rateMatch(bots: Map<string, BotState>, m: RatedMatch): boolean {
  const places = placesOf(m.result, m.names.length);
  if (places.length === 0) return false;
  const states = places.map((p) => {
    const name = m.names[p.index] ?? "";
    let s = bots.get(name);
    if (!s) bots.set(name, (s = { rating: rating(), matches: 0, wins: 0, draws: 0, losses: 0, human: false }));
    if (m.humans[p.index]) s.human = true;
    return s;
  });
  const updated = rate(
    states.map((s) => [s.rating]),
    { rank: places.map((p) => p.place) },
  );
  const best = Math.min(...places.map((p) => p.place));
  const firsts = places.filter((p) => p.place === best).length;
  // A bot that sat more than once (self-play): its seats' new ratings are averaged.
  const next = new Map<BotState, Rating[]>();
  places.forEach((p, i) => {
    const s = states[i]!;
    s.matches++;
    if (p.place !== best) s.losses++;
    else if (firsts === 1) s.wins++;
    else s.draws++;
    next.set(s, [...(next.get(s) ?? []), updated[i]![0]!]);
  });
  for (const [s, rs] of next) {
    s.rating = { mu: rs.reduce((a, r) => a + r.mu, 0) / rs.length, sigma: rs.reduce((a, r) => a + r.sigma, 0) / rs.length };
  }
  return true;
}

export class Leaderboard {
  private readonly rooms = new Map<string, RoomState>();
  /** One update at a time per room. */
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(private readonly store: Store) {}

  async standings(room: string): Promise<{ room: string; matches: number; rated: number; bots: Standing[] }> {
    const previous = this.busy.get(room) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.update(room));
    this.busy.set(room, next);
    try {
      const st = await next;
      const bots = [...st.bots.entries()].map(([name, b]) => ({
        name,
        rating: round(ordinal(b.rating), 3),
        mu: round(b.rating.mu, 3),
        sigma: round(b.rating.sigma, 3),
        matches: b.matches,
        wins: b.wins,
        draws: b.draws,
        losses: b.losses,
        human: b.human,
      }));
      bots.sort((a, b) => b.rating - a.rating || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { room, matches: st.processed, rated: st.rated, bots };
    } finally {
      if (this.busy.get(room) === next) this.busy.delete(room);
    }
  }

  private async update(room: string): Promise<RoomState> {
    let st = this.rooms.get(room);
    // Records up to where we read have changed (pruned, or a late write): start over.
    if (st?.last && (await this.store.countRatedUpTo(room, st.last)) !== st.processed) st = undefined;
    st ??= { bots: new Map(), processed: 0, rated: 0, last: null };
    for (;;) {
      const page = await this.store.ratedAfter(room, st.last, PAGE);
      for (const m of page) {
        if (rateMatch(st.bots, m)) st.rated++;
        st.processed++;
        st.last = { endedAtMs: m.endedAtMs, id: m.id };
      }
      if (page.length < PAGE) break;
      await new Promise((resolve) => setImmediate(resolve)); // the relay runs between pages
    }
    this.rooms.delete(room);
    this.rooms.set(room, st);
    if (this.rooms.size > ROOMS_CACHED) this.rooms.delete(this.rooms.keys().next().value!);
    return st;
  }
}
