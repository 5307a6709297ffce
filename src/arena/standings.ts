// The tournament's table from its matches: per bot wins, draws, losses, score, an openskill rating
// with its 95 % interval (the leaderboard's library and model), timeouts, crashes and think
// times; the ratings after each match (the report's chart), the head-to-head matrix and the
// pentanomial of a pair of bots for the SPRT. Pure: the same matches give the same table. Matches
// count in schedule order, so the table does not depend on --parallel.
import { ordinal, rate, rating, type Rating } from "openskill";
import { verdictOf, scoreOf, type ArenaMatch } from "./outcome.ts";
import type { Penta } from "./sprt.ts";
import { emptyThink, meanMs, mergeThink, percentileMs, type ThinkTimes } from "./think.ts";

export interface Standing {
  readonly name: string;
  /** Matches played, with a result or not. */
  readonly matches: number;
  readonly wins: number;
  readonly draws: number;
  readonly losses: number;
  /** Matches without a result (the game at fault, a match timeout, no result given). */
  readonly noResult: number;
  /** Sum of the match scores: 1 a win, ½ a draw (with more seats: the share of the others beaten). */
  readonly score: number;
  /** openskill's μ and σ; `rating` = μ − 3σ (the leaderboard's), the 95 % interval μ ± 1.96σ. */
  readonly mu: number;
  readonly sigma: number;
  readonly rating: number;
  readonly timeouts: number;
  readonly crashes: number;
  readonly think: ThinkTimes;
  readonly thinkMeanMs: number | null;
  readonly thinkP99Ms: number | null;
}

export interface RatingPoint {
  /** The match (schedule index) just rated. */
  readonly index: number;
  /** By bot (the tournament's order). */
  readonly mu: readonly number[];
  readonly sigma: readonly number[];
}

export interface Table {
  /** Best first. */
  readonly rows: readonly Standing[];
  readonly history: readonly RatingPoint[];
  /** h2h[a][b]: bot a's score against bot b, over the `games` they met with a result (by bot order). */
  readonly h2h: ReadonlyArray<ReadonlyArray<{ readonly score: number; readonly games: number }>>;
  /** Bot names in the tournament's order (the h2h's and history's order). */
  readonly bots: readonly string[];
}

interface Acc {
  matches: number;
  wins: number;
  draws: number;
  losses: number;
  noResult: number;
  score: number;
  rating: Rating;
  timeouts: number;
  crashes: number;
  think: ThinkTimes;
}

export function standings(bots: readonly string[], matches: readonly ArenaMatch[]): Table {
  const byName = new Map(bots.map((name, i) => [name, i]));
  const acc: Acc[] = bots.map(() => ({ matches: 0, wins: 0, draws: 0, losses: 0, noResult: 0, score: 0, rating: rating(), timeouts: 0, crashes: 0, think: emptyThink() }));
  const h2h = bots.map(() => bots.map(() => ({ score: 0, games: 0 })));
  const history: RatingPoint[] = [];
  for (const m of [...matches].sort((a, b) => a.index - b.index)) {
    const ids = m.lineup.map((name) => byName.get(name));
    if (ids.some((id) => id === undefined)) continue; // a bot no longer in the tournament
    const seatsOf = ids as number[];
    const v = verdictOf(m);
    seatsOf.forEach((bot, seat) => {
      const a = acc[bot]!;
      a.matches++;
      a.timeouts += v.timeouts[seat] ?? 0;
      a.crashes += v.crashes[seat] ?? 0;
      if (m.think[seat]) mergeThink(a.think, m.think[seat]);
    });
    const places = v.places;
    const placed = places ? seatsOf.map((bot, seat) => ({ bot, seat, place: places[seat] ?? null })).filter((p) => p.place !== null) : [];
    if (!places || placed.length < 2) {
      for (const bot of seatsOf) acc[bot]!.noResult++;
      continue;
    }
    const best = Math.min(...placed.map((p) => p.place!));
    const firsts = placed.filter((p) => p.place === best).length;
    for (const p of placed) {
      const a = acc[p.bot]!;
      a.score += scoreOf(places, p.seat) ?? 0;
      if (p.place !== best) a.losses++;
      else if (firsts === 1) a.wins++;
      else a.draws++;
      for (const o of placed) {
        if (o.bot === p.bot) continue;
        const cell = h2h[p.bot]![o.bot]!;
        cell.games++;
        cell.score += p.place! < o.place! ? 1 : p.place === o.place ? 0.5 : 0;
      }
    }
    const rated = rate(
      placed.map((p) => [acc[p.bot]!.rating]),
      { rank: placed.map((p) => p.place!) },
    );
    placed.forEach((p, i) => (acc[p.bot]!.rating = rated[i]![0]!));
    history.push({ index: m.index, mu: acc.map((a) => a.rating.mu), sigma: acc.map((a) => a.rating.sigma) });
  }
  const rows: Standing[] = acc.map((a, i) => ({
    name: bots[i]!,
    matches: a.matches,
    wins: a.wins,
    draws: a.draws,
    losses: a.losses,
    noResult: a.noResult,
    score: a.score,
    mu: a.rating.mu,
    sigma: a.rating.sigma,
    rating: ordinal(a.rating),
    timeouts: a.timeouts,
    crashes: a.crashes,
    think: a.think,
    thinkMeanMs: meanMs(a.think),
    thinkP99Ms: percentileMs(a.think, 0.99),
  }));
  rows.sort((x, y) => y.rating - x.rating || y.score - x.score || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return { rows, history, h2h, bots };
}

/**
 * Bot `a`'s pair scores against bot `b`: pairs of matches (2k, 2k+1: the same two bots, seats
 * swapped) where both matches are in `matches` and have a result for both; a pair with a match
 * missing or without a result does not count.
 */
export function pentaOf(matches: readonly ArenaMatch[], a: string, b: string, pairOf: (index: number) => number | null): Penta {
  const byPair = new Map<number, ArenaMatch[]>();
  for (const m of matches) {
    const pair = pairOf(m.index);
    if (pair === null || m.lineup.length !== 2 || !m.lineup.includes(a) || !m.lineup.includes(b)) continue;
    byPair.set(pair, [...(byPair.get(pair) ?? []), m]);
  }
  const counts: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const ms of byPair.values()) {
    if (ms.length !== 2) continue;
    let points = 0;
    let complete = true;
    for (const m of ms) {
      const places = verdictOf(m).places;
      const s = places ? scoreOf(places, m.lineup.indexOf(a)) : null;
      if (s === null) complete = false;
      else points += s;
    }
    if (complete) counts[Math.round(points * 2)]!++;
  }
  return counts;
}
