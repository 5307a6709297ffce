// The SDK over WebSocket (its `url` option, PROTOCOL.md §12) through the real broker: on Bun (its
// own WebSocket) and on Node.js 20 (no global WebSocket: the `ws` package), mixed with TCP
// clients, states of several MiB both ways (back-pressure), tokens, and bad URLs.
import { afterEach, expect, test } from "bun:test";
import { SdkError, isRefused, runBot, runGame } from "../../src/sdk/index.ts";
import { urlOption } from "../../src/sdk/websocket.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { RawWs } from "../e2e/ws-client.ts";
import { BigStateGame, EchoBot, ReverseBot, ScriptGame, expectReversed, nodeBot, rejection } from "./players.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const MIB = 1024 * 1024;
const wsUrl = (b: BrokerProcess) => `ws://127.0.0.1:${b.healthPort}/ws`;

function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed + (i >>> 11)) & 0xff;
  return bytes;
}


test("a bot over WebSocket and a game over TCP: states of several MiB cross intact both ways", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_MOVE_TIMEOUT_MS: "0" });
  const states = [pattern(9 * MIB, 1), pattern(100, 2), new Uint8Array(0), pattern(9 * MIB, 3)];
  const game = new BigStateGame(states);
  await Promise.all([runGame(game, "127.0.0.1", broker.port), runBot(new ReverseBot("WsBot"), undefined, undefined, { url: wsUrl(broker) })]);
  expectReversed(game, states);
}, 120_000);

test("a bot whose upgrade is refused while the broker's WebSocket handshakes are full retries, and plays once one is through", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_WS_HANDSHAKES_MAX: "1", BROKER_HELLO_TIMEOUT_MS: "60000" });
  // A stranger holds the only place and says nothing.
  const lurker = await RawWs.connect(broker.healthPort);
  await broker.waitForLog((l) => l.event === "connection opened" && l.transport === "ws");
  const retries: string[] = [];
  const bot = runBot(new EchoBot("Patient"), undefined, undefined, { url: wsUrl(broker), connectTimeoutMs: 60_000, log: (_level, text) => retries.push(text) });
  await broker.waitForLog((l) => l.event === "websocket upgrade refused");
  lurker.close();
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Patient");
  const game = new ScriptGame(2);
  await Promise.all([runGame(game, "127.0.0.1", broker.port), bot]);
  expect(game.replies).toEqual(["Patient:turn 0", "Patient:turn 1"]);
  expect(retries.some((t) => t.includes("not reachable yet") && t.includes("503"))).toBe(true);
});

test("a game over WebSocket, one bot over WebSocket and one over TCP (v2 frames): one match, in order", async () => {
  broker = await BrokerProcess.start({ BROKER_MOVE_TIMEOUT_MS: "0" });
  const lines: string[] = [];
  const game = new ScriptGame(6);
  const ws = new EchoBot("Ws");
  const tcp = new EchoBot("Tcp");
  const log = (_level: string, m: string) => void lines.push(m);
  const botOverWs = runBot(ws, undefined, undefined, { url: wsUrl(broker), room: "mixed", log });
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Ws");
  const botOverTcp = runBot(tcp, "127.0.0.1", broker.port, { room: "mixed" });
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Tcp");
  await Promise.all([runGame(game, undefined, undefined, { url: wsUrl(broker), room: "mixed", bots: 2 }), botOverWs, botOverTcp]);
  expect(game.bots.map((b) => b.name)).toEqual(["Ws", "Tcp"]);
  expect(game.replies).toEqual(["Ws:turn 0", "Tcp:turn 1", "Ws:turn 2", "Tcp:turn 3", "Ws:turn 4", "Tcp:turn 5"]);
  expect(lines.some((l) => l.startsWith(`connected to the broker at ${wsUrl(broker!)}`))).toBe(true);
  expect(lines.some((l) => l.startsWith("welcome: room mixed"))).toBe(true);
  // The TCP bot was granted frames; over WebSocket none were asked for.
  const opened = broker.logs.filter((l) => l.event === "connection opened").map((l) => l.transport);
  expect(opened.sort()).toEqual(["tcp", "ws", "ws"]);
});

test("a broker that requires a token refuses a WebSocket client without it (refused: unauthorized)", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_TOKEN: "sdk-ws-token" });
  const e = await rejection(runBot(new EchoBot("NoToken"), undefined, undefined, { url: wsUrl(broker) }));
  expect(isRefused(e) && e.reasonCode).toBe("unauthorized");
  const game = new ScriptGame(1);
  await Promise.all([
    runGame(game, "127.0.0.1", broker.port, { token: "sdk-ws-token" }),
    runBot(new EchoBot("Member"), undefined, undefined, { url: wsUrl(broker), token: "sdk-ws-token" }),
  ]);
  expect(game.replies).toEqual(["Member:turn 0"]);
});

test("a URL that is not ws:// or wss:// is a clear error; a broker without /ws is connect_failed", async () => {
  expect(() => urlOption({ url: "http://127.0.0.1:8080/ws" }, {})).toThrow('the broker\'s URL must be ws://… or wss://… (its /ws path); got "http://127.0.0.1:8080/ws"');
  expect(urlOption({}, { BITBROKER_URL: "wss://broker.example/ws" })).toBe("wss://broker.example/ws");
  expect(urlOption({ url: "ws://a/ws" }, { BITBROKER_URL: "ws://b/ws" })).toBe("ws://a/ws");
  expect(urlOption({}, {})).toBe("");
  broker = await BrokerProcess.start({ BROKER_WS: "off" });
  const e = await rejection(runBot(new EchoBot("Nowhere"), undefined, undefined, { url: wsUrl(broker), connectTimeoutMs: 300, log: () => {} }));
  expect(e.code).toBe("connect_failed");
  expect(e.message).toContain(`cannot connect to the broker at ${wsUrl(broker)}`);
});

test("on Node.js 20 (no global WebSocket) the packaged SDK connects over WebSocket through the ws package", async () => {
  const script = await nodeBot("sdk-node-ws", `import { BaseBot, runBot } from "./index.js";
class Reverse extends BaseBot { name = "NodeWs"; decideMove(state) { return state.slice().reverse(); } }
await runBot(new Reverse(), undefined, undefined, { url: process.argv[2] });
console.log(\`node \${process.version}, global WebSocket: \${typeof globalThis.WebSocket}\`);
`);
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_MOVE_TIMEOUT_MS: "0" });
  const node = Bun.spawn(["node", script, wsUrl(broker)], { stdout: "pipe", stderr: "pipe" });
  const states = [pattern(3 * MIB, 5), pattern(10, 6), pattern(3 * MIB, 7)];
  const game = new BigStateGame(states);
  await runGame(game, "127.0.0.1", broker.port);
  expect(await node.exited).toBe(0);
  const out = await new Response(node.stdout).text();
  expect(out).toMatch(/^node v(\d+)\./);
  if (Number(/^node v(\d+)/.exec(out)![1]) < 22) expect(out).toContain("global WebSocket: undefined");
  expectReversed(game, states);
  expect(broker.logs.some((l) => l.event === "connection opened" && l.transport === "ws")).toBe(true);
}, 120_000);
