// The ORIGINAL crate's game and bots (`bitbroker` 0.1.0's run_game/run_bot, test/interop's
// `original_clients`) play in our broker's default room (v1: empty hello) while our TypeScript
// and Python SDKs play in named rooms, all at once (issue "rooms": PROTOCOL.md §9). Every game
// holds its match open at a gate until all four matches are running, so they really overlap.
import { afterEach, beforeAll, expect, test } from "bun:test";
import { runBot, runGame } from "../../src/sdk/index.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { BUILD_TIMEOUT_MS, Child, ROOT, buildOriginal, type OriginalPrograms } from "./original.ts";
import { CheckingGame, Gate, ReverseBot } from "./players.ts";

const PYTHON = process.env.PYTHON ?? `${ROOT}.venv/bin/python`;
const ROUNDS = 3;
// Bounds: a broken match fails, never hangs; the gate is held at most until every match runs.
const CLIENT = { connectTimeoutMs: 20_000, readTimeoutMs: 90_000, log: () => {} } as const;

let programs: OriginalPrograms;
let broker: BrokerProcess | undefined;
const children: Child[] = [];

beforeAll(async () => {
  programs = await buildOriginal();
}, BUILD_TIMEOUT_MS);
afterEach(async () => {
  for (const c of children.splice(0)) c.kill();
  await broker?.stop();
  broker = undefined;
});

/** One TypeScript SDK match in `room`: a game held at its gate and `bots` bots. */
function tsMatch(port: number, room: string, bots: number) {
  const gate = new Gate();
  const game = new CheckingGame(ROUNDS, { turn: 4, bytes: 100_000 }, gate);
  const players = Array.from({ length: bots }, (_, i) => new ReverseBot(`${room}-${i}`));
  const done = Promise.all([
    runGame(game, "127.0.0.1", port, { ...CLIENT, room, bots }),
    ...players.map((b) => runBot(b, "127.0.0.1", port, { ...CLIENT, room })),
  ]);
  done.catch(() => {}); // awaited below; a rejection before then must not go unhandled
  return { room, game, players, gate, done };
}

/** Waits (bounded) for a player program to exit 0 having printed `all ok`; else fails with its output. */
async function allOk(child: Child): Promise<void> {
  const code = await child.exited(60_000);
  if (code !== 0 || child.lines.at(-1) !== "all ok") throw new Error(`not all ok: ${child.describe()}`);
}

test(
  "original-crate game and bots in the default room and SDK clients in named rooms play at once, every reply byte for byte",
  async () => {
    broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "3" });
    const port = broker.port;
    const original = Child.spawn([programs.clients, String(port), "3", String(ROUNDS)]);
    const python = Child.spawn([PYTHON, "test/interop/python_room_match.py", "py-duo", String(port), "2", String(ROUNDS)]);
    children.push(original, python);
    const ts = [tsMatch(port, "ts-solo", 1), tsMatch(port, "ts-trio", 3)];

    // Every game is at its gate: each match has started and relayed a whole round, none can end.
    await Promise.all([original.waitForLine((l) => l === "at gate"), python.waitForLine((l) => l === "at gate"), ...ts.map((m) => m.gate.reached)]);
    await broker.waitForLogCount((l) => l.event === "match started", 4);
    const started = broker.logs.filter((l) => l.event === "match started");
    expect(started.map((l) => l.room).sort()).toEqual(["default", "py-duo", "ts-solo", "ts-trio"]);
    expect(started.find((l) => l.room === "default")).toMatchObject({ bots: 3, names: expect.arrayContaining(["interop-a", "interop-b", "interop-c"]) });
    expect(broker.logs.filter((l) => l.event === "match ended")).toEqual([]);

    // Let them all play on to their normal end.
    original.write("go\n");
    python.write("go\n");
    for (const m of ts) m.gate.open();
    await Promise.all(ts.map((m) => m.done));
    await allOk(original);
    await allOk(python);
    for (const { room, game, players } of ts) {
      expect(game.problems).toEqual([]);
      expect(game.ended).toBe(true);
      expect(game.replies.length).toBe(ROUNDS * players.length);
      expect(game.bots.map((b) => b.name)).toEqual(players.map((_, i) => `${room}-${i}`)); // only its own room's bots
      for (const b of players) expect(b.states).toEqual(game.sentTo(b.name));
    }
    await broker.waitForLogCount((l) => l.event === "match ended", 4);
    const ended = broker.logs.filter((l) => l.event === "match ended");
    expect(ended.map((l) => [l.room, l.code, l.turns]).sort()).toEqual([
      ["default", "normal", ROUNDS * 3],
      ["py-duo", "normal", ROUNDS * 2],
      ["ts-solo", "normal", ROUNDS * 1],
      ["ts-trio", "normal", ROUNDS * 3],
    ]);
  },
  120_000,
);
