// Games and bots over WebSocket at /ws on the HTTP port (PROTOCOL.md §12), through the real broker:
// a match mixing WebSocket and TCP clients byte for byte (a 4 MiB state included), the Hello and
// Welcome over WebSocket (frames not granted), the v1 empty hello, a client that stops reading cut
// as a slow consumer, bad messages refused like bad lines, tokens and per-address limits.
import { afterEach, expect, test } from "bun:test";
import { Control, Opcode, askBot, botHello, botName, decodeBatch, decodeWelcome, endGame, gameHello, isCode, message, reply, type Message } from "../../src/protocol/index.ts";
import { BrokerProcess, RawClient, pollUntil } from "./harness.ts";
import { helloWith, joinBot } from "./players.ts";
import { RawWs } from "./ws-client.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const MIB = 1024 * 1024;
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const isEnd = (m: Message) => isCode(m, Opcode.control, Control.end);

function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + seed * 7 + (i >>> 9)) & 0xff;
  return bytes;
}

async function wsJoin(port: number, hello: Message, ...more: Message[]): Promise<RawWs> {
  const c = await RawWs.connect(port);
  await c.send(hello, ...more);
  return c;
}

test("a WebSocket bot and a TCP bot play one match with a TCP game, byte for byte both ways, 4 MiB states included", async () => {
  broker = await BrokerProcess.start({ BROKER_MOVE_TIMEOUT_MS: "0" });
  const game = await RawClient.connect(broker.port);
  await game.send(helloWith("game", { room: "mix", bots: 2 }));
  // The WebSocket bot asks for frames too: a WebSocket frames every message, so they are not granted.
  const wsBot = await wsJoin(broker.healthPort, helloWith("bot", { room: "mix", features: ["results", "frames"] }), botName("Web"));
  const welcome = await wsBot.next();
  expect(isCode(welcome, Opcode.control, Control.welcome)).toBe(true);
  expect(decodeWelcome(welcome.body)).toMatchObject({ room: "mix", features: ["results"], queuePosition: 1, bots: 2 });
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Web");
  const tcpBot = await RawClient.connect(broker.port);
  await tcpBot.send(helloWith("bot", { room: "mix" }), botName("Tcp"));
  expect(isCode(await game.next(), Opcode.control, Control.welcome)).toBe(true);
  expect(isCode(await tcpBot.next(), Opcode.control, Control.welcome)).toBe(true);
  expect(decodeBatch((await game.next()).body)).toEqual([{ index: 0, name: "Web" }, { index: 1, name: "Tcp" }]);
  const logged = await broker.waitForLog((l) => l.event === "connection opened" && l.transport === "ws");
  expect(String(logged.peer)).toStartWith("127.0.0.1:");

  const states = [text("small"), pattern(4 * MIB, 1), new Uint8Array(0), pattern(4 * MIB + 1, 2)];
  const replyOf = (bot: number, s: Uint8Array) => (bot === 0 ? s.slice().reverse() : text(`tcp saw ${s.length} bytes, hash ${Bun.hash(s)}`));
  for (let t = 0; t < states.length * 2; t++) {
    expect(isCode(await game.next(), Opcode.trigger, 0)).toBe(true);
    const bot = t % 2;
    const state = states[t >> 1]!;
    await game.send(askBot(bot, state));
    const client = bot === 0 ? wsBot : tcpBot;
    const got = await client.next();
    expect([got.opcode, got.operand]).toEqual([Opcode.move, 0x05]);
    expect(got.body.length).toBe(state.length);
    expect(Bun.hash(got.body)).toBe(Bun.hash(state));
    await client.send(reply(replyOf(bot, got.body)));
    const relayed = await game.next();
    expect(isCode(relayed, Opcode.move, 0)).toBe(true);
    expect(Bun.hash(relayed.body)).toBe(Bun.hash(replyOf(bot, state)));
  }
  expect(isCode(await game.next(), Opcode.trigger, 0)).toBe(true);
  await game.send(endGame());
  expect(str((await game.next()).body)).toBe("");
  expect(str((await wsBot.next()).body)).toBe("");
  expect(str((await tcpBot.next()).body)).toBe("");
  await wsBot.untilClosed();
  expect(wsBot.closeCode).toBe(1000);
  expect(wsBot.textMessages).toBe(0);
  await Promise.all([game.untilClosed(), tcpBot.untilClosed()]);
}, 120_000);

