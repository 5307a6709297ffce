// SDK bots and games in full matches through the real broker (test/e2e/harness.ts), real sockets.
import { afterEach, expect, test } from "bun:test";
import { runBot, runGame } from "../../src/sdk/index.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { EchoBot, ScriptGame, SumBot, SumGame } from "./players.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

test("an SDK game and two SDK bots play a full match and all resolve", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const a = new EchoBot("A");
  const b = new EchoBot("B");
  const game = new ScriptGame(6);
  const runA = runBot(a, "127.0.0.1", broker.port);
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "A");
  const runB = runBot(b, "127.0.0.1", broker.port);
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "B");
  await Promise.all([runGame(game, "127.0.0.1", broker.port), runA, runB]);
  expect(game.bots).toEqual([{ index: 0, name: "A" }, { index: 1, name: "B" }]);
  expect(game.replies).toEqual(["A:turn 0", "B:turn 1", "A:turn 2", "B:turn 3", "A:turn 4", "B:turn 5"]);
  expect(a.states).toEqual(["turn 0", "turn 2", "turn 4"]);
  expect(b.states).toEqual(["turn 1", "turn 3", "turn 5"]);
  await broker.waitForLog((l) => l.event === "match ended");
});

test("a typed game and a typed bot exchange decoded protobuf messages", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1" });
  const game = new SumGame(5);
  await Promise.all([runGame(game, "127.0.0.1", broker.port), runBot(new SumBot(), "127.0.0.1", broker.port)]);
  expect(game.answers).toEqual([
    { total: 0, label: "q0" },
    { total: 0, label: "q1" },
    { total: 1, label: "q2" },
    { total: 3, label: "q3" },
    { total: 6, label: "q4" },
  ]);
});

test("a game that ends the match at once resolves, and so do its bots", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "3" });
  const bots = ["X", "Y", "Z"].map((n) => runBot(new EchoBot(n), "127.0.0.1", broker!.port));
  const game = new ScriptGame(0);
  await Promise.all([runGame(game, "127.0.0.1", broker.port), ...bots]);
  expect(game.bots.map((b) => b.index)).toEqual([0, 1, 2]);
  expect(game.replies).toEqual([]);
});

test("plays match after match on one broker", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1" });
  for (let i = 0; i < 5; i++) {
    const game = new ScriptGame(3);
    await Promise.all([runGame(game, "127.0.0.1", broker.port), runBot(new EchoBot(`bot${i}`), "127.0.0.1", broker.port)]);
    expect(game.replies).toEqual([`bot${i}:turn 0`, `bot${i}:turn 1`, `bot${i}:turn 2`]);
  }
});
