// Connect Four played to the end through the real broker: the SDK game and bots in-process, many
// matches on one broker, forfeits by bots that break the rules.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Connect4Bot } from "../../examples/connect4/bots.ts";
import { Connect4Game } from "../../examples/connect4/referee.ts";
import { CELLS, discOf, isFull, winner } from "../../examples/connect4/rules.ts";
import { seededRng } from "../../examples/connect4/strategy.ts";
import { BaseBot, runBot, runGame, type MatchResult } from "../../src/sdk/index.ts";
import { BrokerProcess } from "../e2e/harness.ts";

let broker: BrokerProcess;
beforeAll(async () => {
  // One broker serves every match of this file, one after another (back to the lobby each time).
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
});
afterAll(async () => {
  await broker.stop();
});

/** Seats `first` then `second` (in that order: bot 0 moves first) and plays one match. */
async function play(first: BaseBot, second: BaseBot): Promise<Connect4Game> {
  const seated = countSeats();
  const runFirst = runBot(first, "127.0.0.1", broker.port);
  await broker.waitForLog(() => countSeats() > seated);
  const game = new Connect4Game();
  await Promise.all([runFirst, runBot(second, "127.0.0.1", broker.port), runGame(game, "127.0.0.1", broker.port)]);
  return game;
}
const countSeats = (): number => broker.logs.filter((l) => l.event === "seat taken").length;

/** A bot that always answers the same bytes. */
class FixedBot extends BaseBot {
  constructor(
    readonly name: string,
    private readonly reply: Uint8Array,
  ) {
    super();
  }
  decideMove(): Uint8Array {
    return this.reply;
  }
}
/** connect4.Move{column} encoded by hand: field 1, varint (column 0 is the empty message). */
const move = (column: number): Uint8Array => (column === 0 ? new Uint8Array() : new Uint8Array([0x08, column]));

test("20 matches of smart against random all finish, the board agrees with the result, smart wins most", async () => {
  let smartWins = 0;
  for (let i = 0; i < 20; i++) {
    const smart = new Connect4Bot("smart", "Smart", seededRng(100 + i));
    const random = new Connect4Bot("random", "Random", seededRng(200 + i));
    const smartIndex = i % 2;
    const game = smartIndex === 0 ? await play(smart, random) : await play(random, smart);
    const result = game.result;
    const cells = game.cells!;
    expect(result).toBeDefined();
    const discs = cells.filter((c) => c !== 0).length;
    if (result!.result === "draw") {
      expect(result!.moves).toBe(CELLS);
      expect(isFull(cells) && winner(cells) === 0).toBe(true);
      continue;
    }
    const { winner: index, name, moves, forfeit } = result!;
    expect(forfeit).toBe(false);
    expect(moves).toBe(discs);
    expect(winner(cells)).toBe(discOf(index));
    expect(name).toBe(index === smartIndex ? "Smart" : "Random");
    // The winner made the last move: bot 0 moves on odd counts, bot 1 on even ones.
    expect(moves % 2).toBe(index === 0 ? 1 : 0);
    if (index === smartIndex) smartWins++;
  }
  // Smart wins about 98.6% of games against random (20,000 simulated): 14 of 20 is a very safe floor.
  expect(smartWins).toBeGreaterThanOrEqual(14);
}, 60_000);

test("a bot that keeps playing a full column forfeits and the other wins", async () => {
  const game = await play(new FixedBot("Zero", move(0)), new FixedBot("AlsoZero", move(0)));
  expect(game.result).toEqual({ result: "win", winner: 1, name: "AlsoZero", moves: 6, forfeit: true });
});

test("the game reports its result with its end: both bots receive it (win 1 and rank 1, loss 0 and rank 2)", async () => {
  class Told extends FixedBot {
    told: MatchResult | undefined;
    override matchResult(result: MatchResult): void {
      this.told = result;
    }
  }
  const a = new Told("Zero", move(0));
  const b = new Told("AlsoZero", move(0));
  await play(a, b);
  const expected = {
    seats: [
      { index: 0, score: 0, rank: 2 },
      { index: 1, score: 1, rank: 1 },
    ],
    summary: "AlsoZero (bot 1) wins by forfeit after 6 moves",
  };
  expect(a.told).toEqual(expected);
  expect(b.told).toEqual(expected);
});

test("a bot that plays off the board forfeits at once", async () => {
  const game = await play(new FixedBot("Nine", move(9)), new Connect4Bot("random"));
  expect(game.result).toEqual({ result: "win", winner: 1, name: "RandomBot", moves: 0, forfeit: true });
});

test("a bot whose reply is not a Move forfeits", async () => {
  const game = await play(new Connect4Bot("smart"), new FixedBot("Garbage", new Uint8Array([0xff, 0xff, 0xff])));
  expect(game.result).toEqual({ result: "win", winner: 0, name: "SmartBot", moves: 1, forfeit: true });
});
