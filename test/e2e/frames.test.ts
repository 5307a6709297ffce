// v2 binary frames through the real broker (PROTOCOL.md §11): granted to clients that ask, kept
// from those that do not, converted at the edge so v1 and v2 clients share a match byte for byte.
import { afterEach, expect, test } from "bun:test";
import { Control, Opcode, askBot, botName, decodeBatch, decodeWelcome, isCode, reply } from "../../src/protocol/index.ts";
import { runBot, runGame } from "../../src/sdk/index.ts";
import { BrokerProcess, RawClient } from "./harness.ts";
import { helloWith, joinBot, playBot } from "./players.ts";
import { EchoBot, ScriptGame } from "../sdk/players.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

/** A raw bot that asks for frames (RawClient speaks frames both ways once its Welcome grants them). */
async function framedBot(port: number, name: string): Promise<RawClient> {
  const bot = await RawClient.connect(port);
  await bot.send(helloWith("bot", { features: ["frames"] }), botName(name));
  return bot;
}

test("a client that asks for frames is granted them in its Welcome, and speaks v2 after it", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1" });
  const bot = await framedBot(broker.port, "framed");
  const w = await bot.next();
  expect(isCode(w, Opcode.control, Control.welcome) && decodeWelcome(w.body).features).toEqual(["frames"]);
  const game = await RawClient.connect(broker.port); // a v1 game: lines only
  await game.send(helloWith("game", {}));
  expect(isCode(await game.next(), Opcode.control, Control.welcome)).toBe(true);
  expect(decodeBatch((await game.next()).body).map((b) => b.name)).toEqual(["framed"]);
  await game.next(); // trigger
  const state = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 131) & 0xff);
  await game.send(askBot(0, state));
  const got = await bot.next();
  expect([got.opcode, got.operand]).toEqual([2, 5]);
  expect(Bun.hash(got.body)).toBe(Bun.hash(state));
  const back = state.toReversed();
  await bot.send(reply(back));
  const relayed = await game.next();
  expect(isCode(relayed, 2, 0) && Bun.hash(relayed.body) === Bun.hash(back)).toBe(true);
});

test("v1 and v2 clients play one match; every turn is byte-exact both ways", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const v1 = await joinBot(broker.port, "V1");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "V1");
  const game = new ScriptGame(6); // the SDK's game: frames by default
  const [,, v1States] = await Promise.all([runGame(game, "127.0.0.1", broker.port), runBot(new EchoBot("V2"), "127.0.0.1", broker.port), playBot(v1, "V1")]);
  expect(game.replies).toEqual(["V1:turn 0", "V2:turn 1", "V1:turn 2", "V2:turn 3", "V1:turn 4", "V2:turn 5"]);
  expect(v1States.states).toEqual(["turn 0", "turn 2", "turn 4"]);
});

test("a frame over the limit is refused before it is whole; the broker goes on", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_LINE_BYTES_MAX: "4096" });
  const bot = await framedBot(broker.port, "big");
  await bot.next(); // Welcome
  // A header announcing 1 GiB, and nothing more: refused as soon as the header is read.
  await bot.sendRaw(new Uint8Array([0x40, 0, 0, 0]));
  const line = await broker.waitForLog((l) => l.event === "connection rejected" && String(l.reason).includes("frame of"));
  expect(line).toMatchObject({ code: "protocol_error" });
  const game = new ScriptGame(1);
  await Promise.all([runGame(game, "127.0.0.1", broker.port), runBot(new EchoBot("ok"), "127.0.0.1", broker.port)]);
  expect(game.replies).toEqual(["ok:turn 0"]);
});
