// Full matches through the real broker over real sockets, raw v1 clients on both sides.
import { afterEach, expect, test } from "bun:test";
import { BrokerProcess } from "./harness.ts";
import { joinBot, joinGame, playBot, playGame } from "./players.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

test("plays a full match with 2 bots, game connecting first", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const game = await joinGame(broker.port);
  const a = await joinBot(broker.port, "A");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "A");
  const b = await joinBot(broker.port, "B");
  const [g, ra, rb] = await Promise.all([playGame(game, 6), playBot(a, "A"), playBot(b, "B")]);
  expect(g.bots).toEqual([{ index: 0, name: "A" }, { index: 1, name: "B" }]);
  expect(g.replies).toEqual(["A:turn 0", "B:turn 1", "A:turn 2", "B:turn 3", "A:turn 4", "B:turn 5"]);
  expect(ra.states).toEqual(["turn 0", "turn 2", "turn 4"]);
  expect(rb.states).toEqual(["turn 1", "turn 3", "turn 5"]);
  expect([g.end, ra.end, rb.end]).toEqual(["", "", ""]);
  await Promise.all([game.untilClosed(), a.untilClosed(), b.untilClosed()]);
});