test("a WebSocket game drives a v1 TCP bot: the bot sees v1 bytes, the game one envelope per message", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_MOVE_TIMEOUT_MS: "0" });
  const bot = await joinBot(broker.port, "Old");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Old");
  // An empty hello over WebSocket is a v1 client: default room, no Welcome.
  const game = await wsJoin(broker.healthPort, gameHello());
  expect(decodeBatch((await game.next()).body)).toEqual([{ index: 0, name: "Old" }]);
  const big = pattern(4 * MIB, 3);
  for (const state of [text("hi"), big]) {
    expect(isCode(await game.next(), Opcode.trigger, 0)).toBe(true);
    await game.send(askBot(0, state));
    const got = await bot.next();
    expect(Bun.hash(got.body)).toBe(Bun.hash(state));
    await bot.send(reply(got.body.slice().reverse()));
    const back = await game.next();
    expect(isCode(back, Opcode.move, 0)).toBe(true);
    expect(Bun.hash(back.body)).toBe(Bun.hash(state.slice().reverse()));
  }
  expect(isCode(await game.next(), Opcode.trigger, 0)).toBe(true);
  await game.send(endGame());
  expect(isEnd(await game.next())).toBe(true);
  expect(isEnd(await bot.next())).toBe(true);
  await game.untilClosed();
}, 60_000);

test("a WebSocket bot that stops reading is cut as a slow consumer and its match ends with slow_consumer", async () => {
  // A small line limit: 2 × 1 MiB held for it is too much. The kernel's socket buffers take some
  // megabytes first, so states go on until the broker's own buffer for the bot passes the cap.
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_LINE_BYTES_MAX: String(MIB), BROKER_MOVE_TIMEOUT_MS: "0" });
  const bot = await wsJoin(broker.healthPort, botHello(), botName("Deaf"));
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Deaf");
  const game = await RawClient.connect(broker.port);
  await game.send(gameHello());
  await game.next(); // batch
  bot.pause();
  const state = pattern(700 * 1024, 4);
  let end: Message | null = null;
  for (let turn = 1; turn <= 200 && end === null; turn++) {
    const m = await game.next(30_000);
    if (isEnd(m)) end = m;
    else {
      expect(isCode(m, Opcode.trigger, 0)).toBe(true);
      await game.send(askBot(0, state));
      // The broker has read the whole state and queued it for the bot: only then may it answer.
      const seen = await pollUntil(
        () => broker!.matches(),
        (ms) => ms.running.length === 0 || ms.running[0]!.turn === turn,
        30_000,
      );
      if (seen.running.length === 0) continue;
      await bot.sendBinary(new Uint8Array([Opcode.move, 0x00, turn & 0xff]));
      const r = await game.next(30_000);
      if (isEnd(r)) end = r;
    }
  }
  expect(end).not.toBeNull();
  expect(str(end!.body)).toMatch(/^slow_consumer: bot 0 \(Deaf\) stopped reading \(\d+ bytes unsent\)$/);
  const line = await broker.waitForLog((l) => l.event === "connection closed" && l.code === "slow_consumer");
  expect(line).toMatchObject({ role: "bot", level: "warn" });
  await game.untilClosed();
  bot.resume();
  await bot.untilClosed(); // cut: no close frame
  expect(bot.closeCode).toBeNull();
}, 120_000);

test("bad WebSocket messages are refused like bad lines: told why (00 FF + reason), then closed", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_MOVE_TIMEOUT_MS: "0" });
  const cases: Array<[string, (c: RawWs) => Promise<void>, RegExp]> = [
    ["a text message", (c) => c.sendText("AAI="), /^protocol_error: text_frame: a text message of 4 characters/],
    ["a message over 4 KiB in the handshake", (c) => c.sendBinary(new Uint8Array(4097).fill(0)), /^protocol_error: line_too_long: message of 4097 bytes; at most 4096$/],
    ["a one-byte envelope", (c) => c.sendBinary(new Uint8Array([0x00])), /^protocol_error: short_envelope: /],
    ["an unknown opcode", (c) => c.sendBinary(new Uint8Array([0x07, 0x00])), /^protocol_error: unknown_opcode: opcode 0x07$/],
    ["a first message that is not a hello", (c) => c.sendBinary(new Uint8Array([0x02, 0x00, 0x41])), /^bad_handshake: /],
  ];
  for (const [what, send, reason] of cases) {
    const c = await RawWs.connect(broker.healthPort);
    await send(c);
    const got = await c.untilClosed();
    expect({ what, messages: got.length }).toEqual({ what, messages: 1 });
    expect(isEnd(got[0]!)).toBe(true);
    expect(str(got[0]!.body)).toMatch(reason);
    expect(c.closeCode).toBe(1000);
  }
  // The broker is unharmed: a match plays on.
  const bot = await wsJoin(broker.healthPort, botHello(), botName("Fine"));
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Fine");
  const game = await RawClient.connect(broker.port);
  await game.send(gameHello());
  await game.next();
  await game.next();
  await game.send(endGame());
  expect(isEnd(await game.next())).toBe(true);
  expect(isEnd(await bot.next())).toBe(true);
}, 60_000);

