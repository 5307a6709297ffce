// Records over real sockets: what a match's record holds (seats, clients, think times, result),
// results from a TypeScript game's Action.endGame(result) to GET /matches/{id} and /leaderboard,
// GET /matches paged, and clear 400s and 404s.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import pkg from "../../package.json" with { type: "json" };
import type { MatchResult } from "../../src/protocol/index.ts";
import { Action, BaseBot, BaseGame, runBot, runGame, type BotInfo } from "../../src/sdk/index.ts";
import { pollUntil, type BrokerProcess } from "../e2e/harness.ts";
import { joinBot, joinGame } from "../e2e/players.ts";
import { brokerWithRecords, getJson, playMatch, recordOf } from "./helpers.ts";

const quiet = { log: () => {} };

class NamedBot extends BaseBot {
  results: MatchResult[] = [];
  constructor(readonly name: string) {
    super();
  }
  decideMove(state: Uint8Array): Uint8Array {
    return state;
  }
  override matchResult(result: MatchResult): void {
    this.results.push(result);
  }
}

/** Asks each bot once, then ends the match with `result`. */
class ResultGame extends BaseGame {
  private bots: BotInfo[] = [];
  private asked = 0;
  constructor(private readonly result: MatchResult) {
    super();
  }
  initialise(bots: BotInfo[]): void {
    this.bots = bots;
  }
  nextAction(): Action {
    if (this.asked === this.bots.length) return Action.endGame(this.result);
    return Action.playerAction(this.asked++, new TextEncoder().encode("your turn"));
  }
  deliverResponse(): void {}
}

const wins = (i: number): MatchResult => ({ seats: [{ index: i, rank: 1, score: 1 }, { index: 1 - i, rank: 2, score: 0 }], summary: `bot ${i} wins` });
const DRAW: MatchResult = { seats: [{ index: 0, rank: 1, score: 0.5 }, { index: 1, rank: 1, score: 0.5 }], summary: "draw" };

/** One SDK match between Alpha (seat 0) and Beta (seat 1) ending with `result`; returns its id and the bots. */
async function sdkMatch(broker: BrokerProcess, result: MatchResult): Promise<{ id: string; bots: NamedBot[] }> {
  const seated = (name: string) => (l: { event: string; name?: unknown }) => l.event === "seat taken" && l.name === name;
  const before = broker.logs.filter(seated("Alpha")).length;
  const started = broker.logs.filter((l) => l.event === "match started").length;
  const bots = [new NamedBot("Alpha"), new NamedBot("Beta")];
  const alpha = runBot(bots[0]!, "127.0.0.1", broker.port, quiet);
  await broker.waitForLogCount(seated("Alpha"), before + 1);
  await Promise.all([alpha, runBot(bots[1]!, "127.0.0.1", broker.port, quiet), runGame(new ResultGame(result), "127.0.0.1", broker.port, quiet)]);
  await broker.waitForLogCount((l) => l.event === "match started", started + 1);
  const id = String(broker.logs.filter((l) => l.event === "match started")[started]!.match);
  return { id, bots };
}

