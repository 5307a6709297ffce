// Rooms and queues through the real broker over real sockets: queue order, a second game that
// waits, leaving a queue, the queue limit, the running cap, and a drain with matches running.
import { afterEach, expect, test } from "bun:test";
import { Control, Opcode, askBot, decodeBatch, decodeWelcome, isCode, message } from "../../src/protocol/index.ts";
import { BrokerProcess, RawClient, pollUntil } from "./harness.ts";
import { joinBot, joinBotIn, joinGame, joinGameIn, playBot, playGame } from "./players.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const text = (s: string) => new TextEncoder().encode(s);

test("a second game waits for the next line-up instead of being turned away; bots take seats in arrival order", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const first = await joinGame(broker.port);
  await broker.waitForLogCount((l) => l.event === "game joined the lobby", 1);
  const second = await joinGame(broker.port);
  await broker.waitForLogCount((l) => l.event === "game joined the lobby", 2);
  const bots = [];
  for (const name of ["A", "B", "C", "D"]) {
    bots.push(await joinBot(broker.port, name));
    await broker.waitForLog((l) => l.event === "seat taken" && l.name === name);
  }
  const [g1, g2] = await Promise.all([playGame(first, 2), playGame(second, 2), ...bots.map((b, i) => playBot(b, "ABCD"[i]!))]);
  expect(g1.bots.map((b) => b.name)).toEqual(["A", "B"]);
  expect(g2.bots.map((b) => b.name)).toEqual(["C", "D"]);
  expect((await broker.health()).body).toMatchObject({ matchesPlayed: 2, matchesAborted: 0 });
});

test("a client that disconnects while queued just leaves the queue", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const leaver = await joinBot(broker.port, "Leaver");
  const stayer = await joinBot(broker.port, "Stayer");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Stayer");
  leaver.close();
  await broker.waitForLog((l) => l.event === "connection closed" && l.role === "bot");
  expect((await broker.health()).body).toMatchObject({ botsWaiting: 1 });
  const late = await joinBot(broker.port, "Late");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Late");
  const game = await joinGame(broker.port);
  const [g] = await Promise.all([playGame(game, 2), playBot(stayer, "S"), playBot(late, "L")]);
  expect(g.bots.map((b) => b.name)).toEqual(["Stayer", "Late"]);
});

test("clients with a Hello are welcomed with their room and place in line, and play only in their room", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const red = [await joinBotIn(broker.port, "red-1", "red"), await joinBotIn(broker.port, "red-2", "red")];
  const blue = await joinBotIn(broker.port, "blue-1", "blue");
  const w = decodeWelcome((await red[1]!.next()).body);
  expect(w).toMatchObject({ room: "red", queuePosition: 2, bots: 2 });
  expect(decodeWelcome((await blue.next()).body)).toMatchObject({ room: "blue", queuePosition: 1 });
  const game = await joinGameIn(broker.port, "red");
  expect(isCode(await game.next(), Opcode.control, Control.welcome)).toBe(true);
  const batch = await game.next();
  expect(decodeBatch(batch.body).map((b) => b.name)).toEqual(["red-1", "red-2"]);
  expect((await broker.health()).body).toMatchObject({ rooms: { blue: { botsWaiting: 1, matchesRunning: 0 }, red: { matchesRunning: 1 } } });
});

test("BROKER_RUNNING_MATCHES_MAX: a complete line-up waits for a free slot, then starts", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_RUNNING_MATCHES_MAX: "1" });
  const g1 = await joinGame(broker.port);
  const b1 = await joinBot(broker.port, "first");
  await broker.waitForLog((l) => l.event === "match started");
  const g2 = await joinGame(broker.port);
  const b2 = await joinBot(broker.port, "second");
  await broker.waitForLog((l) => l.event === "lobby waiting" && l.waitingFor === "a free match slot");
  expect((await broker.health()).body).toMatchObject({ matchesRunning: 1, roomsWaitingToStart: 1, gamesWaiting: 1, botsWaiting: 1 });
  const [r1] = await Promise.all([playGame(g1, 1), playBot(b1, "first")]);
  expect(r1.end).toBe("");
  const [r2] = await Promise.all([playGame(g2, 1), playBot(b2, "second")]);
  expect(r2.bots.map((b) => b.name)).toEqual(["second"]);
});

test("drain: SIGTERM lets a running match finish while newcomers and waiting clients are told to go", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_DRAIN_MS: "60000" });
  const game = await joinGame(broker.port);
  const bot = await joinBot(broker.port, "A");
  await game.next(); // batch
  await game.next(); // trigger
  const waiting = await joinGame(broker.port);
  await broker.waitForLogCount((l) => l.event === "game joined the lobby", 2);
  broker.proc.kill("SIGTERM");
  await broker.waitForLog((l) => l.event === "draining");
  const why = "broker_shutdown: broker draining: it starts no new matches";
  expect(new TextDecoder().decode((await waiting.next()).body)).toBe(why);
  expect((await broker.health()).body).toMatchObject({ status: "draining", phase: "draining", matchesRunning: 1 });
  const newcomer = await RawClient.connect(broker.port);
  expect(new TextDecoder().decode((await newcomer.next()).body)).toBe(why);
  // The running match goes on, turn after turn, and ends normally.
  await game.send(askBot(0, text("still playing")));
  expect(new TextDecoder().decode((await bot.next()).body)).toBe("still playing");
  await bot.send(message(Opcode.move, 0, text("yes")));
  expect(new TextDecoder().decode((await game.next()).body)).toBe("yes");
  await game.next(); // trigger
  await game.send(message(Opcode.control, Control.endGame));
  expect((await game.next()).body.length).toBe(0);
  // Its end ends the drain: the broker exits 0.
  expect(await broker.proc.exited).toBe(0);
});

test("drain: at BROKER_DRAIN_MS the matches left end with broker_shutdown", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_DRAIN_MS: "300" });
  const game = await joinGame(broker.port);
  const bot = await joinBot(broker.port, "A");
  await game.next();
  await game.next();
  broker.proc.kill("SIGTERM");
  const bye = await game.next(10_000);
  expect(new TextDecoder().decode(bye.body)).toBe("broker_shutdown: broker shutting down");
  expect(new TextDecoder().decode((await bot.next(10_000)).body)).toBe("broker_shutdown: broker shutting down");
  expect(await broker.proc.exited).toBe(0);
  expect(broker.logs.some((l) => l.event === "shutting down" && String(l.why).startsWith("drain time over"))).toBe(true);
});

test("GET /matches lists a running match and, once it ended, its cause and turns", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1" });
  const game = await joinGame(broker.port);
  const bot = await joinBot(broker.port, "A");
  const playing = Promise.all([playGame(game, 3), playBot(bot, "A")]);
  await playing;
  const m = await pollUntil(() => broker!.matches(), (m) => m.ended.length === 1);
  expect(m.running).toEqual([]);
  expect(m.ended[0]).toMatchObject({ room: "default", bots: ["A"], code: "normal", turns: 3 });
  expect(Date.parse(String(m.ended[0]!.endedAt))).toBeGreaterThanOrEqual(Date.parse(String(m.ended[0]!.startedAt)));
});
