// Results (the game's 00 FE body), results to bots that asked, and recorded matches' traces.
import { describe, expect, test } from "bun:test";
import { Control, Opcode, askBot, decodeResult, encodeResult, message, type MatchResult } from "../../src/protocol/index.ts";
import { Driver, events, logs, sends } from "./driver.ts";

const RESULT: MatchResult = { seats: [{ index: 0, score: 1, rank: 1 }, { index: 1, score: 0, rank: 2 }], summary: "A wins" };
const endWith = (body: Uint8Array) => message(Opcode.control, Control.endGame, body);

function match(record = false): Driver {
  const d = new Driver({ record });
  d.game(1);
  d.bot(2, "A", { features: ["results"] });
  d.bot(3, "B"); // v1
  return d;
}

describe("a game's result", () => {
  test("travels in its 00 FE, goes into match_ended, and only to the bots that asked for it", () => {
    const d = match();
    const out = d.recv(1, endWith(encodeResult(RESULT)));
    expect(sends(out).map(([c, codes]) => [c, codes])).toEqual([
      [1, "00 FF"],
      [2, "00 32"],
      [2, "00 FF"],
      [3, "00 FF"],
    ]);
    const sent = out.find((c) => c.kind === "send" && c.conn === 2 && c.message.operand === 0x32);
    expect(sent?.kind === "send" && decodeResult(sent.message.body, 2)).toEqual(RESULT);
    expect(events(out).find((e) => e.type === "match_ended")).toMatchObject({ code: "normal", result: RESULT });
  });

  test("a Welcome grants the results feature it knows, and ignores those it does not", () => {
    const d = new Driver();
    const out = d.bot(5, "X", { features: ["warp-drive", "results", "results"] });
    const w = out.find((c) => c.kind === "send" && c.message.operand === 0x03);
    expect(w?.kind === "send" && w.message.body.length > 0).toBe(true);
    expect(logs(out).at(-1)).toMatchObject({ event: "lobby waiting" });
  });

  test("a malformed result is logged and recorded as no result; the match still ends normally", () => {
    const d = match();
    const out = d.recv(1, endWith(new Uint8Array([0x0a, 0x05, 0x52])));
    expect(sends(out).map(([c, codes, body]) => [c, codes, body])).toEqual([
      [1, "00 FF", ""],
      [2, "00 FF", ""],
      [3, "00 FF", ""],
    ]);
    expect(logs(out).find((l) => l.event === "result ignored")?.problem).toMatch(/^bad_protobuf: MatchResult/);
    expect(events(out).find((e) => e.type === "match_ended")).toMatchObject({ code: "normal", result: null });
  });

  test("a result that names a bot the match does not have is no result", () => {
    const d = match();
    const out = d.recv(1, endWith(encodeResult({ seats: [{ index: 2, score: 1 }], summary: "" })));
    expect(logs(out).find((l) => l.event === "result ignored")?.problem).toContain("names bot 2; bots are 0..1");
  });
});

describe("a recorded match", () => {
  test("emits every message in and out, with its party, in order; an unrecorded one emits none", () => {
    const d = match(true);
    d.ask(1, 1, "s");
    d.answer(3, "r");
    d.end(1);
    const traced = d.log.flatMap((c) => (c.kind === "event" && c.event.type === "traced" ? [c.event] : []));
    // Bodies as hex, but for the few that are text here.
    const body = (b: Uint8Array) => (b.length > 0 && b.every((x) => x >= 0x61 && x <= 0x7a) ? new TextDecoder().decode(b) : b.toHex());
    const row = (t: (typeof traced)[number]) => `${t.dir} ${t.party} ${t.opcode.toString(16)}/${t.operand.toString(16)} ${body(t.body)}`;
    expect(traced.map(row)).toEqual([
      "out -1 0/11 0a035201410a050801520142",
      "out -1 1/0 ",
      "in -1 1/1 s",
      "out 1 2/5 s",
      "in 1 2/0 r",
      "out -1 2/0 r",
      "out -1 1/0 ",
      "in -1 0/fe ",
      "out -1 0/ff ",
      "out 0 0/ff ",
      "out 1 0/ff ",
    ]);
    const plain = match(false);
    plain.ask(1, 0, "s");
    expect(plain.log.some((c) => c.kind === "event" && c.event.type === "traced")).toBe(false);
  });
});

test("a traced body is the broker's own copy (the transport reuses its memory), one per message: the same object in and out", () => {
  const d = match(true);
  const state = askBot(1, new TextEncoder().encode("state"));
  const traced = events(d.recv(1, state)).filter((e) => e.type === "traced");
  expect(traced.map((e) => (e.type === "traced" ? [e.dir, new TextDecoder().decode(e.body)] : [])), "in from the game, out to the bot").toEqual([
    ["in", "state"],
    ["out", "state"],
  ]);
  const [inBody, outBody] = traced.map((e) => (e.type === "traced" ? e.body : null));
  expect(inBody).not.toBe(state.body);
  expect(outBody).toBe(inBody!);
  state.body.fill(0); // the transport's next read
  expect(new TextDecoder().decode(inBody!)).toBe("state");
});

test("a match someone follows live is traced while watched, and only then", () => {
  const d = match(false);
  const traced = (out: ReturnType<Driver["ask"]>) => events(out).filter((e) => e.type === "traced").length;
  expect(traced(d.ask(1, 0, "a"))).toBe(0);
  d.answer(2, "r");
  d.broker.handle({ kind: "watch", matchId: "m1", on: true }, d.nowMs);
  expect(traced(d.ask(1, 1, "b"))).toBe(2); // in from the game, out to the bot
  d.answer(3, "r");
  d.broker.handle({ kind: "watch", matchId: "m1", on: false }, d.nowMs);
  expect(traced(d.ask(1, 0, "c"))).toBe(0);
  // An unknown or ended match: nothing happens.
  expect(d.broker.handle({ kind: "watch", matchId: "nope", on: true }, d.nowMs)).toEqual([]);
});
