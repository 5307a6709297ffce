// Many matches at once through the real broker, over real sockets: 200 matches in 5 rooms of
// 1, 2, 3, 8 and 2 bots, 10 % of them with a faulty bot (gone, timing out, sending garbage, not
// reading). Every other match relays every turn byte for byte, and nobody plays outside its room.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Control, Opcode, askBot, decodeBatch, endGame, isCode, reply, type Message } from "../../src/protocol/index.ts";
import { BrokerProcess, type RawClient } from "./harness.ts";
import { joinBotIn, joinGameIn } from "./players.ts";

/** Room → bots per match; r3 and r8 are declared in a rooms file, the others made on demand by the games' Hellos. */
const ROOMS: ReadonlyArray<readonly [string, number]> = [
  ["r1", 1],
  ["r2", 2],
  ["r3", 3],
  ["r8", 8],
  ["r2b", 2],
];
const MATCHES_PER_ROOM = 40;
const TURNS = 6;
/** Long enough for a healthy bot on a loaded machine; the timing-out bots wait it out. */
const MOVE_TIMEOUT_MS = 15_000;
type Fault = "gone" | "timeout" | "garbage" | "deaf";
/** What a match whose first faulty bot (in turn order) is of this kind must end with. */
const FAULT_CODE: Record<Fault, string> = { gone: "bot_disconnected", timeout: "move_timeout", garbage: "bot_misbehaved", deaf: "move_timeout" };
/** 20 faulty bots, 5 of each kind, spread over the rooms with more than one bot (10 % of the matches at most). */
const FAULTS: ReadonlyArray<readonly [string, Fault]> = (["gone", "timeout", "garbage", "deaf"] as const).flatMap((kind, k) =>
  ["r2", "r3", "r8", "r2b", ["r2", "r3", "r8", "r2b"][k]!].map((room) => [room, kind] as const),
);

let broker: BrokerProcess;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "bitbroker-arena-"));
  const rooms = join(dir, "rooms.toml");
  writeFileSync(rooms, "[rooms.r3]\nbots = 3\n\n[rooms.r8]\nbots = 8\n");
  // 840 connections from one address at once: far beyond the per-address defaults a public broker keeps.
  broker = await BrokerProcess.start({
    BROKER_ROOMS_FILE: rooms,
    BROKER_MOVE_TIMEOUT_MS: String(MOVE_TIMEOUT_MS),
    BROKER_HELLO_TIMEOUT_MS: "60000",
    BROKER_CONNECT_RATE_PER_ADDRESS: "100000",
    BROKER_CONNECTIONS_PER_ADDRESS_MAX: "100000",
  });
});
afterAll(async () => {
  await broker.stop();
});

/** The state of turn `t` of the game numbered `g`: bytes that differ from game to game and turn to turn. */
function state(g: number, t: number, big: boolean): Uint8Array {
  const out = new Uint8Array(big ? 4 * 1024 * 1024 : 16 + ((g * 7 + t) % 200));
  for (let i = 0; i < out.length; i++) out[i] = (g * 31 + t * 17 + i * 13) & 0xff;
  return out;
}
/** What a well-behaved bot answers: the state reversed, then its name. */
function answer(name: string, s: Uint8Array): Uint8Array {
  const n = new TextEncoder().encode(name);
  const out = new Uint8Array(s.length + n.length);
  out.set(s.toReversed());
  out.set(n, s.length);
  return out;
}
const faultOf = (name: string): Fault | null => (/-fault-(gone|timeout|garbage|deaf)-/.exec(name)?.[1] as Fault | undefined) ?? null;
const isEnd = (m: Message) => isCode(m, Opcode.control, Control.end);

/** A bot: its Welcome, then its kind of behaviour until 00 FF or its fault. */
async function playBot(c: RawClient, name: string): Promise<void> {
  const fault = faultOf(name);
  if (fault === "deaf") c.pause(); // never reads again: the broker holds its state, others go on
  if (fault === "deaf") return;
  const welcome = await c.next(60_000);
  expect(isCode(welcome, Opcode.control, Control.welcome)).toBe(true);
  for (;;) {
    const m = await c.next(60_000);
    if (isEnd(m)) return;
    if (fault === "gone") return c.close();
    if (fault === "timeout") continue; // never answers; its 00 FF comes at the deadline
    if (fault === "garbage") return void (await c.sendRaw("this is not base64\n"));
    await c.send(reply(answer(name, m.body)));
  }
}

