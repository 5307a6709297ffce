// The SDK's pure session against the golden vectors (test/vectors/v1.json): the lines it sends
// and how it reads the broker's lines are byte-for-byte those every SDK must produce and accept.
import { describe, expect, test } from "bun:test";
import { decodeHello, decodeLine, encodeLine, type Message } from "../../src/protocol/index.ts";
import { Action, GameSession, SdkError, botJoin, botReply, botStep } from "../../src/sdk/index.ts";
import { CLIENT } from "../../src/sdk/session.ts";
import vectors from "../vectors/v1.json" with { type: "json" };

interface Vector {
  readonly name: string;
  readonly line: string;
  readonly body_hex: string;
  readonly proto?: { readonly value: { readonly initialMessages?: ReadonlyArray<{ botIndex: number; botName: string }> } };
}

const all: readonly Vector[] = vectors.messages;
const vector = (name: string): Vector => {
  const v = all.find((m) => m.name === name);
  if (!v) throw new Error(`no vector named ${name}`);
  return v;
};
const line = (name: string): string => vector(name).line + "\n";
const body = (name: string): Uint8Array => Uint8Array.fromHex(vector(name).body_hex);
const received = (name: string): Message => decodeLine(new TextEncoder().encode(vector(name).line));
const lines = (messages: Message[]): string[] => messages.map(encodeLine);

/** A game session that has read the batch and one trigger. */
function atTrigger(): GameSession {
  const s = new GameSession();
  s.receive(received("batch_two"));
  s.receive(received("trigger"));
  return s;
}

describe("a bot's lines match the vectors", () => {
  for (const [name, vec] of [
    ["RandomBot", "bot_name_randombot"],
    ["", "bot_name_empty"],
    ["Bøt", "bot_name_unicode"],
    ["x".repeat(200), "bot_name_long"],
  ] as const) {
    test(`joins as hello (with a Hello naming this SDK) then name for ${vec}`, () => {
      const [hello, named] = botJoin(name, { room: "r1" });
      expect([hello!.opcode, hello!.operand]).toEqual([0x00, 0x02]);
      expect(decodeHello(hello!.body)).toEqual({ ...CLIENT, room: "r1", features: ["results"], bots: 0, time: null, token: "", seat: null, human: false });
      expect(encodeLine(named!)).toBe(line(vec));
    });
  }

  for (const vec of ["reply_xy", "reply_empty", "reply_binary"]) {
    test(`sends ${vec} for its move`, () => {
      expect(encodeLine(botReply(body(vec)))).toBe(line(vec));
    });
  }

  for (const vec of ["your_move", "your_move_empty", "your_move_large"]) {
    test(`reads ${vec} as a move on that state`, () => {
      expect(botStep(received(vec))).toEqual({ kind: "move", state: body(vec) });
    });
  }

  test("reads an empty 00 FF as the normal end", () => {
    expect(botStep(received("end"))).toEqual({ kind: "end" });
  });

  test("rejects 00 FF with a reason as an aborted match carrying that reason", () => {
    const error = catchError(() => botStep(received("end_with_reason")));
    expect(error).toBeInstanceOf(SdkError);
    expect(error).toMatchObject({ code: "match_aborted", reason: "bot 1 disconnected", reasonCode: "" });
  });

  test("rejects a trigger, which only a game can receive", () => {
    expect(catchError(() => botStep(received("trigger")))).toMatchObject({ code: "unexpected_message" });
  });
});

describe("a game's lines match the vectors", () => {
  test("says hello as the game, with a Hello naming this SDK, its room and its bots per match", () => {
    const hello = new GameSession({ room: "r2", bots: 3 }).hello();
    expect([hello.opcode, hello.operand]).toEqual([0x00, 0x01]);
    expect(decodeHello(hello.body)).toEqual({ ...CLIENT, room: "r2", features: [], bots: 3, time: null, token: "", seat: null, human: false });
  });

  for (const vec of ["batch_two", "batch_one", "batch_empty_names", "batch_index_300"]) {
    test(`reads ${vec} as the bots of the match`, () => {
      const expected = (vector(vec).proto?.value.initialMessages ?? []).map((m) => ({ index: m.botIndex, name: m.botName }));
      expect(new GameSession().receive(received(vec))).toEqual({ kind: "start", bots: expected });
    });
  }

  for (const [index, vec] of [[0, "ask_bot_0"], [1, "ask_bot_1_empty"], [3, "ask_bot_3_binary"], [2, "ask_bot_2_large"]] as const) {
    test(`sends ${vec} for a player action`, () => {
      expect(encodeLine(atTrigger().act(Action.playerAction(index, body(vec))))).toBe(line(vec));
    });
  }

  test("sends 00 FE to end the match and is done at the empty 00 FF", () => {
    const s = atTrigger();
    expect(encodeLine(s.act(Action.endGame()))).toBe(line("end_game"));
    expect(s.receive(received("end"))).toEqual({ kind: "end" });
    expect(s.done).toBe(true);
  });

  test("reads a reply after a player action, then waits for the next trigger", () => {
    const s = atTrigger();
    s.act(Action.playerAction(0, body("ask_bot_0")));
    expect(s.receive(received("reply_binary"))).toEqual({ kind: "reply", body: body("reply_binary") });
    expect(catchError(() => s.receive(received("reply_xy")))).toMatchObject({ code: "unexpected_message" });
    expect(s.receive(received("trigger"))).toEqual({ kind: "trigger", timing: null });
  });

  test("stops at the first 00 FF with a reason while waiting for a reply", () => {
    const s = atTrigger();
    s.act(Action.playerAction(1, new Uint8Array()));
    expect(catchError(() => s.receive(received("end_with_reason")))).toMatchObject({ code: "match_aborted", reason: "bot 1 disconnected" });
  });

  test("rejects a trigger before the batch", () => {
    expect(catchError(() => new GameSession().receive(received("trigger")))).toMatchObject({ code: "unexpected_message" });
  });

  test("refuses a bot index that does not fit the operand byte", () => {
    expect(() => atTrigger().act(Action.playerAction(256, new Uint8Array()))).toThrow(RangeError);
    expect(() => atTrigger().act(Action.playerAction(-1, new Uint8Array()))).toThrow(RangeError);
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}
