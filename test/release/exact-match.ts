// A long match for a release executable, checked byte for byte: raw v1 game and two bots over real
// sockets, 50 small turns, then three 1 MiB turns of random bytes. Every wait is bounded.
import { expect } from "bun:test";
import { randomBytes } from "node:crypto";
import { Control, Opcode, askBot, decodeBatch, endGame, isCode, reply } from "../../src/protocol/index.ts";
import type { BrokerProcess, RawClient } from "../e2e/harness.ts";
import { joinBot, joinGame } from "../e2e/players.ts";

export const SMALL_TURNS = 50;
export const LARGE_TURNS = 3;
const LARGE_BYTES = 1024 * 1024;
/** Long enough for a 1 MiB turn through an emulated broker on a busy machine; only a hang hits it. */
const WAIT_MS = 60_000;

/** What a bot answers: its name, then the state reversed (so a reply is never the state echoed). */
const answer = (name: string, state: Uint8Array): Uint8Array => Buffer.concat([Buffer.from(`${name}:`), Buffer.from(state).reverse()]);

async function bot(c: RawClient, name: string): Promise<Uint8Array[]> {
  const states: Uint8Array[] = [];
  for (;;) {
    const m = await c.next(WAIT_MS);
    if (isCode(m, Opcode.control, Control.end)) return states;
    if (m.opcode !== Opcode.move || m.operand === 0) throw new Error(`bot ${name} got ${m.opcode} ${m.operand}`);
    states.push(m.body);
    await c.send(reply(answer(name, m.body)));
  }
}

async function game(c: RawClient, states: readonly Uint8Array[]): Promise<{ names: string[]; replies: Uint8Array[] }> {
  const batch = await c.next(WAIT_MS);
  if (!isCode(batch, Opcode.control, Control.batch)) throw new Error(`expected the batch, got ${batch.opcode} ${batch.operand}`);
  const names = decodeBatch(batch.body).map((b) => b.name);
  const replies: Uint8Array[] = [];
  for (let t = 0; t <= states.length; t++) {
    const trig = await c.next(WAIT_MS);
    if (!isCode(trig, Opcode.trigger, 0)) throw new Error(`expected a trigger, got ${trig.opcode} ${trig.operand}`);
    if (t === states.length) break;
    await c.send(askBot(t % 2, states[t]!));
    const r = await c.next(WAIT_MS);
    if (!isCode(r, Opcode.move, 0)) throw new Error(`expected a reply, got ${r.opcode} ${r.operand}`);
    replies.push(r.body);
  }
  await c.send(endGame());
  const bye = await c.next(WAIT_MS);
  if (!isCode(bye, Opcode.control, Control.end)) throw new Error("expected 00 FF");
  return { names, replies };
}

/** Plays the match through `broker` (BROKER_NUM_PLAYERS=2) and checks every state and reply. */
export async function expectExactMatch(broker: BrokerProcess): Promise<void> {
  const states = [
    ...Array.from({ length: SMALL_TURNS }, (_, t) => new TextEncoder().encode(`turn ${t}`)),
    ...Array.from({ length: LARGE_TURNS }, () => new Uint8Array(randomBytes(LARGE_BYTES))),
  ];
  const g = await joinGame(broker.port);
  const a = await joinBot(broker.port, "A");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "A", WAIT_MS);
  const b = await joinBot(broker.port, "B");
  const [played, seenA, seenB] = await Promise.all([game(g, states), bot(a, "A"), bot(b, "B")]);

  expect(played.names).toEqual(["A", "B"]);
  const same = (x: Uint8Array, y: Uint8Array): boolean => Buffer.from(x).equals(Buffer.from(y));
  const bad = played.replies.flatMap((r, t) => (same(r, answer(t % 2 === 0 ? "A" : "B", states[t]!)) ? [] : [t]));
  expect(bad).toEqual([]);
  expect(played.replies.length).toBe(states.length);
  expect(seenA.length + seenB.length).toBe(states.length);
  expect(seenA.every((s, i) => same(s, states[2 * i]!))).toBe(true);
  expect(seenB.every((s, i) => same(s, states[2 * i + 1]!))).toBe(true);
  await Promise.all([g.untilClosed(WAIT_MS), a.untilClosed(WAIT_MS), b.untilClosed(WAIT_MS)]);
}
