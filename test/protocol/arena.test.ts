// Hello and Welcome bodies against the shared vectors (test/vectors/arena.json, PROTOCOL.md §9).
import { describe, expect, test } from "bun:test";
import { decodeEnvelope, decodeHello, decodeWelcome, encodeEnvelope, encodeHello, message, welcome, type AskedTime, type TimeRules } from "../../src/protocol/index.ts";
import vectors from "../vectors/arena.json" with { type: "json" };

interface TimeValue {
  readonly move_ms?: number;
  readonly first_move_ms?: number;
  readonly bank_ms?: number;
  readonly on_miss?: string;
}

/** A vector's time rules (.proto names) as the codec's. */
function time(t: TimeValue | undefined): AskedTime | null {
  if (t === undefined) return null;
  return {
    ...(t.move_ms !== undefined ? { moveMs: t.move_ms } : {}),
    ...(t.first_move_ms !== undefined ? { firstMoveMs: t.first_move_ms } : {}),
    ...(t.bank_ms !== undefined ? { bankMs: t.bank_ms } : {}),
    ...(t.on_miss === "end" || t.on_miss === "skip" ? { onMiss: t.on_miss } : {}),
  };
}

describe("Hello", () => {
  for (const v of vectors.hellos) {
    test(`${v.name}: ${v.about}`, () => {
      const t = (v.value as { time?: TimeValue }).time;
      const value = { room: v.value.room, client: v.value.client, clientVersion: v.value.client_version, features: v.value.features, bots: v.value.bots, time: time(t), token: "", seat: null, human: v.value.human ?? false };
      expect(encodeHello(value).toHex()).toBe(v.body_hex);
      const m = decodeEnvelope(Uint8Array.fromHex(v.hex));
      expect(encodeEnvelope(message(m.opcode, m.operand, encodeHello(value))).toHex()).toBe(v.hex);
      // An empty body is a v1 hello: no Hello at all.
      expect(decodeHello(m.body)).toEqual(v.body_hex === "" ? null : value);
    });
  }

  test("a body that is not protobuf is bad_protobuf", () => {
    expect(() => decodeHello(Uint8Array.fromHex("0a0552"))).toThrow(/^bad_protobuf: Hello/);
  });
});

describe("Welcome", () => {
  for (const v of vectors.welcomes) {
    test(`${v.name}: ${v.about}`, () => {
      const t = (v.value as { time?: TimeValue }).time;
      const value = { brokerVersion: v.value.broker_version, features: v.value.features, room: v.value.room, queuePosition: v.value.queue_position, bots: v.value.bots, time: (time(t) as TimeRules | null) };
      expect(encodeEnvelope(welcome(value)).toHex()).toBe(v.hex);
      expect(decodeWelcome(Uint8Array.fromHex(v.body_hex))).toEqual(value);
    });
  }
});
