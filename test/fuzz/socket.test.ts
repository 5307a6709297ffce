// Socket-level fuzzing of the real broker: hundreds of connections send mutated traffic (random
// bytes, cut lines and frames, valid messages in the wrong order, over-long lines, frames and
// WebSocket messages, abrupt closes) in v1 lines, v2 frames and over WebSocket (chaos.ts), while
// honest matches play in their own rooms, their game and bot in any of the three framings; every
// honest message must arrive byte for byte, every refused chaos connection be told why, and the
// broker end healthy with no connection left. The chaos is generated from the run's seed (budget.ts).
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import {
  Control,
  Opcode,
  askBot,
  botName,
  codes,
  encodeEnvelope,
  endGame,
  envelopeBytesMax,
  frameBytes,
  isCode,
  lineBytes,
  reply,
  trigger,
  yourMove,
  type Message,
} from "../../src/protocol/index.ts";
import { BrokerProcess, RawClient, pollUntil } from "../e2e/harness.ts";
import { helloWith } from "../e2e/players.ts";
import { RawWs } from "../e2e/ws-client.ts";
import { checkOutcome, script, tcpChaos, wsChaos, type Framing, type Script, type Verdict } from "./chaos.ts";
import { seed, totalRuns } from "./budget.ts";

const LINE_BYTES_MAX = 64 * 1024;
const LIMITS = { lineBytesMax: LINE_BYTES_MAX, envelopeBytesMax: envelopeBytesMax(LINE_BYTES_MAX) };
/**
 * Scaled with FUZZ_RUNS: 100,000 (CI) gives 1,000 chaos connections in v1 lines, 500 in v2 frames
 * and 500 over WebSocket beside 8 honest matches, which play at least 40 turns each and go on
 * until the chaos is over.
 */
const scale = Math.max(1, totalRuns / 100_000);
const MATCHES = Math.round(8 * Math.min(scale, 4));
const TURNS = 40;
const CHAOS: Readonly<Record<Framing, number>> = { lines: Math.round(1000 * scale), frames: Math.round(500 * scale), ws: Math.round(500 * scale) };
const WAVE = 50;

let broker: BrokerProcess;
beforeAll(async () => {
  broker = await BrokerProcess.start({
    BROKER_NUM_PLAYERS: "1",
    BROKER_LINE_BYTES_MAX: String(LINE_BYTES_MAX),
    BROKER_MOVE_TIMEOUT_MS: "0",
    BROKER_CONNECT_RATE_PER_ADDRESS: "1000000",
    BROKER_CONNECTIONS_PER_ADDRESS_MAX: "1000000",
    // Every chaos and honest client comes from 127.0.0.1, up to 50 WebSockets at once in their handshake.
    BROKER_WS_HANDSHAKES_MAX: "1000000",
    BROKER_WS_HANDSHAKES_PER_ADDRESS_MAX: "1000000",
    BROKER_WS: "on",
  });
});
afterAll(async () => {
  await broker?.stop();
});

const states = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 300 }), { seed, numRuns: 997 });
let chaosOver = false;
const FRAMINGS: readonly Framing[] = ["lines", "frames", "ws"];

/** An honest client in its framing: v1 lines, v2 frames (asked for in its Hello), or WebSocket. */
type Honest = RawClient | RawWs;

async function honest(framing: Framing, role: "game" | "bot", room: string): Promise<Honest> {
  const c = framing === "ws" ? await RawWs.connect(broker.healthPort) : await RawClient.connect(broker.port);
  const hello = helloWith(role, { room, ...(role === "game" ? { bots: 1 } : {}), ...(framing === "frames" ? { features: ["frames"] } : {}) });
  await c.send(...(role === "bot" ? [hello, botName(`H-${room}`)] : [hello]));
  return c;
}

/** A message's codes, and its reason when it is a 00 FF (so that a failure says why). */
const said = (m: Message): string => (isCode(m, Opcode.control, Control.end) ? `00 FF ${new TextDecoder().decode(m.body)}` : codes(m));

/** The message as it must arrive, byte for byte, in the client's framing: the line, the frame, or the envelope. */
function exact(framing: Framing, m: Message, want: Message): boolean {
  if (framing === "lines") return m.wire !== undefined && Buffer.compare(m.wire, lineBytes(want)) === 0;
  if (framing === "frames") return m.frame !== undefined && Buffer.compare(m.frame, frameBytes(want)) === 0;
  return Buffer.compare(encodeEnvelope(m), encodeEnvelope(want)) === 0;
}

