// Property-based tests of the pure codec (src/protocol) and the SDK's pure sessions: whatever the
// bytes, a decoder gives messages or a ProtocolError (an SdkError for the SDK), never another
// throw; valid input survives any split and any round trip. Cases: test/fuzz/budget.ts.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { handshake } from "../../src/broker/handshake.ts";
import { portableFromBase64 } from "../../src/protocol/base64.ts";
import {
  LineDecoder,
  ProtocolError,
  decodeBatch,
  decodeBotName,
  decodeHello,
  decodeLine,
  decodeMoveMissed,
  decodeMoveTiming,
  decodeResult,
  decodeTurnTiming,
  decodeWelcome,
  encodeBatch,
  encodeBotName,
  encodeHello,
  encodeLine,
  encodeResult,
  encodeWelcome,
  message,
  type Message,
} from "../../src/protocol/index.ts";
import { Scratch } from "../../src/protocol/scratch.ts";
import { Action, GameSession, SdkError, botStep } from "../../src/sdk/index.ts";
import { anyBody, base64ish, batch, hello, lineBytes, matchResult, noise, protocolOnly, validMessage, welcomeBody } from "./arbitraries.ts";
import { check, runsFor, seed } from "./budget.ts";

const ascii = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** Same codes and body; and the line it arrived as. */
const sameMessage = (a: Message, b: Message) => a.opcode === b.opcode && a.operand === b.operand && Buffer.compare(a.body, b.body) === 0;

test(`line decoder: any bytes in any chunks give valid messages within the limit or a ProtocolError (${runsFor("lineChunks")} cases, seed ${seed})`, () => {
  const chunk = fc.oneof(validMessage.map(lineBytes), noise, fc.tuple(validMessage, validMessage).map(([a, b]) => Uint8Array.from([...lineBytes(a), ...lineBytes(b)])));
  check(
    "lineChunks",
    fc.property(fc.integer({ min: 4, max: 64 }), fc.array(chunk, { maxLength: 12 }), (max, chunks) => {
      const decoder = new LineDecoder(max);
      for (const c of chunks) {
        const out = protocolOnly(() => decoder.push(c));
        if (out instanceof ProtocolError) return; // the stream is dead: the transport closes it
        for (const m of out) {
          expect(m.opcode).toBeLessThanOrEqual(2);
          expect(m.wire!.at(-1)).toBe(0x0a);
          expect(m.wire!.length - 1).toBeLessThanOrEqual(max);
          expect(encodeLine(m)).toBe(latin1.decode(m.wire!));
        }
        // PROTOCOL.md §2: an over-long line is refused before it is held whole.
        expect(decoder.bufferedBytes).toBeLessThanOrEqual(max);
      }
    }),
  );
});

/** Messages whose lines are long enough for the relay's check-only path (lines.ts longLine). */
const longMessage: fc.Arbitrary<Message> = fc
  .record({ opcode: fc.integer({ min: 0, max: 2 }), operand: fc.integer({ min: 0, max: 255 }), body: fc.uint8Array({ minLength: 190, maxLength: 1200 }) })
  .map(({ opcode, operand, body }) => message(opcode, operand, body));

/** A message as plain data, read at once (a scratch decoder reuses its memory at the next push). */
const plainOf = (m: Message) => [m.opcode, m.operand, Buffer.from(m.body).toString("hex"), Buffer.from(m.wire!).toString("hex")];

test(`line decoder: a stream split anywhere gives what it gives whole, the same messages or the same error, with or without a scratch (${runsFor("lineSplits")} cases)`, () => {
  check(
    "lineSplits",
    fc.property(fc.array(fc.oneof(validMessage, longMessage), { maxLength: 6 }), fc.option(noise, { nil: undefined }), fc.array(fc.nat(), { maxLength: 8 }), (messages, tail, cuts) => {
      const stream = Uint8Array.from([...messages.flatMap((m) => [...lineBytes(m)]), ...(tail ?? [])]);
      const whole = protocolOnly(() => new LineDecoder(4096).push(stream.slice()));
      const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      for (const scratch of [null, new Scratch(64)]) {
        const decoder = new LineDecoder(4096, scratch);
        const got: unknown[][] = [];
        let error: ProtocolError | null = null;
        let from = 0;
        for (const to of [...points, stream.length]) {
          const out = protocolOnly(() => decoder.push(stream.slice(from, to)));
          from = to;
          if (out instanceof ProtocolError) {
            error = out;
            break;
          }
          got.push(...out.map(plainOf));
        }
        if (whole instanceof ProtocolError) {
          expect(error?.code).toBe(whole.code);
        } else {
          expect(error).toBeNull();
          expect(got).toEqual(whole.map(plainOf));
        }
        // Every valid line before the tail came through (a split tail may still be held).
        expect(got.length).toBeGreaterThanOrEqual(error ? 0 : messages.length);
        got.slice(0, messages.length).forEach((m, i) => expect(m.slice(0, 3)).toEqual(plainOf({ ...messages[i]!, wire: new Uint8Array(0) }).slice(0, 3)));
      }
    }),
  );
});