describe("a recorded match", () => {
  let broker: BrokerProcess;
  beforeAll(async () => {
    broker = await brokerWithRecords();
  });
  afterAll(async () => {
    await broker.stop();
  });

  test("holds its room, broker, times, cause, turns, bytes, every seat with its client and think time", async () => {
    const id = await playMatch(broker, 4, ["A", "B"]);
    const r = await recordOf(broker, id);
    expect(r).toMatchObject({ id, room: "default", status: "ended", code: "normal", reason: "", culprit: null, turns: 4, instance: "test-1", result: null, replay: null });
    expect(r.brokerVersion).toStartWith(pkg.version);
    // States "turn 0".."turn 3" (6 bytes each) and replies "A:turn 0"… (8 bytes each).
    expect(r.bytesRelayed).toBe(4 * 6 + 4 * 8);
    expect(Date.parse(String(r.endedAt))).toBeGreaterThanOrEqual(Date.parse(String(r.startedAt)));
    const seats = r.seats as Array<Record<string, unknown>>;
    expect(seats.map((s) => [s.index, s.name, s.client])).toEqual([
      [0, "A", ""],
      [1, "B", ""],
    ]);
    for (const s of seats) {
      expect(String(s.peer)).toMatch(/^127\.0\.0\.1:\d+$/);
      const think = s.think as { moves: number; totalMs: number; maxMs: number; meanMs: number };
      expect(think.moves).toBe(2);
      expect(think.maxMs).toBeLessThanOrEqual(think.totalMs);
      expect(think.meanMs).toBeCloseTo(think.totalMs / 2, 2);
    }
  });

  test("says who was at fault: a bot that leaves mid-match is its seat index", async () => {
    const started = broker.logs.filter((l) => l.event === "match started").length;
    const seated = (l: { event: string; name?: unknown }) => l.event === "seat taken" && l.name === "Stays";
    const before = broker.logs.filter(seated).length;
    const game = await joinGame(broker.port);
    const a = await joinBot(broker.port, "Stays");
    await broker.waitForLogCount(seated, before + 1);
    const b = await joinBot(broker.port, "Leaves");
    await broker.waitForLogCount((l) => l.event === "match started", started + 1);
    const id = String(broker.logs.filter((l) => l.event === "match started")[started]!.match);
    b.close();
    await Promise.all([game.untilClosed(), a.untilClosed()]);
    const r = await recordOf(broker, id);
    expect(r).toMatchObject({ code: "bot_disconnected", culprit: 1 });
  });

  test("a TypeScript game's Action.endGame(result) is recorded, reaches the bots, and makes the leaderboard", async () => {
    const first = await sdkMatch(broker, wins(0));
    const r = await recordOf(broker, first.id);
    expect(r.result).toEqual(wins(0));
    expect((r.game as Record<string, unknown>).client).toBe("bitbroker-typescript");
    const seats = r.seats as Array<Record<string, unknown>>;
    expect(seats.map((s) => [s.name, s.client, s.clientVersion])).toEqual([
      ["Alpha", "bitbroker-typescript", pkg.version],
      ["Beta", "bitbroker-typescript", pkg.version],
    ]);
    expect(first.bots.map((b) => b.results)).toEqual([[wins(0)], [wins(0)]]);

    await sdkMatch(broker, wins(0));
    const last = await sdkMatch(broker, DRAW);
    await recordOf(broker, last.id);
    const board = await getJson(broker, "/leaderboard?room=default");
    expect(board.status).toBe(200);
    expect(board.body).toMatchObject({ room: "default", rated: 3 });
    const bots = board.body.bots as Array<Record<string, number | string>>;
    expect(bots.map((b) => [b.name, b.matches, b.wins, b.draws, b.losses])).toEqual([
      ["Alpha", 3, 2, 1, 0],
      ["Beta", 3, 0, 1, 2],
    ]);
    expect(Number(bots[0]!.rating)).toBeGreaterThan(Number(bots[1]!.rating));
    expect(Number(bots[0]!.mu)).toBeGreaterThan(25);
  });

  test("GET /matches pages the ended matches newest first, with a link to the next page", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await playMatch(broker, 1, [`P${i}`, `Q${i}`]));
    for (const id of ids) await recordOf(broker, id);
    const first = await getJson(broker, "/matches?limit=2");
    expect(first.status).toBe(200);
    expect((first.body.ended as Array<{ id: string }>).map((m) => m.id)).toEqual([ids[2]!, ids[1]!]);
    expect(first.body.running).toEqual([]);
    const next = String(first.body.next);
    expect(next).toBe(`/matches?limit=2&before=${ids[1]}`);
    const second = await getJson(broker, next);
    expect((second.body.ended as Array<{ id: string }>)[0]!.id).toBe(ids[0]!);
    const byTime = await getJson(broker, `/matches?room=default&limit=1000&before=${encodeURIComponent("2000-01-01T00:00:00Z")}`);
    expect(byTime.body).toEqual({ running: [], ended: [], next: null });
    const other = await getJson(broker, "/matches?room=elsewhere");
    expect(other.body.ended).toEqual([]);
  });

  test("bad query parameters get 400 naming every problem; unknown ids 404", async () => {
    const bad = await getJson(broker, "/matches?limit=5000&room=no%20spaces&sort=asc");
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toContain("limit must be a whole number from 1 to 1000");
    expect(String(bad.body.error)).toContain("room must be 1-64 characters");
    expect(String(bad.body.error)).toContain('unknown parameter "sort"');
    expect((await getJson(broker, "/matches?before=yesterday")).status).toBe(400);
    const noSuch = "01900000-0000-7000-8000-000000000000";
    expect(String((await getJson(broker, `/matches?before=${noSuch}`)).body.error)).toContain("no ended match has the id");
    expect((await getJson(broker, "/leaderboard?room=a/b")).status).toBe(400);
    expect((await getJson(broker, "/leaderboard?top=3")).status).toBe(400);
    const missing = await getJson(broker, `/matches/${noSuch}`);
    expect(missing.status).toBe(404);
    expect(String(missing.body.error)).toContain("no match has the id");
    expect((await getJson(broker, "/matches/nonsense")).status).toBe(404);
    expect((await getJson(broker, `/matches/${noSuch}/replay`)).status).toBe(404);
    const post = await fetch(`http://127.0.0.1:${broker.healthPort}/matches`, { method: "POST" });
    expect(post.status).toBe(405);
  });

  test("GET /health counts what was written, spooled and dropped", async () => {
    await recordOf(broker, await playMatch(broker, 1, ["H1", "H2"]));
    // Its start row may still wait in the spool for a few ms: wait for the spool to empty.
    const { body } = await pollUntil(() => getJson(broker, "/health"), (h) => (h.body.records as { spooled: number }).spooled === 0);
    expect(body.records).toMatchObject({ store: "sqlite", spooled: 0, dropped: 0, failures: 0 });
    expect(Number((body.records as Record<string, number>).written)).toBeGreaterThan(0);
  });
});
