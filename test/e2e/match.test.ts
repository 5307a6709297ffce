// Full matches through the real broker over real sockets, raw v1 clients on both sides.
import { afterEach, expect, test } from "bun:test";
import { askBot, isCode, reply } from "../../src/protocol/index.ts";
import { BrokerProcess, RawClient, pollUntil } from "./harness.ts";
import { expectTwoBotMatch, joinBot, joinGame, playBot, playGame } from "./players.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

test("plays a full match with 2 bots, game connecting first", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  await expectTwoBotMatch(broker);
});

test("plays a full match with 8 bots in mixed connect order", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "8" });
  const names = ["b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7"];
  const bots = [];
  for (const name of names.slice(0, 3)) {
    bots.push(await joinBot(broker.port, name));
    await broker.waitForLog((l) => l.event === "seat taken" && l.name === name);
  }
  const game = await joinGame(broker.port);
  await broker.waitForLog((l) => l.event === "game joined the lobby");
  for (const name of names.slice(3)) {
    bots.push(await joinBot(broker.port, name));
    await broker.waitForLog((l) => l.event === "seat taken" && l.name === name);
  }
  const [g, ...results] = await Promise.all([playGame(game, 24), ...bots.map((b, i) => playBot(b, names[i]!))]);
  expect(g.bots).toEqual(names.map((name, index) => ({ index, name })));
  expect(g.replies).toEqual(Array.from({ length: 24 }, (_, t) => `b${t % 8}:turn ${t}`));
  results.forEach((r, i) => expect(r.states).toEqual([`turn ${i}`, `turn ${i + 8}`, `turn ${i + 16}`]));
});

test("plays two matches back to back, then exits 0 after BROKER_MATCHES", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2", BROKER_MATCHES: "2" });
  for (const round of [1, 2]) {
    const a = await joinBot(broker.port, `A${round}`);
    const game = await joinGame(broker.port);
    await broker.waitForLog((l) => l.event === "seat taken" && l.name === `A${round}`);
    const b = await joinBot(broker.port, `B${round}`);
    const [g] = await Promise.all([playGame(game, 3), playBot(a, "A"), playBot(b, "B")]);
    expect(g.bots.map((x) => x.name)).toEqual([`A${round}`, `B${round}`]);
    expect(g.replies).toEqual(["A:turn 0", "B:turn 1", "A:turn 2"]);
  }
  expect(await broker.proc.exited).toBe(0);
  expect(broker.logs.filter((l) => l.event === "match ended").map((l) => l.cause)).toEqual([
    "the game ended the match",
    "the game ended the match",
  ]);
});

test("relays a 16 MiB state and a 16 MiB reply without loss or reordering", async () => {
  // No move deadline: these tests are about bytes, and on a loaded machine 16 MiB each way may
  // take longer than the default 10 s.
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_LINE_BYTES_MAX: String(24 * 1024 * 1024), BROKER_MOVE_TIMEOUT_MS: "0" });
  const state = new Uint8Array(16 * 1024 * 1024);
  for (let i = 0; i < state.length; i++) state[i] = (i * 2654435761) >>> 24;
  const bot = await joinBot(broker.port, "big");
  const game = await joinGame(broker.port);
  await game.next(); // batch
  await game.next(); // trigger
  await game.send(askBot(0, state));
  const got = await bot.next(20_000);
  expect(got.body.length).toBe(state.length);
  expect(Bun.hash(got.body)).toBe(Bun.hash(state));
  const back = state.map((x) => 255 - x);
  await bot.send(reply(back));
  const relayed = await game.next(20_000);
  expect(isCode(relayed, 2, 0)).toBe(true);
  expect(Bun.hash(relayed.body)).toBe(Bun.hash(back));
  expect(isCode(await game.next(), 1, 0)).toBe(true);
}, 60_000);

test("a bot that stops reading a 16 MiB state stalls no one; the state arrives whole once it reads", async () => {
  // No move deadline: these tests are about bytes, and on a loaded machine 16 MiB each way may
  // take longer than the default 10 s.
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_LINE_BYTES_MAX: String(24 * 1024 * 1024), BROKER_MOVE_TIMEOUT_MS: "0" });
  const state = new Uint8Array(16 * 1024 * 1024).map((_, i) => (i * 31) >>> 3);
  const bot = await joinBot(broker.port, "sleepy");
  const game = await joinGame(broker.port);
  await game.next(); // batch
  await game.next(); // trigger
  bot.pause();
  await game.send(askBot(0, state));
  // More than any socket buffer holds is now waiting in the broker's outbox for this bot,
  // yet the broker answers its health endpoint and turns away a bad client at once.
  // "Sent" is not "read": turn 1 means the broker has read the whole state and queued it.
  await pollUntil(() => broker!.matches(), (m) => m.running[0]?.turn === 1, 30_000);
  expect((await broker.health()).body).toMatchObject({ phase: "running", matchesRunning: 1 });
  const bad = await RawClient.connect(broker.port);
  await bad.sendRaw("not base64\n");
  await bad.untilClosed();
  bot.resume();
  const got = await bot.next(20_000);
  expect(Bun.hash(got.body)).toBe(Bun.hash(state));
  await bot.send(reply(new TextEncoder().encode("awake")));
  expect(new TextDecoder().decode((await game.next(20_000)).body)).toBe("awake");
}, 60_000);
