// Faults against the real broker: each bad client is closed alone while a normal match runs
// beside it; faults inside a match end it cleanly; SIGTERM ends everything within 2 s.
import { afterEach, describe, expect, test } from "bun:test";
import { connect as netConnect } from "node:net";
import { botHello, decodeLine, endGame, gameHello, isCode, message, trigger, encodeLine } from "../../src/protocol/index.ts";
import { BrokerProcess, RawClient } from "./harness.ts";
import { botName, joinBot, joinGame, playBot, playGame } from "./players.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const ascii = (s: string) => new TextEncoder().encode(s);

/** Starts a 2-bot match, runs `fault` while it is on, then checks the match ends normally. */
async function besideAMatch(fault: (b: BrokerProcess) => Promise<void>): Promise<void> {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2", BROKER_HELLO_TIMEOUT_MS: "400", BROKER_LINE_BYTES_MAX: "4096", BROKER_QUEUE_MAX: "2" });
  const game = await joinGame(broker.port);
  const a = await joinBot(broker.port, "A");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "A");
  const b = await joinBot(broker.port, "B");
  await broker.waitForLog((l) => l.event === "match started");
  // The bots answer throughout; the game plays its first turns, then the fault, then the rest.
  const bots = Promise.all([playBot(a, "A"), playBot(b, "B")]);
  expect(isCode(await game.next(), 0, 0x11)).toBe(true);
  expect(isCode(await game.next(), 1, 0)).toBe(true);
  await game.send(message(1, 0, ascii("before")));
  expect(new TextDecoder().decode((await game.next()).body)).toBe("A:before");
  expect(isCode(await game.next(), 1, 0)).toBe(true);
  await fault(broker);
  await game.send(message(1, 1, ascii("after")));
  expect(new TextDecoder().decode((await game.next()).body)).toBe("B:after");
  expect(isCode(await game.next(), 1, 0)).toBe(true);
  await game.send(endGame());
  const bye = await game.next();
  expect(isCode(bye, 0, 0xff) && bye.body.length === 0).toBe(true);
  expect((await bots).map((r) => r.end)).toEqual(["", ""]);
  expect((await broker.waitForLog((l) => l.event === "match ended")).cause).toBe("the game ended the match");
}

/** Connects, sends `bytes`, and expects to be closed with a "connection rejected" log line. */
async function rejected(b: BrokerProcess, bytes: string | Uint8Array, reason: RegExp): Promise<void> {
  const c = await RawClient.connect(b.port);
  await c.sendRaw(bytes);
  const [bye, ...rest] = await c.untilClosed();
  expect(rest).toEqual([]);
  expect(isCode(bye!, 0, 0xff)).toBe(true);
  expect(new TextDecoder().decode(bye!.body)).toMatch(reason);
  const line = await b.waitForLog((l) => l.event === "connection rejected" && reason.test(`${String(l.code)}: ${String(l.reason)}`));
  expect(String(line.peer)).toMatch(/^127\.0\.0\.1:\d+$/);
}

/**
 * A node:net client (as the TypeScript SDK's) that sends a bad line and, without waiting, much
 * more: what it reads before the broker's close, and the socket error it got, if any.
 */
function keepsWriting(port: number, first: string, moreBytes: number): Promise<{ lines: string; error: string | undefined }> {
  return new Promise((resolve) => {
    const s = netConnect({ host: "127.0.0.1", port });
    let lines = "";
    let error: string | undefined;
    s.on("data", (d) => (lines += d.toString("latin1")));
    s.on("error", (e: NodeJS.ErrnoException) => (error = e.code));
    s.on("close", () => resolve({ lines, error }));
    s.on("connect", () => {
      s.write(first);
      for (let i = 0; i < 4; i++) s.write(new Uint8Array(moreBytes / 4).fill(0x41));
    });
  });
}

describe("a bad client is closed alone while a match runs beside it", () => {
  // Regression (found by the socket fuzz): the broker closed at once, so the rest of the client's
  // writes met a reset and a node:net client lost the 00 FF it had not read yet. The broker now
  // shuts its write side only and reads on until the client closes (or the linger runs out).
  test("a client that goes on writing after a bad line still reads its 00 FF", () =>
    besideAMatch(async (b) => {
      for (const [first, more] of [["not base64!\n", 1 << 20], ["A".repeat(5000), 256 * 1024]] as const) {
        const got = await keepsWriting(b.port, first, more);
        expect(got.error).toBeUndefined();
        const bye = decodeLine(ascii(got.lines.trimEnd()));
        expect(isCode(bye, 0, 0xff)).toBe(true);
        expect(new TextDecoder().decode(bye.body)).toMatch(first.length > 100 ? /^protocol_error: line_too_long/ : /^protocol_error: bad_base64/);
      }
    }));
  test("an undecodable line", () => besideAMatch((b) => rejected(b, "not base64!\n", /^protocol_error: bad_base64/)));
  test("a CRLF line ending", () => besideAMatch((b) => rejected(b, "AAI=\r\n", /^protocol_error: bad_base64/)));
  test("a line over the limit, refused before it is whole", () =>
    besideAMatch((b) => rejected(b, "A".repeat(5000), /^protocol_error: line_too_long/)));
  test("an unknown opcode", () => besideAMatch((b) => rejected(b, "BAE=\n", /^protocol_error: unknown_opcode/)));
  test("an envelope under 2 bytes", () => besideAMatch((b) => rejected(b, "AA==\n", /^protocol_error: short_envelope/)));
  test("a wrong first message", () => besideAMatch((b) => rejected(b, encodeLine(trigger()), /^bad_handshake: .*expected a hello/)));
  test("a bot that sends something else than its name", () =>
    besideAMatch((b) => rejected(b, encodeLine(botHello()) + encodeLine(botHello()), /^bad_handshake: .*expected its name/)));
  test("a silent connection, at the hello deadline", () => besideAMatch((b) => rejected(b, "", /^hello_timeout: no hello within 400 ms/)));
  test("a half-finished handshake, at the hello deadline", () =>
    besideAMatch((b) => rejected(b, encodeLine(botHello()), /^hello_timeout: no name within 400 ms/)));
  test("a client beyond the room's queue limit", () =>
    besideAMatch(async (b) => {
      // BROKER_QUEUE_MAX is 2 here: two bots wait for the next match, a third is one too many.
      const waiting = [await joinBot(b.port, "next1"), await joinBot(b.port, "next2")];
      await b.waitForLog((l) => l.event === "seat taken" && l.name === "next2");
      await rejected(b, encodeLine(botHello()) + encodeLine(botName("third")), /^queue_full: room default has 2 clients waiting/);
      expect(waiting.some((s) => s.closed)).toBe(false);
    }));
});

