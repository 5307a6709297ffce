// Access and limits through the real broker: tokens (shared, per-room file, re-read on SIGHUP with
// a match running), the handshake's small line limit, and a per-address cap that honest traffic
// from another loopback address (127.0.0.2) never meets.
import { afterEach, expect, test } from "bun:test";
import { connect as netConnect } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { askBot, botHello, decodeLine, encodeLine, reply } from "../../src/protocol/index.ts";
import { BaseBot, runBot, runGame, isRefused, type SdkError } from "../../src/sdk/index.ts";
import { BrokerProcess, RawClient } from "./harness.ts";
import { joinBot, joinGame } from "./players.ts";
import { EchoBot, ScriptGame, rejection } from "../sdk/players.ts";

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const text = (s: string) => new TextEncoder().encode(s);

test("BROKER_TOKEN: clients with the token play, others are refused, and the token is never logged", async () => {
  const secret = "s3cret-for-everyone";
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_TOKEN: secret });
  const v1 = await joinBot(broker.port, "NoHello");
  expect(new TextDecoder().decode((await v1.next()).body)).toStartWith("unauthorized: ");
  const wrong = await rejection(runBot(new EchoBot("Wrong"), "127.0.0.1", broker.port, { token: "not-the-secret" }));
  expect(isRefused(wrong) && wrong.reasonCode).toBe("unauthorized");
  const game = new ScriptGame(2);
  await Promise.all([runGame(game, "127.0.0.1", broker.port, { token: secret }), runBot(new EchoBot("Good"), "127.0.0.1", broker.port, { token: secret })]);
  expect(game.replies).toEqual(["Good:turn 0", "Good:turn 1"]);
  expect(broker.logs.some((l) => JSON.stringify(l).includes(secret))).toBe(false);
});

test("a tokens file is re-read on SIGHUP while a match runs: new tokens admitted, the match untouched", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bitbroker-tokens-"));
  const file = join(dir, "tokens.toml");
  writeFileSync(file, '[[token]]\ntoken = "first-token"\nrooms = ["league"]\n');
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_TOKENS_FILE: file });
  const game = new ScriptGame(1);
  /** Holds its first move until released: the match is surely running across the reload. */
  class SlowBot extends BaseBot {
    readonly release = Promise.withResolvers<void>();
    constructor(readonly name: string) {
      super();
    }
    async decideMove(state: Uint8Array): Promise<Uint8Array> {
      await this.release.promise;
      return text(`${this.name}:${new TextDecoder().decode(state)}`);
    }
  }
  const bot = new SlowBot("Holder");
  const opts = { room: "league", token: "first-token" };
  const playing = Promise.all([runGame(game, "127.0.0.1", broker.port, opts), runBot(bot, "127.0.0.1", broker.port, opts)]);
  await broker.waitForLog((l) => l.event === "match started");
  // Swap the token for another and reload: the running match goes on.
  writeFileSync(file, '[[token]]\ntoken = "second-token"\nrooms = ["league"]\n');
  broker.proc.kill("SIGHUP");
  await broker.waitForLog((l) => l.event === "tokens file reloaded");
  const late = await rejection(runBot(new EchoBot("Late"), "127.0.0.1", broker.port, opts));
  expect(late.reasonCode).toBe("unauthorized");
  bot.release.resolve();
  await playing;
  expect(game.replies).toEqual(["Holder:turn 0"]);
  const [g2] = [new ScriptGame(1)];
  const opts2 = { room: "league", token: "second-token" };
  await Promise.all([runGame(g2, "127.0.0.1", broker.port, opts2), runBot(new EchoBot("New"), "127.0.0.1", broker.port, opts2)]);
  expect(g2.replies).toEqual(["New:turn 0"]);
  // A broken file is not taken: the rules in force stay, and the log says why.
  writeFileSync(file, "[[token]]\ntoken = 1\n");
  broker.proc.kill("SIGHUP");
  await broker.waitForLog((l) => l.event === "tokens file not reloaded");
});

test("a connection in its handshake may not send a line over 4 KiB; once admitted, large lines are fine", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1" });
  const stranger = await RawClient.connect(broker.port);
  await stranger.sendRaw("A".repeat(8 * 1024));
  const [bye] = await stranger.untilClosed();
  expect(new TextDecoder().decode(bye!.body)).toBe("protocol_error: line_too_long: line of more than 4096 bytes");
  const game = await joinGame(broker.port);
  const bot = await joinBot(broker.port, "Big");
  await game.next();
  await game.next();
  const state = new Uint8Array(256 * 1024).fill(7);
  await game.send(askBot(0, state));
  expect((await bot.next()).body.length).toBe(state.length);
  await bot.send(reply(state));
  expect((await game.next()).body.length).toBe(state.length);
});

/** A raw connection from a chosen local address; resolves with the first line the broker sends. */
function firstLineFrom(localAddress: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: "127.0.0.1", port, localAddress });
    let got = "";
    socket.on("connect", () => socket.write(encodeLine(botHello())));
    socket.on("data", (chunk) => {
      got += chunk.toString("latin1");
      const nl = got.indexOf("\n");
      if (nl !== -1) {
        resolve(new TextDecoder().decode(decodeLine(text(got.slice(0, nl))).body));
        socket.destroy();
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(got));
  });
}

test("the per-address cap refuses the address over it, while another address plays on", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_CONNECTIONS_PER_ADDRESS_MAX: "2" });
  // Two connections from 127.0.0.2 hold its whole allowance...
  const held = [netConnect({ host: "127.0.0.1", port: broker.port, localAddress: "127.0.0.2" }), netConnect({ host: "127.0.0.1", port: broker.port, localAddress: "127.0.0.2" })];
  await broker.waitForLogCount((l) => l.event === "connection opened" && String(l.peer).startsWith("127.0.0.2:"), 2);
  // ...so the third from it is refused with the reason,
  expect(await firstLineFrom("127.0.0.2", broker.port)).toBe("limit_exceeded: too many connections from 127.0.0.2 (BROKER_CONNECTIONS_PER_ADDRESS_MAX 2)");
  // while a match from 127.0.0.1 plays as if nothing happened.
  const game = new ScriptGame(2);
  await Promise.all([runGame(game, "127.0.0.1", broker.port), runBot(new EchoBot("Honest"), "127.0.0.1", broker.port)]);
  expect(game.replies).toEqual(["Honest:turn 0", "Honest:turn 1"]);
  held.forEach((s) => s.destroy());
});
