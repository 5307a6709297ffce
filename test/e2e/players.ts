// Raw v1 players for end-to-end tests: a bot that echoes, and a game that plays a fixed script.
import {
  Control,
  Opcode,
  askBot,
  botHello,
  botName,
  decodeBatch,
  encodeHello,
  endGame,
  gameHello,
  isCode,
  message,
  reply,
  type BotInfo,
  type Hello,
  type Message,
} from "../../src/protocol/index.ts";
import { expect } from "bun:test";
import { RawClient, type BrokerProcess } from "./harness.ts";

export { botName };

/** The hello line of a client with a Hello (room, and for a game its bots per match). */
export function helloWith(role: "game" | "bot", hello: Partial<Hello>): Message {
  return message(Opcode.control, role === "game" ? Control.gameHello : Control.botHello, encodeHello({ client: "e2e", ...hello }));
}

/** Connects a bot that sends a Hello for `room`; its first message will be the Welcome. */
export async function joinBotIn(port: number, name: string, room: string): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.send(helloWith("bot", { room }), botName(name));
  return c;
}

/** Connects a game that sends a Hello for `room` (and its bots per match); its first message will be the Welcome. */
export async function joinGameIn(port: number, room: string, bots = 0): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.send(helloWith("game", { room, bots }));
  return c;
}

/** Connects a bot, sends hello and name. */
export async function joinBot(port: number, name: string): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.send(botHello(), botName(name));
  return c;
}

/** Answers every "your move" with `name:` + the state, until 00 FF. Returns the states seen. */
export async function playBot(c: RawClient, name: string): Promise<{ states: string[]; end: string }> {
  const states: string[] = [];
  for (;;) {
    const m = await c.next(10_000);
    if (isCode(m, Opcode.control, Control.end)) return { states, end: new TextDecoder().decode(m.body) };
    if (m.opcode !== Opcode.move || m.operand === 0) throw new Error(`bot ${name} got ${m.opcode} ${m.operand}`);
    const state = new TextDecoder().decode(m.body);
    states.push(state);
    await c.send(reply(new TextEncoder().encode(`${name}:${state}`)));
  }
}

export async function joinGame(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.send(gameHello());
  return c;
}

/** Reads the batch, then asks the bots in turn (`turns` times, round robin), then ends the match. */
export async function playGame(c: RawClient, turns: number): Promise<{ bots: BotInfo[]; replies: string[]; end: string }> {
  const batch = await c.next(10_000);
  if (!isCode(batch, Opcode.control, Control.batch)) throw new Error(`expected the batch, got ${batch.opcode} ${batch.operand}`);
  const bots = decodeBatch(batch.body);
  const replies: string[] = [];
  for (let t = 0; ; t++) {
    const trig = await c.next(10_000);
    if (!isCode(trig, Opcode.trigger, 0)) throw new Error(`expected a trigger, got ${trig.opcode} ${trig.operand}`);
    if (t === turns) {
      await c.send(endGame());
      const bye = await c.next(10_000);
      if (!isCode(bye, Opcode.control, Control.end)) throw new Error("expected 00 FF");
      return { bots, replies, end: new TextDecoder().decode(bye.body) };
    }
    await c.send(askBot(t % bots.length, new TextEncoder().encode(`turn ${t}`)));
    const r = await c.next(10_000);
    if (!isCode(r, Opcode.move, 0)) throw new Error(`expected a reply, got ${r.opcode} ${r.operand}`);
    replies.push(new TextDecoder().decode(r.body));
  }
}

/** Plays a 6-turn match with bots A and B (game first) and checks every byte of it. */
export async function expectTwoBotMatch(broker: BrokerProcess): Promise<void> {
  const game = await joinGame(broker.port);
  const a = await joinBot(broker.port, "A");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "A");
  const b = await joinBot(broker.port, "B");
  const [g, ra, rb] = await Promise.all([playGame(game, 6), playBot(a, "A"), playBot(b, "B")]);
  expect(g.bots).toEqual([{ index: 0, name: "A" }, { index: 1, name: "B" }]);
  expect(g.replies).toEqual(["A:turn 0", "B:turn 1", "A:turn 2", "B:turn 3", "A:turn 4", "B:turn 5"]);
  expect([ra.states, rb.states]).toEqual([["turn 0", "turn 2", "turn 4"], ["turn 1", "turn 3", "turn 5"]]);
  expect([g.end, ra.end, rb.end]).toEqual(["", "", ""]);
  await Promise.all([game.untilClosed(), a.untilClosed(), b.untilClosed()]);
}