describe("a fault inside a match ends it cleanly and the broker goes on", () => {
  test("a bot that disconnects: 00 FF with the cause to the game and the other bot", async () => {
    broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
    const game = await joinGame(broker.port);
    const a = await joinBot(broker.port, "A");
    await broker.waitForLog((l) => l.event === "seat taken");
    const b = await joinBot(broker.port, "B");
    await game.next();
    await game.next();
    await game.send(message(1, 0, ascii("s")));
    await a.next();
    a.close();
    const bye = await game.next();
    expect(new TextDecoder().decode(bye.body)).toMatch(/^bot_disconnected: bot 0 \(A\) disconnected/);
    expect(isCode(await b.next(), 0, 0xff)).toBe(true);
    await Promise.all([game.untilClosed(), b.untilClosed()]);
    // Back to the lobby: a new match plays through.
    const g2 = await joinGame(broker.port);
    const [c, d] = [await joinBot(broker.port, "C"), await joinBot(broker.port, "D")];
    const [r] = await Promise.all([playGame(g2, 2), playBot(c, "C"), playBot(d, "D")]);
    expect(r.replies).toHaveLength(2);
    expect((await broker.health()).body).toMatchObject({ matchesPlayed: 2, matchesAborted: 1 });
  });

  test("a bot that misses the move deadline", async () => {
    broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_MOVE_TIMEOUT_MS: "200" });
    const game = await joinGame(broker.port);
    const slow = await joinBot(broker.port, "slow");
    await game.next();
    await game.next();
    await game.send(message(1, 0, ascii("s")));
    await slow.next();
    const [first, second] = [await game.next(), await game.next()];
    expect(new TextDecoder().decode(first.body)).toBe("move_timeout: bot 0 (slow) missed its move deadline of 200 ms");
    expect(isCode(second, 0, 0xff)).toBe(true);
    expect(new TextDecoder().decode((await slow.next()).body)).toBe("move_timeout: bot 0 (slow) missed its move deadline of 200 ms");
  });
});

test("health counts playing and waiting clients apart; /matches lists the running match", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1" });
  expect(await broker.health()).toMatchObject({
    status: 200,
    body: { status: "ok", phase: "lobby", botsPerMatch: 1, botsPlaying: 0, botsWaiting: 0, gamesPlaying: 0, gamesWaiting: 0, matchesRunning: 0 },
  });
  const game = await joinGame(broker.port);
  const bot = await joinBot(broker.port, "A");
  await game.next();
  await game.next();
  await game.send(message(1, 0, ascii("s")));
  await bot.next(); // the broker relayed the state: turn 1 is counted
  const next = await joinBot(broker.port, "B");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "B");
  expect((await broker.health()).body).toMatchObject({
    phase: "running",
    botsPlaying: 1,
    botsWaiting: 1,
    gamesPlaying: 1,
    matchesRunning: 1,
    rooms: { default: { botsPerMatch: 1, declared: false, gamesWaiting: 0, botsWaiting: 1, matchesRunning: 1 } },
  });
  const matches = (await (await fetch(`http://127.0.0.1:${broker.healthPort}/matches`)).json()) as { running: Array<Record<string, unknown>> };
  expect(matches.running).toMatchObject([{ room: "default", bots: ["A"], turn: 1 }]);
  expect(String(matches.running[0]!.id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/); // a UUIDv7
  const root = await fetch(`http://127.0.0.1:${broker.healthPort}/`);
  expect(root.status).toBe(200);
  next.close();
});

test("SIGTERM: 00 FF + reason to every connection it accepted, 503 while stopping, exit 0 without waiting for the clients", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const game = await joinGame(broker.port);
  const a = await joinBot(broker.port, "A");
  await broker.waitForLog((l) => l.event === "seat taken");
  // Connected, but perhaps not yet accepted by the broker when the signal lands: it must still
  // be told why, never reset (PROTOCOL.md §7).
  const lurker = await RawClient.connect(broker.port);
  broker.proc.kill("SIGTERM");
  for (const c of [game, a, lurker]) {
    const m = await c.next();
    expect(isCode(m, 0, 0xff)).toBe(true);
    expect(new TextDecoder().decode(m.body)).toBe("broker_shutdown: broker shutting down");
  }
  // The clients keep their sockets open, so the broker is still in its grace period...
  expect((await broker.health()).status).toBe(503);
  // ...which it ends on its own: it exits 0 while every client still holds its socket open.
  expect(await broker.proc.exited).toBe(0);
  expect([game, a, lurker].map((c) => c.closed)).toEqual([true, true, true]);
  expect(broker.logs.at(-1)).toMatchObject({ event: "stopped", exitCode: 0 });
});
