// What matches mean for the table (pure): the game's result, a bot at fault losing, no result;
// scores with more seats; ratings as openskill gives them in schedule order; think times; the
// pentanomial of swapped-seat pairs.
import { describe, expect, test } from "bun:test";
import { rate, rating } from "openskill";
import { placesOf, scoreOf, verdictOf, type ArenaMatch } from "../../src/arena/outcome.ts";
import { pentaOf, standings } from "../../src/arena/standings.ts";
import { addThink, emptyThink, percentileMs } from "../../src/arena/think.ts";

function match(index: number, lineup: string[], m: Partial<ArenaMatch> = {}): ArenaMatch {
  return {
    tournament: "t",
    index,
    room: `t.${index}`,
    lineup,
    matchId: `m${index}`,
    end: "normal",
    culprit: null,
    reason: "",
    result: null,
    turns: 2,
    think: lineup.map(() => emptyThink()),
    missed: lineup.map(() => 0),
    startedAt: "",
    endedAt: "",
    exits: [],
    ...m,
  };
}
const win = (winner: number, seats = 2) => ({ seats: [...Array(seats).keys()].map((index) => ({ index, rank: index === winner ? 1 : 2 })), summary: "" });
const draw = { seats: [{ index: 0, rank: 1 }, { index: 1, rank: 1 }], summary: "" };

describe("verdicts", () => {
  test("a normal end with a result: places from ranks, else from scores (higher first, ties share)", () => {
    expect(verdictOf(match(0, ["a", "b"], { result: win(1) })).places).toEqual([2, 1]);
    expect(placesOf({ seats: [{ index: 0, score: 3 }, { index: 1, score: 7 }, { index: 2, score: 3 }], summary: "" }, 3)).toEqual([2, 1, 2]);
    expect(placesOf({ seats: [{ index: 0, score: 3 }], summary: "" }, 2)).toBeNull();
  });

  test("a bot at fault loses (crash or timeout counted), the game at fault or a match timeout gives no result", () => {
    expect(verdictOf(match(0, ["a", "b"], { end: "bot_disconnected", culprit: 1 }))).toEqual({ places: [1, 2], timeouts: [0, 0], crashes: [0, 1] });
    expect(verdictOf(match(0, ["a", "b"], { end: "move_timeout", culprit: 0 }))).toEqual({ places: [2, 1], timeouts: [1, 0], crashes: [0, 0] });
    expect(verdictOf(match(0, ["a", "b", "c"], { end: "start_failed", culprit: 2 })).places).toEqual([1, 1, 3]);
    expect(verdictOf(match(0, ["a", "b"], { end: "game_disconnected", culprit: -1 })).places).toBeNull();
    expect(verdictOf(match(0, ["a", "b"], { end: "match_timeout" })).places).toBeNull();
    expect(verdictOf(match(0, ["a", "b"], { end: "normal", result: null })).places).toBeNull();
    expect(verdictOf(match(0, ["a", "b"], { missed: [2, 0], result: win(0) })).timeouts).toEqual([2, 0]);
  });

  test("a score is the share of the other placed seats beaten, ties half", () => {
    expect(scoreOf([1, 2], 0)).toBe(1);
    expect(scoreOf([1, 1], 1)).toBe(0.5);
    expect(scoreOf([1, 2, 2, 4], 1)).toBeCloseTo(0.5, 12);
    expect(scoreOf([1, null], 0)).toBeNull();
  });
});

describe("the table", () => {
  test("counts wins, draws, losses and no results; rates in schedule order whatever order matches ended", () => {
    const ms = [match(2, ["b", "a"], { result: draw }), match(0, ["a", "b"], { result: win(0) }), match(1, ["b", "a"], { end: "match_timeout" }), match(3, ["a", "b"], { end: "bot_disconnected", culprit: 0 })];
    const t = standings(["a", "b"], ms);
    const a = t.rows.find((r) => r.name === "a")!;
    expect(a).toMatchObject({ matches: 4, wins: 1, draws: 1, losses: 1, noResult: 1, score: 1.5, crashes: 1 });
    // openskill directly: a beats b, then a draw, then b beats a.
    let [ra, rb] = [rating(), rating()];
    for (const ranks of [[1, 2], [1, 1], [2, 1]]) [[ra], [rb]] = rate([[ra!], [rb!]], { rank: ranks }) as [[typeof ra], [typeof rb]];
    expect(a.mu).toBeCloseTo(ra!.mu, 12);
    expect(a.sigma).toBeCloseTo(ra!.sigma, 12);
    expect(t.history.map((h) => h.index)).toEqual([0, 2, 3]);
    expect(t.h2h[0]![1]).toEqual({ score: 1.5, games: 3 });
    expect(standings(["a", "b"], [...ms].reverse())).toEqual(t);
  });

  test("think times: mean exact, p99 within a bucket (4.4 %), never above the longest", () => {
    const t = emptyThink();
    for (let i = 1; i <= 100; i++) addThink(t, i);
    expect(t.totalMs / t.moves).toBe(50.5);
    const p99 = percentileMs(t, 0.99)!;
    expect(Math.abs(p99 - 99) / 99).toBeLessThan(0.045);
    expect(percentileMs(t, 1)).toBeLessThanOrEqual(100);
    expect(percentileMs(emptyThink(), 0.99)).toBeNull();
  });

  test("the pentanomial counts complete pairs of swapped seats by A's points", () => {
    const pairOf = (i: number) => Math.floor(i / 2);
    const ms = [
      match(0, ["a", "b"], { result: win(0) }),
      match(1, ["b", "a"], { result: win(1) }), // a wins both: 2 points
      match(2, ["a", "b"], { result: draw }),
      match(3, ["b", "a"], { result: win(0) }), // ½ point
      match(4, ["a", "b"], { result: win(0) }), // its pair has not ended: not counted
      match(6, ["a", "b"], { end: "match_timeout" }),
      match(7, ["b", "a"], { result: win(0) }), // a pair with no result: not counted
    ];
    expect(pentaOf(ms, "a", "b", pairOf)).toEqual([0, 1, 0, 0, 1]);
  });
});
