// Socket-level fuzzing of the real broker: hundreds of connections send mutated traffic (random
// bytes, cut lines, valid lines in the wrong order, over-long lines, abrupt closes) while honest
// matches play in their own rooms; every honest line must arrive byte for byte, and the broker
// must end healthy with no connection left. The chaos is generated from the run's seed (budget.ts).
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { connect as netConnect, type Socket } from "node:net";
import {
  Control,
  Opcode,
  askBot,
  botHello,
  botName,
  encodeLine,
  endGame,
  gameHello,
  isCode,
  reply,
  trigger,
  yourMove,
  type Message,
} from "../../src/protocol/index.ts";
import { BrokerProcess, RawClient, pollUntil } from "../e2e/harness.ts";
import { helloWith } from "../e2e/players.ts";
import { noise, validMessage } from "./arbitraries.ts";
import { seed, totalRuns } from "./budget.ts";

const LINE_BYTES_MAX = 64 * 1024;
/**
 * Scaled with FUZZ_RUNS: 100,000 (CI) gives 1,000 chaos connections beside 8 honest matches, which
 * play at least 40 turns each and go on until the chaos is over.
 */
const scale = Math.max(1, totalRuns / 100_000);
const MATCHES = Math.round(8 * Math.min(scale, 4));
const TURNS = 40;
const CHAOS = Math.round(1000 * scale);
const WAVE = 50;

type Act =
  | { readonly k: "bytes"; readonly bytes: Uint8Array }
  | { readonly k: "line"; readonly message: Message }
  | { readonly k: "huge"; readonly bytes: number }
  | { readonly k: "end" };

const ascii = new TextEncoder();
const act: fc.Arbitrary<Act> = fc.oneof(
  { weight: 3, arbitrary: noise.map((bytes) => ({ k: "bytes" as const, bytes })) },
  {
    weight: 4,
    arbitrary: fc.oneof(
      validMessage,
      fc.constantFrom(gameHello(), botHello(), botName("chaos"), endGame(), reply(new Uint8Array([1])), askBot(0, new Uint8Array([2])), trigger()),
      fc.constantFrom("chaos-a", "chaos-b", "").map((room) => helloWith("game", { room, bots: 1 })),
      fc.constantFrom("chaos-a", "").map((room) => helloWith("bot", { room })),
    ).map((message) => ({ k: "line" as const, message })),
  },
  // Over the handshake's 4 KiB, or over BROKER_LINE_BYTES_MAX once admitted.
  { weight: 1, arbitrary: fc.constantFrom(5_000, LINE_BYTES_MAX + 100).map((bytes) => ({ k: "huge" as const, bytes })) },
  { weight: 1, arbitrary: fc.constant({ k: "end" as const }) },
);
const script = fc.array(act, { minLength: 1, maxLength: 8 });

let broker: BrokerProcess;
beforeAll(async () => {
  broker = await BrokerProcess.start({
    BROKER_NUM_PLAYERS: "1",
    BROKER_LINE_BYTES_MAX: String(LINE_BYTES_MAX),
    BROKER_HELLO_TIMEOUT_MS: "3000",
    BROKER_MOVE_TIMEOUT_MS: "0",
    BROKER_CONNECT_RATE_PER_ADDRESS: "1000000",
    BROKER_CONNECTIONS_PER_ADDRESS_MAX: "1000000",
  });
});
afterAll(async () => {
  await broker?.stop();
});

/** One chaos connection: plays its script, then waits (bounded) for the broker to close it. */
function chaos(port: number, acts: readonly Act[]): Promise<void> {
  return new Promise((resolve) => {
    const s: Socket = netConnect({ host: "127.0.0.1", port });
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    // Never left open past this: a connection the broker keeps (a chaos game waiting in its
    // queue, say) is closed by us instead. A bound, not a synchronisation.
    const timer = setTimeout(() => s.destroy(), 10_000);
    s.on("error", () => {});
    s.on("data", () => {});
    s.on("close", done);
    s.on("connect", () => {
      for (const a of acts) {
        if (s.destroyed) return;
        switch (a.k) {
          case "bytes":
            s.write(a.bytes);
            break;
          case "line":
            s.write(encodeLine(a.message));
            break;
          case "huge":
            s.write(new Uint8Array(a.bytes).fill(0x41));
            break;
          case "end":
            s.destroy();
            return;
        }
      }
      s.end();
    });
  });
}