test("in a match, a WebSocket bot's text or garbage message ends it with bot_misbehaved; an oversize one too", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_LINE_BYTES_MAX: String(64 * 1024), BROKER_MOVE_TIMEOUT_MS: "0" });
  const faults: Array<[string, (c: RawWs) => Promise<void>, RegExp, boolean]> = [
    ["text", (c) => c.sendText("hello"), /^bot_misbehaved: bot 0 \(B\) sent an invalid line: text_frame: /, true],
    ["garbage", (c) => c.sendBinary(new Uint8Array([0xee])), /^bot_misbehaved: bot 0 \(B\) sent an invalid line: short_envelope: /, true],
    // Over ¾ of BROKER_LINE_BYTES_MAX (48 KiB): Bun closes it before the broker sees it; it cannot be told.
    ["oversize", (c) => c.sendBinary(new Uint8Array(48 * 1024 + 1)), /^bot_misbehaved: bot 0 \(B\) sent an invalid line: line_too_long: a message over 49152 bytes$/, false],
  ];
  for (const [what, send, reason, told] of faults) {
    const bot = await wsJoin(broker.healthPort, botHello(), botName("B"));
    await broker.waitForLogCount((l) => l.event === "seat taken" && l.name === "B", faults.findIndex((f) => f[0] === what) + 1);
    const game = await RawClient.connect(broker.port);
    await game.send(gameHello());
    await game.next(); // batch
    await game.next(); // trigger
    await game.send(askBot(0, text("go")));
    expect(str((await bot.next()).body)).toBe("go");
    await send(bot);
    // The game waited for a reply: 00 FF twice (PROTOCOL.md §6).
    const [first, second] = [await game.next(), await game.next()];
    expect({ what, reason: str(first.body) }).toEqual({ what, reason: expect.stringMatching(reason) });
    expect(str(second.body)).toBe(str(first.body));
    const left = await bot.untilClosed();
    expect({ what, told: left.length === 1 && str(left[0]!.body) === str(first.body) }).toEqual({ what, told });
    await game.untilClosed();
  }
}, 60_000);

test("with a token required, a WebSocket client without it is refused (unauthorized); with it, it plays", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_TOKEN: "ws-token-123" });
  for (const hello of [botHello(), helloWith("bot", { token: "wrong-token" })]) {
    const c = await wsJoin(broker.healthPort, hello, botName("Stranger"));
    const got = await c.untilClosed();
    expect(str(got.at(-1)!.body)).toStartWith("unauthorized: ");
  }
  await broker.waitForLogCount((l) => l.event === "connection rejected" && l.code === "unauthorized" && String(l.peer).startsWith("127.0.0.1:"), 2);
  const bot = await wsJoin(broker.healthPort, helloWith("bot", { token: "ws-token-123" }), botName("Member"));
  expect(isCode(await bot.next(), Opcode.control, Control.welcome)).toBe(true);
  // The admin side of the HTTP port is not involved: /ws takes the players' tokens, in the Hello.
  expect(broker.logs.some((l) => JSON.stringify(l).includes("ws-token-123"))).toBe(false);
});

test("per-address limits count WebSocket connections with TCP ones; the hello deadline applies", async () => {
  broker = await BrokerProcess.start({ BROKER_CONNECTIONS_PER_ADDRESS_MAX: "1", BROKER_HELLO_TIMEOUT_MS: "1500" });
  const held = await RawClient.connect(broker.port);
  await broker.waitForLog((l) => l.event === "connection opened" && l.transport === "tcp");
  const second = await RawWs.connect(broker.healthPort);
  const got = await second.untilClosed();
  expect(str(got[0]!.body)).toStartWith("limit_exceeded: too many connections from 127.0.0.1");
  // The held TCP connection never says hello: it is told so at its deadline, as a WebSocket one would be.
  expect(str((await held.next()).body)).toStartWith("hello_timeout: ");
  await held.untilClosed();
  await pollUntil(() => broker!.health(), (h) => h.body.connections === 0);
  const silent = await RawWs.connect(broker.healthPort);
  const told = await silent.untilClosed();
  expect(str(told[0]!.body)).toBe("hello_timeout: no hello within 1500 ms");
});