test(`a line that decodes is the canonical encoding of its message; native and portable base64 agree (${runsFor("lineText")} cases)`, () => {
  check(
    "lineText",
    fc.property(fc.oneof(base64ish, validMessage.map((m) => encodeLine(m).slice(0, -1))), (line) => {
      const bytes = ascii.encode(line);
      const m = protocolOnly(() => decodeLine(bytes));
      const portable = portableFromBase64(bytes);
      if (m instanceof ProtocolError) {
        // Refused by the codec: either not base64 (both decoders agree) or a short or unknown envelope.
        if (m.code === "bad_base64") expect(portable).toBeNull();
        return;
      }
      expect(portable).not.toBeNull();
      expect(encodeLine(m)).toBe(`${line}\n`);
    }),
  );
});

test(`protobuf bodies: valid, mutated or random bytes give a body or a ProtocolError from every decoder (${runsFor("bodies")} cases)`, () => {
  check(
    "bodies",
    fc.property(anyBody, fc.integer({ min: 0, max: 300 }), (bytes, bots) => {
      for (const decode of [decodeHello, decodeWelcome, decodeBatch, decodeBotName, decodeMoveTiming, decodeTurnTiming, decodeMoveMissed, (b: Uint8Array) => decodeResult(b, bots)]) {
        protocolOnly(() => decode(bytes));
      }
      // A result the broker accepts names only bots the match has, once each (PROTOCOL.md §9.4).
      const r = protocolOnly(() => decodeResult(bytes, bots));
      if (!(r instanceof ProtocolError)) {
        expect(new Set(r.seats.map((s) => s.index)).size).toBe(r.seats.length);
        for (const s of r.seats) {
          expect(s.index).toBeLessThan(bots);
          if (s.score !== undefined) expect(Number.isFinite(s.score)).toBe(true);
        }
        expect(r.summary.length).toBeLessThanOrEqual(256);
      }
    }),
  );
});

test(`protobuf bodies survive a round trip: Hello, Welcome, MatchResult, batch, name (${runsFor("roundTrips")} cases)`, () => {
  const roundTrip = fc.oneof(
    hello.map((h) => () => {
      const decoded = decodeHello(encodeHello(h));
      const asked = { room: "", client: "", clientVersion: "", features: [], bots: 0, time: null, token: "", seat: null, human: false, ...h };
      const empty = asked.room === "" && asked.client === "" && asked.clientVersion === "" && asked.features.length === 0 && asked.bots === 0 && asked.token === "" && asked.time === null && asked.seat === null && !asked.human;
      if (empty) return expect(decoded).toBeNull();
      expect(decoded).toEqual({ ...asked, features: [...asked.features] });
    }),
    welcomeBody.map((w) => () => expect(decodeWelcome(encodeWelcome(w))).toEqual(w)),
    fc.integer({ min: 1, max: 6 }).chain((bots) => matchResult(bots).map((r) => () => {
      const sorted = { seats: [...r.seats].sort((a, b) => a.index - b.index), summary: r.summary };
      expect(decodeResult(encodeResult(r), bots)).toEqual(sorted);
    })),
    batch.map((b) => () => expect(decodeBatch(encodeBatch(b))).toEqual(b)),
    fc.string({ unit: "grapheme", maxLength: 20 }).map((n) => () => expect(decodeBotName(encodeBotName(n))).toBe(n)),
  );
  check("roundTrips", fc.property(roundTrip, (run) => run()));
});

test(`the broker's handshake step takes any message at either stage without throwing (${runsFor("handshake")} cases)`, () => {
  const handshakeMessage = fc.oneof(
    validMessage,
    fc.tuple(fc.constantFrom(0x01, 0x02, 0x22), anyBody).map(([operand, b]) => message(0, operand, b)),
  );
  check(
    "handshake",
    fc.property(fc.constantFrom("hello" as const, "name" as const), handshakeMessage, (stage, m) => {
      const step = handshake(stage, m);
      expect(["game", "bot", "name", "reject"]).toContain(step.kind);
    }),
  );
});

test(`the SDK's sessions take any messages from a broker and fail only with an SdkError (${runsFor("sdkSessions")} cases)`, () => {
  const fromBroker = fc.oneof(
    validMessage,
    fc.tuple(fc.constantFrom(0x03, 0x11, 0x30, 0x31, 0x32, 0xff), anyBody).map(([operand, b]) => message(0, operand, b)),
    anyBody.map((b) => message(1, 0, b)),
  );
  const action = fc.oneof(fc.constant(Action.endGame()), fc.integer({ min: 0, max: 255 }).map((i) => Action.playerAction(i, new Uint8Array([i]))));
  check(
    "sdkSessions",
    fc.property(fc.array(fromBroker, { maxLength: 8 }), fc.array(action, { maxLength: 8 }), (messages, actions) => {
      const sdkOnly = (f: () => void): boolean => {
        try {
          f();
          return true;
        } catch (e) {
          if (e instanceof SdkError) return false;
          throw e;
        }
      };
      for (const m of messages) if (!sdkOnly(() => botStep(m))) break;
      const game = new GameSession({ room: "r" });
      let next = 0;
      for (const m of messages) {
        let ok = true;
        ok = sdkOnly(() => {
          const step = game.receive(m);
          if (step.kind === "trigger") game.act(actions[next++ % Math.max(1, actions.length)] ?? Action.endGame());
        });
        if (!ok || game.done) break;
      }
    }),
  );
});