const states = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 300 }), { seed, numRuns: 997 });
let chaosOver = false;
const sameLine = (m: Message, want: Message) => Buffer.compare(m.wire!, ascii.encode(encodeLine(want))) === 0;

/** An honest match in its own room: every line the game and the bot get is checked byte for byte. */
async function honestMatch(port: number, i: number): Promise<{ turns: number; lines: number }> {
  const room = `honest-${i}`;
  const game = await RawClient.connect(port);
  const bot = await RawClient.connect(port);
  await game.send(helloWith("game", { room, bots: 1 }));
  await bot.send(helloWith("bot", { room }), botName(`H${i}`));
  expect(isCode(await game.next(60_000), Opcode.control, Control.welcome)).toBe(true);
  expect(isCode(await bot.next(60_000), Opcode.control, Control.welcome)).toBe(true);
  expect(isCode(await game.next(60_000), Opcode.control, Control.batch)).toBe(true);
  let exact = 0;
  let t = 0;
  for (; t < TURNS || !chaosOver; t++) {
    expect(sameLine(await game.next(60_000), trigger())).toBe(true);
    const state = states[(i * 131 + t) % states.length]!;
    await game.send(askBot(0, state));
    expect(sameLine(await bot.next(60_000), yourMove(state))).toBe(true);
    const answer = Uint8Array.from(state, (b) => b ^ 0xff);
    await bot.send(reply(answer));
    expect(sameLine(await game.next(60_000), reply(answer))).toBe(true);
    exact += 3;
  }
  expect(sameLine(await game.next(60_000), trigger())).toBe(true);
  await game.send(endGame());
  const [g, b] = await Promise.all([game.untilClosed(60_000), bot.untilClosed(60_000)]);
  expect(g.map((m) => m.opcode * 256 + m.operand)).toEqual([0x00ff]);
  expect(b.map((m) => m.opcode * 256 + m.operand)).toEqual([0x00ff]);
  return { turns: t, lines: exact + 1 };
}

test(`the real broker under mutated traffic from ${CHAOS} connections keeps ${MATCHES} honest matches byte-exact and ends healthy (seed ${seed})`, async () => {
  const port = broker.port;
  const scripts = fc.sample(script, { seed, numRuns: CHAOS });
  const honest = Promise.all(Array.from({ length: MATCHES }, (_, i) => honestMatch(port, i)));
  for (let at = 0; at < scripts.length; at += WAVE) {
    await Promise.all(scripts.slice(at, at + WAVE).map((acts) => chaos(port, acts)));
  }
  chaosOver = true;
  const played = await honest;
  const exactLines = played.reduce((n, m) => n + m.lines, 0);
  for (const m of played) expect(m.lines).toBe(m.turns * 3 + 1);
  // Every connection accounted for: the broker holds none once everyone has gone.
  const health = await pollUntil(() => broker.health(), (h) => h.body.connections === 0, 30_000);
  expect(health.status).toBe(200);
  expect(health.body.status).toBe("ok");
  expect(health.body.matchesPlayed as number).toBeGreaterThanOrEqual(MATCHES);
  // Still serving: one more honest match.
  expect(await honestMatch(port, MATCHES)).toEqual({ turns: TURNS, lines: TURNS * 3 + 1 });
  expect(broker.proc.exitCode).toBeNull();
  expect(broker.logs.filter((l) => l.level === "error")).toEqual([]);
  const turns = played.reduce((n, m) => n + m.turns, 0);
  console.log(`socket fuzz: ${CHAOS} chaos connections beside ${MATCHES} honest matches (${turns} turns, ${exactLines} lines byte-exact), then one more match`);
});
