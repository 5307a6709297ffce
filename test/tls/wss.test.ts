// WebSocket over TLS (wss://, PROTOCOL.md §12): with BROKER_TLS_CERT/KEY the HTTP port is HTTPS,
// so /ws is wss:// with nothing more. The SDK verifies the broker as its `tls` option says, on
// Bun (its own WebSocket) and on Node.js (the ws package); a client that does not trust the
// broker never joins.
import { afterEach, expect, test } from "bun:test";
import { runBot, runGame, type SdkError } from "../../src/sdk/index.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { EchoBot, ScriptGame, nodeBot } from "../sdk/players.ts";
import { suiteCerts } from "./certs.ts";

const certs = suiteCerts();
let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const quiet = () => {};
const start = () => BrokerProcess.start({ BROKER_TLS_CERT: certs.chain, BROKER_TLS_KEY: certs.key, BROKER_NUM_PLAYERS: "2", BROKER_MOVE_TIMEOUT_MS: "0" });

test("a bot over wss:// (Bun) and one over TLS TCP play one match, each verifying the broker against the test's CA", async () => {
  broker = await start();
  const tls = { ca: certs.ca };
  const game = new ScriptGame(4);
  await Promise.all([
    runGame(game, "127.0.0.1", broker.port, { tls, log: quiet }),
    runBot(new EchoBot("Wss"), undefined, undefined, { url: `wss://localhost:${broker.healthPort}/ws`, tls, log: quiet }),
    runBot(new EchoBot("Tcp"), "127.0.0.1", broker.port, { tls, log: quiet }),
  ]);
  expect(game.bots.map((b) => b.name).sort()).toEqual(["Tcp", "Wss"]);
  expect(game.replies).toEqual([0, 1, 2, 3].map((t) => `${game.bots[t % 2]!.name}:turn ${t}`));
  expect(broker.logs.some((l) => l.event === "connection opened" && l.transport === "ws")).toBe(true);
});

test("a wss:// client that does not trust the broker's certificate never joins (connect_failed); ws:// on TLS fails too", async () => {
  broker = await start();
  for (const [url, tls] of [
    [`wss://localhost:${broker.healthPort}/ws`, { ca: certs.otherCa }],
    [`ws://localhost:${broker.healthPort}/ws`, undefined],
  ] as const) {
    let error: SdkError | undefined;
    await runBot(new EchoBot("Stranger"), undefined, undefined, { url, ...(tls ? { tls } : {}), connectTimeoutMs: 300, log: quiet }).catch((e: SdkError) => (error = e));
    expect({ url, code: error?.code }).toEqual({ url, code: "connect_failed" });
  }
  expect(broker.logs.some((l) => l.event === "seat taken")).toBe(false);
  // TLS asked for, on a ws:// URL: a clear error before any connection.
  const e = await runBot(new EchoBot("X"), undefined, undefined, { url: `ws://localhost:${broker.healthPort}/ws`, tls: true, log: quiet }).catch((x: SdkError) => x);
  expect((e as SdkError).message).toContain("TLS is asked for, but the URL is ws://; use wss://");
});

test("on Node.js the packaged SDK connects over wss:// through the ws package, trusting the given CA", async () => {
  const script = await nodeBot("sdk-node-wss", `import { BaseBot, runBot } from "./index.js";
class Echo extends BaseBot { name = "NodeWss"; decideMove(state) { return state; } }
await runBot(new Echo(), undefined, undefined, { url: process.argv[2], tls: { ca: process.argv[3] }, log: () => {} });
`);
  broker = await BrokerProcess.start({ BROKER_TLS_CERT: certs.chain, BROKER_TLS_KEY: certs.key, BROKER_NUM_PLAYERS: "1", BROKER_MOVE_TIMEOUT_MS: "0" });
  const node = Bun.spawn(["node", script, `wss://localhost:${broker.healthPort}/ws`, certs.ca], { stdout: "pipe", stderr: "pipe" });
  const game = new ScriptGame(2);
  await runGame(game, "127.0.0.1", broker.port, { tls: { ca: certs.ca }, log: quiet });
  expect(await node.exited).toBe(0);
  expect(game.replies).toEqual(["turn 0", "turn 1"]); // an echo
});
