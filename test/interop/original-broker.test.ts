// Our TypeScript SDK's runBot/runGame, Hello bodies and all, play whole matches through the
// ORIGINAL broker (`bitbroker` 0.1.0's own run_broker: test/interop's `original_broker`), which
// ignores hello bodies and sends no Welcome (PROTOCOL.md §9): the SDK stays on v1 lines.
import { afterEach, beforeAll, expect, test } from "bun:test";
import { runBot, runGame, type SdkLog, type SdkLogLevel } from "../../src/sdk/index.ts";
import { BUILD_TIMEOUT_MS, Child, buildOriginal, type OriginalPrograms } from "./original.ts";
import { CheckingGame, ReverseBot } from "./players.ts";

const MiB = 1024 * 1024;
// Bounds: the original binds its port after printing it (our clients retry the connect), and a
// broken match must fail, not hang.
const CLIENT = { connectTimeoutMs: 20_000, readTimeoutMs: 30_000 } as const;

let programs: OriginalPrograms;
let broker: Child | undefined;

beforeAll(async () => {
  programs = await buildOriginal();
}, BUILD_TIMEOUT_MS);
afterEach(() => {
  broker?.kill();
  broker = undefined;
});

/** Starts the original broker for `bots` bots on a free port; resolves with its port. */
async function startOriginal(bots: number): Promise<number> {
  broker = Child.spawn([programs.broker, String(bots), "0"]);
  const first = await broker.waitForLine(() => true);
  expect(first).toMatch(/^port \d+$/);
  return Number(first.split(" ")[1]);
}

/** An SDK log that keeps every line. */
function keptLog(): { log: SdkLog; lines: Array<[SdkLogLevel, string]> } {
  const lines: Array<[SdkLogLevel, string]> = [];
  return { log: (level, message) => lines.push([level, message]), lines };
}

/** Plays one match of `names.length` bots through the original broker; checks what both sides saw. */
async function playThroughOriginal(names: string[], rounds: number, big: { turn: number; bytes: number }): Promise<void> {
  const port = await startOriginal(names.length);
  const game = new CheckingGame(rounds, big);
  const bots = names.map((n) => new ReverseBot(n));
  const gameLog = keptLog();
  const botLogs = names.map(() => keptLog());
  // Every client sends a Hello (a room, bots per match, its features with "frames"); the original ignores it.
  await Promise.all([
    runGame(game, "127.0.0.1", port, { ...CLIENT, room: "blitz", bots: names.length, log: gameLog.log }),
    ...bots.map((b, i) => runBot(b, "127.0.0.1", port, { ...CLIENT, room: "blitz", log: botLogs[i]!.log })),
  ]);
  expect(await broker!.exited()).toBe(0); // it served its one match and returned Ok

  expect(game.problems).toEqual([]);
  expect(game.ended).toBe(true);
  expect(game.replies.length).toBe(rounds * names.length);
  // The original lists the bots in its own (hash-map) order; the SDK gives them in index order.
  expect(game.bots.map((b) => b.index)).toEqual(names.map((_, i) => i));
  expect(game.bots.map((b) => b.name).sort()).toEqual([...names].sort());
  for (const b of bots) expect(b.states).toEqual(game.sentTo(b.name));
  // No Welcome ever came: the clients never waited for one and never left v1 lines.
  for (const { lines } of [gameLog, ...botLogs]) {
    expect(lines.filter(([, m]) => m.startsWith("welcome"))).toEqual([]);
  }
  expect(gameLog.lines).toContainEqual(["info", `the match has started with ${names.length} bot(s)`]);
  for (const { lines } of botLogs) expect(lines).toContainEqual(["info", "the match has started: first state received"]);
}

test("a TypeScript game and one bot play a whole match through the original broker, a 1 MiB state and its reply byte for byte", async () => {
  await playThroughOriginal(["Solo"], 6, { turn: 3, bytes: MiB });
});

test("a TypeScript game and three bots play a whole match through the original broker, which sends no Welcome", async () => {
  await playThroughOriginal(["Alpha", "Beta", "Gamma"], 3, { turn: 4, bytes: 100_000 });
});