test("WebSockets in their handshake are capped per address and in all: past a cap an upgrade gets 503 until one is through", async () => {
  broker = await BrokerProcess.start({ BROKER_WS_HANDSHAKES_PER_ADDRESS_MAX: "2", BROKER_HELLO_TIMEOUT_MS: "60000" });
  const refused = (e: unknown) => expect(String(e)).toContain("no upgrade: HTTP/1.1 503");
  // Two strangers that never finish their handshake hold this address's two places.
  const first = await RawWs.connect(broker.healthPort);
  const second = await RawWs.connect(broker.healthPort);
  await broker.waitForLogCount((l) => l.event === "connection opened" && l.transport === "ws", 2);
  await RawWs.connect(broker.healthPort).then(() => expect.unreachable("upgraded past the cap"), refused);
  const why = await broker.waitForLog((l) => l.event === "websocket upgrade refused");
  expect(String(why.reason)).toBe("2 WebSockets from 127.0.0.1 are in their handshake (BROKER_WS_HANDSHAKES_PER_ADDRESS_MAX 2)");
  // TCP is not WebSocket's budget: a TCP client still joins.
  const tcp = await joinBot(broker.port, "TcpStillJoins");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "TcpStillJoins");
  // One of them finishes its handshake: its place is free.
  await first.send(helloWith("bot", { client: "ws-test" }), botName("Through"));
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Through");
  const third = await RawWs.connect(broker.healthPort);
  // One goes away: its place is free too.
  second.close();
  await pollUntil(() => broker!.health(), (h) => h.body.connections === 3);
  const fourth = await RawWs.connect(broker.healthPort);
  await RawWs.connect(broker.healthPort).then(() => expect.unreachable("upgraded past the cap"), refused);
  for (const c of [first, third, fourth]) c.close();
  tcp.close();
});

test("BROKER_WS_HANDSHAKES_MAX caps WebSockets in their handshake from all addresses together", async () => {
  broker = await BrokerProcess.start({ BROKER_WS_HANDSHAKES_MAX: "1", BROKER_HELLO_TIMEOUT_MS: "60000" });
  const lurker = await RawWs.connect(broker.healthPort);
  await broker.waitForLog((l) => l.event === "connection opened" && l.transport === "ws");
  await expect(RawWs.connect(broker.healthPort)).rejects.toThrow(/no upgrade: HTTP\/1.1 503/);
  const why = await broker.waitForLog((l) => l.event === "websocket upgrade refused");
  expect(String(why.reason)).toBe("1 WebSockets are in their handshake (BROKER_WS_HANDSHAKES_MAX 1)");
  lurker.close();
});

test("/ws answers plain requests with 426, other methods with 405; BROKER_WS=off turns it off", async () => {
  broker = await BrokerProcess.start();
  const plain = await fetch(`http://127.0.0.1:${broker.healthPort}/ws`);
  expect(plain.status).toBe(426);
  expect(plain.headers.get("upgrade")).toBe("websocket");
  expect(((await plain.json()) as { error: string }).error).toBe("upgrade required");
  expect((await fetch(`http://127.0.0.1:${broker.healthPort}/ws`, { method: "POST" })).status).toBe(405);
  await broker.stop();
  broker = await BrokerProcess.start({ BROKER_WS: "off" });
  expect((await fetch(`http://127.0.0.1:${broker.healthPort}/ws`)).status).toBe(404);
  await expect(RawWs.connect(broker.healthPort)).rejects.toThrow(/no upgrade: HTTP\/1.1 404/);
});

test("SIGTERM tells WebSocket clients broker_shutdown, as TCP ones", async () => {
  broker = await BrokerProcess.start();
  const bot = await wsJoin(broker.healthPort, botHello(), botName("Waiting"));
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Waiting");
  broker.proc.kill("SIGTERM");
  const got = await bot.untilClosed();
  expect(str(got.at(-1)!.body)).toBe("broker_shutdown: broker shutting down");
  expect(await broker.proc.exited).toBe(0);
});

test("a WebSocket message is the envelope itself: the hello's bytes, then the batch's, exactly", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1" });
  const bot = await RawWs.connect(broker.healthPort);
  await bot.sendBinary(new Uint8Array([0x00, 0x02]));
  await bot.sendBinary(new Uint8Array([0x00, 0x22, 0x52, 0x01, 0x41]));
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "A");
  const game = await RawWs.connect(broker.healthPort);
  await game.sendBinary(new Uint8Array([0x00, 0x01]));
  const batch = await game.next();
  expect([batch.opcode, batch.operand, ...batch.body]).toEqual([0x00, 0x11, 0x0a, 0x03, 0x52, 0x01, 0x41]);
  expect(isCode(await game.next(), Opcode.trigger, 0)).toBe(true);
  await game.send(message(Opcode.control, Control.endGame));
  expect(isEnd(await game.next())).toBe(true);
});
