// The SDK's socket (src/sdk/connection.ts, node:net) through the real broker: states larger than
// the socket buffers both ways (back-pressure), plain Uint8Array bodies, a bad port.
import { afterEach, expect, test } from "bun:test";
import { SdkError, runBot, runGame } from "../../src/sdk/index.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { BigStateGame, ReverseBot, expectReversed } from "./players.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const MIB = 1024 * 1024;

function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

test("states and replies of several MiB cross intact both ways, past the socket buffers", async () => {
  // 9 MiB is 12 MiB of base64: more than a loopback socket buffers, so writes wait for drain.
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1" });
  const states = [pattern(9 * MIB, 1), pattern(100, 2), pattern(9 * MIB, 3)];
  const game = new BigStateGame(states);
  const bot = new ReverseBot();
  await Promise.all([runGame(game, "127.0.0.1", broker.port), runBot(bot, "127.0.0.1", broker.port)]);
  expectReversed(game, states);
  // Bodies are plain Uint8Arrays (not Node Buffers), the same on every runtime.
  expect(new Set([...game.kinds, ...bot.kinds])).toEqual(new Set(["Uint8Array"]));
}, 60_000); // 36 MiB of base64 through three processes, as the broker's own 16 MiB tests allow

test("a port that is not a TCP port fails at once with connect_failed, without retrying", async () => {
  for (const port of [0, 70000, 1.5]) {
    let thrown: unknown;
    try {
      await runBot(new ReverseBot(), "127.0.0.1", port, { connectTimeoutMs: 60_000 });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SdkError);
    expect(thrown).toMatchObject({ code: "connect_failed" });
    expect((thrown as Error).message).toContain("not a TCP port");
  }
});
