// Time rules and results through the TypeScript SDK and the real broker: a bot that sleeps on
// purpose misses its first move under SKIP, its late reply is dropped, the next turn gets the right
// reply; bots learn their time; a game's result reaches the bots that asked. Assertions are on
// what happened, never on how long it took.
import { afterEach, expect, test } from "bun:test";
import { Action, BaseBot, BaseGame, runBot, runGame, type BotInfo, type MatchResult, type MoveClock, type MoveMissed, type TurnTiming } from "../../src/sdk/index.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { EchoBot, ScriptGame } from "./players.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const utf8 = new TextDecoder();
const text = new TextEncoder();

/** Sleeps `firstMs` on its first state (on purpose: the behaviour under test), then answers at once. */
class SlowStarter extends BaseBot {
  readonly name = "SlowStarter";
  readonly clocks: MoveClock[] = [];
  private first = true;
  constructor(private readonly firstMs: number) {
    super();
  }
  async decideMove(state: Uint8Array, clock?: MoveClock): Promise<Uint8Array> {
    if (clock) this.clocks.push(clock);
    if (this.first) {
      this.first = false;
      await Bun.sleep(this.firstMs);
    }
    return text.encode(`re:${utf8.decode(state)}`);
  }
}

/** Asks bot 0 for `turns` turns and records what came back: replies, missed moves, timings. */
class TimedGame extends BaseGame {
  readonly log: string[] = [];
  readonly timings: TurnTiming[] = [];
  private turn = 0;
  constructor(private readonly turns: number) {
    super();
  }
  initialise(_bots: BotInfo[]): void {}
  nextAction(): Action {
    return this.turn === this.turns ? Action.endGame() : Action.playerAction(0, text.encode(`s${this.turn++}`));
  }
  deliverResponse(response: Uint8Array): void {
    this.log.push(utf8.decode(response));
  }
  override moveMissed(m: MoveMissed): void {
    this.log.push(`missed by bot ${m.bot}`);
  }
  override turnTiming(t: TurnTiming): void {
    this.timings.push(t);
  }
}

test("SKIP: a first move that misses its deadline is forfeited, its late reply dropped, the next turn gets its own reply", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1" });
  const game = new TimedGame(3);
  const bot = new SlowStarter(3000);
  // The first move has 500 ms, the bot takes 3 s on it; later moves have 20 s, far more than they need.
  const time = { firstMoveMs: 500, moveMs: 20_000, onMiss: "skip" as const };
  await Promise.all([runGame(game, "127.0.0.1", broker.port, { timing: true, time }), runBot(bot, "127.0.0.1", broker.port, { timing: true })]);
  expect(game.log).toEqual(["missed by bot 0", "re:s1", "re:s2"]);
  expect(game.timings.map((t) => t.missed)).toEqual([true, false, false]);
  expect(game.timings[0]!.thinkMs).toBeGreaterThanOrEqual(500);
  // The bot learnt its time with each state: 500 ms for its first move, 20 s after.
  expect(bot.clocks.map((c) => c.deadlineMs)).toEqual([500, 20_000, 20_000]);
  await broker.waitForLog((l) => l.event === "late reply dropped" && l.bot === 0);
  expect(await broker.waitForLog((l) => l.event === "match ended")).toMatchObject({ code: "normal", turns: 3 });
});

test("without the timing option nothing new reaches the clients: no clock, no timings, END on a miss", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1" });
  const bot = new SlowStarter(0);
  const game = new TimedGame(2);
  await Promise.all([runGame(game, "127.0.0.1", broker.port, { time: { moveMs: 20_000, onMiss: "skip" } }), runBot(bot, "127.0.0.1", broker.port)]);
  expect(game.log).toEqual(["re:s0", "re:s1"]);
  expect(game.timings).toEqual([]);
  expect(bot.clocks).toEqual([]);
});

test("a game's result is recorded in the end and reaches the bots, as their reward", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const result: MatchResult = { seats: [{ index: 0, score: 1, rank: 1 }, { index: 1, score: 0, rank: 2 }], summary: "A wins" };
  class ResultGame extends ScriptGame {
    override async nextAction(): Promise<Action> {
      const a = await super.nextAction();
      return a.kind === "end" ? Action.endGame(result) : a;
    }
  }
  class RewardedBot extends EchoBot {
    reward: MatchResult | null = null;
    override matchResult(r: MatchResult): void {
      this.reward = r;
    }
  }
  const a = new RewardedBot("A");
  const runA = runBot(a, "127.0.0.1", broker.port);
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "A");
  const b = new RewardedBot("B");
  await Promise.all([runA, runBot(b, "127.0.0.1", broker.port), runGame(new ResultGame(2), "127.0.0.1", broker.port)]);
  expect(a.reward).toEqual(result);
  expect(b.reward).toEqual(result);
});
