// Generators for the property suites: v1 messages and lines, v2 frames, noise, the protobuf
// bodies of proto/*.proto (valid, then mutated), and the one rule every decoder must keep.
import fc from "fast-check";
import {
  ProtocolError,
  encodeBatch,
  encodeBotName,
  encodeHello,
  encodeLine,
  encodeResult,
  encodeEnvelope,
  encodeWelcome,
  frameBytes,
  message,
  moveMissed,
  moveTiming,
  timedTrigger,
  type AskedTime,
  type Hello,
  type MatchResult,
  type Message,
  type Welcome,
} from "../../src/protocol/index.ts";

const ascii = new TextEncoder();

/** Runs `f`: its value, or the ProtocolError it threw. Any other throw is a bug and fails the property. */
export function protocolOnly<T>(f: () => T): T | ProtocolError {
  try {
    return f();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
}

export const body = (maxLength = 40) => fc.uint8Array({ maxLength });

/** Any envelope a v1 line may carry: opcodes 0-2, any operand, any body. */
export const validMessage: fc.Arbitrary<Message> = fc
  .record({ opcode: fc.integer({ min: 0, max: 2 }), operand: fc.integer({ min: 0, max: 255 }), body: body() })
  .map(({ opcode, operand, body }) => message(opcode, operand, body));

export const lineBytes = (m: Message) => ascii.encode(encodeLine(m));

const BASE64ISH = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", "=", "=", "\n", "\r", " ", "-", "_", "\u00e9"];

/** Text that is nearly base64: the alphabet, padding, newlines and a few strangers. */
export const base64ish = fc.array(fc.constantFrom(...BASE64ISH), { maxLength: 40 }).map((cs) => cs.join(""));

/** Bytes a confused or hostile peer sends: random, nearly base64, or a valid line cut short. */
export const noise: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 48 }),
  base64ish.map((s) => ascii.encode(s)),
  fc.tuple(validMessage, fc.nat()).map(([m, cut]) => {
    const line = lineBytes(m);
    return line.subarray(0, cut % line.length);
  }),
);

const text = (maxLength = 12) => fc.string({ unit: "grapheme", maxLength });
const uint32 = fc.integer({ min: 0, max: 0xffff_ffff });

export const askedTime: fc.Arbitrary<AskedTime> = fc.record(
  { moveMs: uint32, firstMoveMs: uint32, bankMs: uint32, onMiss: fc.constantFrom("end" as const, "skip" as const) },
  { requiredKeys: [] },
);

export const hello: fc.Arbitrary<Partial<Hello>> = fc.record(
  {
    room: fc.oneof(fc.constantFrom("", "default", "a", "b-1", "bad room"), text(70)),
    client: text(),
    clientVersion: text(),
    features: fc.array(fc.oneof(fc.constantFrom("timing", "results", "frames"), text(8)), { maxLength: 4 }),
    bots: fc.oneof(fc.integer({ min: 0, max: 4 }), uint32),
    time: fc.option(askedTime, { nil: null }),
    token: fc.constantFrom("", "good-token", "bad"),
    seat: fc.option(fc.oneof(fc.integer({ min: 0, max: 3 }), uint32), { nil: null }),
    human: fc.boolean(),
  },
  { requiredKeys: [] },
);

export const welcomeBody: fc.Arbitrary<Welcome> = fc.record({
  brokerVersion: text(),
  features: fc.array(text(8), { maxLength: 3 }),
  room: text(),
  queuePosition: uint32,
  bots: uint32,
  time: fc.option(
    fc.record({ moveMs: uint32, firstMoveMs: uint32, bankMs: uint32, onMiss: fc.constantFrom("end" as const, "skip" as const) }),
    { nil: null },
  ),
});

/** A result that a match of `bots` bots accepts: distinct indices in range, finite scores. */
export const matchResult = (bots: number): fc.Arbitrary<MatchResult> =>
  fc.record({
    seats: fc.uniqueArray(
      fc.record(
        { index: fc.integer({ min: 0, max: Math.max(0, bots - 1) }), score: fc.double({ noNaN: true, noDefaultInfinity: true }), rank: uint32 },
        { requiredKeys: ["index"] },
      ),
      { selector: (s) => s.index, maxLength: bots },
    ),
    summary: text(40),
  });

export const batch = fc.array(fc.record({ index: fc.integer({ min: 0, max: 300 }), name: text() }), { maxLength: 5 });

/** Valid encodings of every protobuf body a peer may send or receive. */
export const validBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  hello.map((h) => encodeHello(h)),
  welcomeBody.map((w) => encodeWelcome(w)),
  matchResult(4).map((r) => encodeResult(r)),
  batch.map((b) => encodeBatch(b)),
  text().map((n) => encodeBotName(n)),
  fc.record({ moveMs: uint32, bankMs: uint32, deadlineMs: uint32 }).map((t) => moveTiming(t).body),
  fc.record({ bot: uint32, thinkMs: fc.double({ noNaN: true }), bankMs: uint32, missed: fc.boolean() }).map((t) => timedTrigger(t).body),
  fc.record({ bot: uint32, deadlineMs: uint32 }).map((t) => moveMissed(t).body),
);

type Mutation = { kind: "flip"; at: number; bits: number } | { kind: "cut"; at: number } | { kind: "insert"; at: number; bytes: Uint8Array } | { kind: "repeat" };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.constant({ kind: "repeat" as const }),
);

export function mutate(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.kind === "insert" ? m.at % (out.length + 1) : "at" in m ? m.at % out.length : 0;
    switch (m.kind) {
      case "flip":
        if (out.length > 0) out[at] = out[at]! ^ m.bits;
        break;
      case "cut":
        out = out.subarray(0, at);
        break;
      case "insert":
        out = Uint8Array.from([...out.subarray(0, at), ...m.bytes, ...out.subarray(at)]);
        break;
      case "repeat":
        out = Uint8Array.from([...out, ...out]);
        break;
    }
  }
  return out;
}

/** A valid body with a few mutations: bit flips, cuts, insertions, repeats. */
export const mutatedBody: fc.Arbitrary<Uint8Array> = fc.tuple(validBody, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([b, ms]) => mutate(b, ms));

/** Bytes for a protobuf decoder: valid, mutated, or random. */
export const anyBody: fc.Arbitrary<Uint8Array> = fc.oneof(validBody, mutatedBody, fc.uint8Array({ maxLength: 40 }));

/** A v2 frame's 4-byte header announcing `length` envelope bytes (PROTOCOL.md §11). */
export const header = (length: number): Uint8Array => Uint8Array.of(length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);

/** Bytes a confused or hostile v2 peer sends: random, a mutated or cut frame, a header announcing any length. */
export const frameNoise: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 48 }),
  fc.tuple(validMessage, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([m, ms]) => mutate(frameBytes(m), ms)),
  fc.tuple(validMessage, fc.nat()).map(([m, cut]) => {
    const frame = frameBytes(m);
    return frame.subarray(0, cut % frame.length);
  }),
  fc.tuple(fc.oneof(fc.integer({ min: 0, max: 80 }), uint32), fc.uint8Array({ maxLength: 8 })).map(([n, rest]) => Uint8Array.from([...header(n), ...rest])),
);

/** Bytes for one WebSocket message: random, or a valid envelope mutated or cut. */
export const envelopeNoise: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 48 }),
  fc.tuple(validMessage, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([m, ms]) => mutate(encodeEnvelope(m), ms)),
  fc.tuple(validMessage, fc.nat()).map(([m, cut]) => encodeEnvelope(m).subarray(0, cut % (2 + m.body.length))),
);