/** An honest match in its own room, its game and bot in framings of their own: every message they get is checked byte for byte. */
async function honestMatch(i: number): Promise<{ turns: number; messages: number }> {
  const room = `honest-${i}`;
  const [gf, bf] = [FRAMINGS[i % 3]!, FRAMINGS[Math.floor(i / 3) % 3]!];
  const game = await honest(gf, "game", room);
  const bot = await honest(bf, "bot", room);
  expect(said(await game.next(60_000))).toBe("00 03");
  expect(said(await bot.next(60_000))).toBe("00 03");
  expect(said(await game.next(60_000))).toBe("00 11");
  let count = 0;
  let t = 0;
  for (; t < TURNS || !chaosOver; t++) {
    expect(exact(gf, await game.next(60_000), trigger())).toBe(true);
    const state = states[(i * 131 + t) % states.length]!;
    await game.send(askBot(0, state));
    expect(exact(bf, await bot.next(60_000), yourMove(state))).toBe(true);
    const answer = Uint8Array.from(state, (b) => b ^ 0xff);
    await bot.send(reply(answer));
    expect(exact(gf, await game.next(60_000), reply(answer))).toBe(true);
    count += 3;
  }
  expect(exact(gf, await game.next(60_000), trigger())).toBe(true);
  await game.send(endGame());
  const [g, b] = await Promise.all([game.untilClosed(60_000), bot.untilClosed(60_000)]);
  expect(g.map((m) => m.opcode * 256 + m.operand)).toEqual([0x00ff]);
  expect(b.map((m) => m.opcode * 256 + m.operand)).toEqual([0x00ff]);
  return { turns: t, messages: count + 1 };
}

/** The chaos of one framing, in waves; the verdicts of its connections. */
async function chaosOf(framing: Framing, scripts: readonly Script[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (let at = 0; at < scripts.length; at += WAVE) {
    const wave = scripts.slice(at, at + WAVE).map((s) => (framing === "ws" ? wsChaos(broker.healthPort, s, LIMITS) : tcpChaos(broker.port, s, LIMITS)));
    for (const o of await Promise.all(wave)) verdicts.push(checkOutcome(o));
  }
  return verdicts;
}

const total = CHAOS.lines + CHAOS.frames + CHAOS.ws;
test(`the real broker under mutated traffic from ${total} connections (lines, frames, WebSocket) keeps ${MATCHES} honest matches byte-exact, tells every refused one why, and ends healthy (seed ${seed})`, async () => {
  // Generated first: the honest clients' handshakes must not wait on this process's work.
  const scripts = FRAMINGS.map((f, i) => fc.sample(script(f, LIMITS), { seed: seed + i, numRuns: CHAOS[f] }));
  const played = Promise.all(Array.from({ length: MATCHES }, (_, i) => honestMatch(i)));
  const verdicts = await Promise.all(FRAMINGS.map((f, i) => chaosOf(f, scripts[i]!)));
  chaosOver = true;
  const matches = await played;
  const exactMessages = matches.reduce((n, m) => n + m.messages, 0);
  for (const m of matches) expect(m.messages).toBe(m.turns * 3 + 1);
  // Every connection accounted for: the broker holds none once everyone has gone.
  const health = await pollUntil(() => broker.health(), (h) => h.body.connections === 0, 30_000);
  expect(health.status).toBe(200);
  expect(health.body.status).toBe("ok");
  expect(health.body.matchesPlayed as number).toBeGreaterThanOrEqual(MATCHES);
  // Still serving: one more honest match (in CI both WebSocket, the pair of framings the others lack).
  expect(await honestMatch(MATCHES)).toEqual({ turns: TURNS, messages: TURNS * 3 + 1 });
  expect(broker.proc.exitCode).toBeNull();
  expect(broker.logs.filter((l) => l.level === "error")).toEqual([]);
  // The chaos reached what it aims at: refusals told in every framing, a v2 header refused alone.
  const tally = (f: number, v: Verdict) => verdicts[f]!.filter((x) => x === v).length;
  for (const f of [0, 1, 2]) expect(tally(f, "told")).toBeGreaterThan(CHAOS[FRAMINGS[f]!] / 10);
  expect(tally(1, "announce refused")).toBeGreaterThan(0);
  const turns = matches.reduce((n, m) => n + m.turns, 0);
  const told = verdicts.flat().filter((v) => v === "told" || v === "announce refused").length;
  console.log(
    `socket fuzz: ${CHAOS.lines} v1, ${CHAOS.frames} v2 and ${CHAOS.ws} WebSocket chaos connections (${told} refused and told why, ${verdicts.flat().filter((v) => v === "untold").length} closed untold by the WebSocket server) beside ${MATCHES} honest matches (${turns} turns, ${exactMessages} messages byte-exact), then one more match`,
  );
});
