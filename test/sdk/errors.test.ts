// SDK error paths through the real broker: no broker, abnormal match ends, user code that throws.
// Every rejection is checked for its kind; no mocks and no sleeps used to synchronise.
import { afterEach, expect, test } from "bun:test";
import { Action, BaseBot, BaseGame, SdkError, isBrokerShutdown, isMatchAborted, isRefused, runBot, runGame } from "../../src/sdk/index.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { EchoBot, ScriptGame, rejection } from "./players.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

/** A port that was free a moment ago: listen on port 0, note the port, stop listening. */
function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}


class ThrowingBot extends BaseBot {
  readonly name = "Thrower";
  readonly error = new Error("bot bug");
  decideMove(): Uint8Array {
    throw this.error;
  }
}

class ThrowingGame extends BaseGame {
  readonly error = new Error("game bug");
  initialise(): void {}
  nextAction(): Action {
    throw this.error;
  }
  deliverResponse(): void {}
}

test("gives up on an absent broker with a clear connect_failed error", async () => {
  const port = freePort();
  const said: Array<[string, string]> = [];
  const e = await rejection(runBot(new EchoBot("A"), "127.0.0.1", port, { connectTimeoutMs: 300, log: (level, m) => said.push([level, m]) }));
  expect(e).toBeInstanceOf(SdkError);
  expect(e).toMatchObject({ code: "connect_failed" });
  expect((e as Error).message).toContain(`127.0.0.1:${port}`);
  // It said what it was doing while it retried.
  expect(said.some(([level, m]) => level === "info" && m.startsWith(`broker at 127.0.0.1:${port} not reachable yet (attempt 1`))).toBe(true);
});

test("keeps retrying the first connect until the broker comes up", async () => {
  const port = freePort();
  const bot = new EchoBot("Early");
  const game = new ScriptGame(2);
  const early = [runBot(bot, "127.0.0.1", port), runGame(game, "127.0.0.1", port)];
  broker = await BrokerProcess.start({ BROKER_PORT: String(port), BROKER_NUM_PLAYERS: "1" });
  await Promise.all(early);
  expect(game.replies).toEqual(["Early:turn 0", "Early:turn 1"]);
});

test("a bot whose code throws rejects with that error and its socket closes, aborting the match", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const thrower = new ThrowingBot();
  const runThrower = runBot(thrower, "127.0.0.1", broker.port);
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Thrower");
  const [botError, otherError, gameError] = await Promise.all([
    rejection<unknown>(runThrower),
    rejection(runBot(new EchoBot("Other"), "127.0.0.1", broker.port)),
    rejection(runGame(new ScriptGame(4), "127.0.0.1", broker.port)),
  ]);
  expect(botError).toBe(thrower.error);
  // The broker saw the thrower's socket close: that is what it tells the others.
  for (const e of [otherError, gameError]) {
    expect(isMatchAborted(e)).toBe(true);
    expect((e as SdkError).reason).toContain("Thrower");
    expect((e as SdkError).reason).toContain("disconnected");
  }
});

test("a game whose code throws rejects with that error and its bots learn the match was aborted", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1" });
  const game = new ThrowingGame();
  const [gameError, botError] = await Promise.all([
    rejection<unknown>(runGame(game, "127.0.0.1", broker.port)),
    rejection(runBot(new EchoBot("A"), "127.0.0.1", broker.port)),
  ]);
  expect(gameError).toBe(game.error);
  expect(isMatchAborted(botError)).toBe(true);
  expect((botError as SdkError).reason).toContain("game");
});

test("a missed move deadline rejects the game and the slow bot as aborted, not as normal ends", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_MOVE_TIMEOUT_MS: "200" });
  const release = Promise.withResolvers<Uint8Array>();
  class SlowBot extends BaseBot {
    readonly name = "Slow";
    decideMove(): Promise<Uint8Array> {
      return release.promise;
    }
  }
  const runSlow = rejection(runBot(new SlowBot(), "127.0.0.1", broker.port));
  const gameError = await rejection(runGame(new ScriptGame(3), "127.0.0.1", broker.port));
  expect(isMatchAborted(gameError)).toBe(true);
  // The slow bot answers only now, after the broker has ended the match and closed its socket.
  release.resolve(new Uint8Array([1]));
  const botError = await runSlow;
  expect(isMatchAborted(botError)).toBe(true);
  expect((botError as SdkError).reason).toBe((gameError as SdkError).reason);
});

test("a broker that shuts down rejects a waiting bot with its reason", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const waiting = rejection(runBot(new EchoBot("Lonely"), "127.0.0.1", broker.port));
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Lonely");
  await broker.stop();
  const e = await waiting;
  expect(isBrokerShutdown(e)).toBe(true);
  expect(e).toMatchObject({ code: "broker_shutdown", reasonCode: "broker_shutdown", reason: "broker_shutdown: broker shutting down" });
});

test("an AbortSignal stops a bot waiting in the lobby", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const controller = new AbortController();
  const waiting = rejection(runBot(new EchoBot("Patient"), "127.0.0.1", broker.port, { signal: controller.signal }));
  const seat = await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Patient");
  controller.abort();
  expect(await waiting).toMatchObject({ code: "aborted" });
  // The broker sees the socket close.
  await broker.waitForLog((l) => l.event === "connection closed" && l.conn === seat.conn);
});

test("a client the broker turns away is told so, with the refusal's code", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_QUEUE_MAX: "1" });
  const first = new ScriptGame(1);
  const playing = runGame(first, "127.0.0.1", broker.port);
  await broker.waitForLog((l) => l.event === "game joined the lobby");
  const e = await rejection(runGame(new ScriptGame(1), "127.0.0.1", broker.port));
  expect(isRefused(e)).toBe(true);
  expect(e).toMatchObject({ code: "refused", reasonCode: "queue_full" });
  await runBot(new EchoBot("A"), "127.0.0.1", broker.port);
  await playing;
});

test("a read timeout gives up on a silent broker with read_timeout", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const e = await rejection(runBot(new EchoBot("Alone"), "127.0.0.1", broker.port, { readTimeoutMs: 100 }));
  expect(e).toMatchObject({ code: "read_timeout" });
});