interface GameResult {
  readonly room: string;
  readonly names: string[];
  readonly code: string;
}

/** A game: checks its line-up is of its room, plays TURNS turns checking every reply, ends. */
async function playGame(c: RawClient, g: number, room: string, size: number): Promise<GameResult> {
  expect(isCode(await c.next(60_000), Opcode.control, Control.welcome)).toBe(true);
  const batch = await c.next(60_000);
  expect(isCode(batch, Opcode.control, Control.batch)).toBe(true);
  const names = decodeBatch(batch.body).map((b) => b.name);
  expect(names).toHaveLength(size);
  for (const name of names) expect(name.startsWith(`${room}-`)).toBe(true);
  for (let t = 0; ; t++) {
    const trig = await c.next(60_000);
    if (isEnd(trig)) return { room, names, code: new TextDecoder().decode(trig.body).split(":")[0]! };
    expect(isCode(trig, Opcode.trigger, 0)).toBe(true);
    if (t === TURNS) {
      await c.send(endGame());
      const bye = await c.next(60_000);
      expect(isEnd(bye) && bye.body.length === 0).toBe(true);
      return { room, names, code: "normal" };
    }
    const bot = t % size;
    const s = state(g, t, faultOf(names[bot]!) === "deaf");
    await c.send(askBot(bot, s));
    const r = await c.next(60_000);
    if (isEnd(r)) {
      await c.next(60_000); // PROTOCOL.md §6: a game awaiting a reply gets 00 FF twice
      return { room, names, code: new TextDecoder().decode(r.body).split(":")[0]! };
    }
    expect(isCode(r, Opcode.move, 0)).toBe(true);
    expect(Bun.hash(r.body)).toBe(Bun.hash(answer(names[bot]!, s)));
  }
}

test("200 matches at once in 5 rooms: faults stay in their match, every other turn is byte-exact", async () => {
  // Everyone connects at once, games and bots interleaved, in no particular order.
  const games: Array<Promise<GameResult>> = [];
  const bots: Array<Promise<void>> = [];
  const joins: Array<Promise<void>> = [];
  let g = 0;
  for (const [room, size] of ROOMS) {
    const faulty = FAULTS.filter(([r]) => r === room).map(([, kind], i) => `${room}-fault-${kind}-${i}`);
    const names = Array.from({ length: MATCHES_PER_ROOM * size }, (_, i) => faulty[i] ?? `${room}-bot${i}`);
    for (let m = 0; m < MATCHES_PER_ROOM; m++) {
      const gameNo = g++;
      joins.push(joinGameIn(broker.port, room, size).then((c) => void games.push(playGame(c, gameNo, room, size))));
      for (const name of names.splice(0, size)) joins.push(joinBotIn(broker.port, name, room).then((c) => void bots.push(playBot(c, name))));
    }
  }
  await Promise.all(joins);
  const results = await Promise.all(games);
  await Promise.all(bots);

  expect(results).toHaveLength(200);
  let aborted = 0;
  for (const r of results) {
    // Bots are asked in index order; with more bots than turns, the last ones are never asked.
    const first = r.names.slice(0, TURNS).map(faultOf).find((f) => f !== null) ?? null;
    // A match with no faulty bot ended normally; one with a faulty bot ended by the first to act up.
    expect(r.code).toBe(first === null ? "normal" : FAULT_CODE[first]);
    if (first !== null) aborted++;
  }
  expect(aborted).toBeGreaterThan(0);
  expect(aborted).toBeLessThanOrEqual(20);
  const health = (await broker.health()).body;
  expect(health).toMatchObject({ matchesRunning: 0, matchesPlayed: 200, matchesAborted: aborted, gamesWaiting: 0, botsWaiting: 0 });
}, 120_000);
