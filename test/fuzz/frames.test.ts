// Property-based tests of v2 framing (src/protocol/frames.ts, PROTOCOL.md §11), as protocol.test.ts
// tests v1 lines: whatever the bytes, the frame decoder gives messages within its limit or a
// ProtocolError, never another throw; a stream split anywhere gives what it gives whole; a frame
// that decodes is the canonical encoding of its message; a frame over the limit is refused from
// its header alone; and the switch from lines to frames loses no byte. Cases: test/fuzz/budget.ts.
import { expect, test } from "bun:test";
import fc from "fast-check";
import {
  FrameDecoder,
  LineDecoder,
  ProtocolError,
  encodeLine,
  envelopeBytesMax,
  frameBytes,
  message,
  welcome,
  type Message,
} from "../../src/protocol/index.ts";
import { StreamReader, grantsFrames } from "../e2e/harness.ts";
import { body, frameNoise, header, protocolOnly, validMessage } from "./arbitraries.ts";
import { check, runsFor, seed } from "./budget.ts";

const concat = (parts: readonly Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;
/** Same codes, same body, same frame bytes. */
const sameFrame = (a: Message, b: Message): boolean => a.opcode === b.opcode && a.operand === b.operand && same(a.body, b.body) && same(a.frame!, b.frame!);

/** `stream` cut at `cuts` (any numbers, taken modulo its length), in order. */
function split(stream: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const to of [...points, stream.length]) {
    parts.push(stream.slice(from, to));
    from = to;
  }
  return parts;
}

/** Feeds `parts` to `push` in order: the messages until the first ProtocolError, and that error. */
function feed(parts: readonly Uint8Array[], push: (chunk: Uint8Array) => Message[]): { messages: Message[]; error: ProtocolError | null } {
  const messages: Message[] = [];
  for (const part of parts) {
    const out = protocolOnly(() => push(part));
    if (out instanceof ProtocolError) return { messages, error: out };
    messages.push(...out);
  }
  return { messages, error: null };
}

const FRAME_CODES = ["line_too_long", "short_envelope", "unknown_opcode"];

test(`frame decoder: any bytes in any chunks give valid messages within the limit or a ProtocolError (${runsFor("frameChunks")} cases, seed ${seed})`, () => {
  const chunk = fc.oneof(validMessage.map(frameBytes), frameNoise, fc.tuple(validMessage, validMessage).map(([a, b]) => concat([frameBytes(a), frameBytes(b)])));
  check(
    "frameChunks",
    fc.property(fc.integer({ min: 2, max: 64 }), fc.array(chunk, { maxLength: 12 }), (max, chunks) => {
      const decoder = new FrameDecoder(max);
      for (const c of chunks) {
        const out = protocolOnly(() => decoder.push(c));
        if (out instanceof ProtocolError) {
          expect(FRAME_CODES).toContain(out.code);
          return; // the stream is dead: the transport closes it
        }
        for (const m of out) {
          expect(m.opcode).toBeLessThanOrEqual(2);
          // Never a message over the limit, and its frame is the canonical encoding of it.
          expect(m.frame!.length - 4).toBeLessThanOrEqual(max);
          expect(same(frameBytes(message(m.opcode, m.operand, m.body)), m.frame!)).toBe(true);
        }
        // PROTOCOL.md §11: never more held than one frame within the limit.
        expect(decoder.bufferedBytes).toBeLessThan(4 + max);
      }
    }),
  );
});

test(`frame decoder: a stream split anywhere gives what it gives whole, the same messages or the same error (${runsFor("frameSplits")} cases)`, () => {
  check(
    "frameSplits",
    fc.property(fc.array(validMessage, { maxLength: 6 }), fc.option(frameNoise, { nil: undefined }), fc.array(fc.nat(), { maxLength: 8 }), (messages, tail, cuts) => {
      const stream = concat([...messages.map(frameBytes), tail ?? new Uint8Array(0)]);
      const whole = protocolOnly(() => new FrameDecoder(1024).push(stream.slice()));
      const decoder = new FrameDecoder(1024);
      const { messages: got, error } = feed(split(stream, cuts), (c) => decoder.push(c));
      if (whole instanceof ProtocolError) {
        expect(error?.code).toBe(whole.code);
      } else {
        expect(error).toBeNull();
        expect(got.length).toBe(whole.length);
        got.forEach((m, i) => expect(sameFrame(m, whole[i]!)).toBe(true));
      }
      // Every valid frame before the tail came through (a split tail may still be held).
      expect(got.length).toBeGreaterThanOrEqual(error ? 0 : messages.length);
      got.slice(0, messages.length).forEach((m, i) => expect(sameFrame(m, { ...messages[i]!, frame: frameBytes(messages[i]!) })).toBe(true));
    }),
  );
});

test(`a message's frame decodes to it, as its line does; a frame fits the limit exactly when its line does (${runsFor("frameRoundTrips")} cases)`, () => {
  const anyMessage = fc.oneof(validMessage, fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 255 }), body(400)).map(([o, p, b]) => message(o, p, b)));
  check(
    "frameRoundTrips",
    fc.property(anyMessage, fc.integer({ min: 4, max: 600 }), (m, lineBytesMax) => {
      const frame = frameBytes(m);
      expect(same(frame.subarray(0, 4), header(2 + m.body.length))).toBe(true);
      const [back, ...more] = new FrameDecoder(2 + m.body.length).push(frame);
      expect(more).toEqual([]);
      expect(sameFrame(back!, { ...m, frame })).toBe(true);
      // Relayed as it came: the frame it arrived as, not a new encoding.
      expect(frameBytes(back!)).toBe(back!.frame!);
      // PROTOCOL.md §11: the same messages fit in either framing under one BROKER_LINE_BYTES_MAX.
      const asLine = protocolOnly(() => new LineDecoder(lineBytesMax).push(new TextEncoder().encode(encodeLine(m))));
      const asFrame = protocolOnly(() => new FrameDecoder(envelopeBytesMax(lineBytesMax)).push(frame));
      expect(asLine instanceof ProtocolError).toBe(asFrame instanceof ProtocolError);
      if (asFrame instanceof ProtocolError) expect(asFrame.code).toBe("line_too_long");
    }),
  );
});

test(`a frame announcing more than the limit is refused as soon as its header is read, whatever follows (${runsFor("frameCap")} cases)`, () => {
  check(
    "frameCap",
    fc.property(
      fc.integer({ min: 2, max: 1000 }).chain((max) =>
        fc.record({
          max: fc.constant(max),
          before: fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), body(Math.min(40, max - 2))).map(([o, b]) => message(o, 7, b)), { maxLength: 3 }),
          length: fc.oneof(fc.integer({ min: max + 1, max: max + 300 }), fc.integer({ min: max + 1, max: 0xffff_ffff })),
          after: body(64),
          cuts: fc.array(fc.nat(), { maxLength: 6 }),
        }),
      ),
      ({ max, before, length, after, cuts }) => {
        const prefix = concat(before.map(frameBytes));
        const stream = concat([prefix, header(length), after]);
        const headerEnd = prefix.length + 4;
        const decoder = new FrameDecoder(max);
        const got: Message[] = [];
        let at = 0;
        for (const part of split(stream, cuts)) {
          const out = protocolOnly(() => decoder.push(part));
          at += part.length;
          if (at < headerEnd) {
            // The header is not whole yet: nothing to refuse, and nothing held but a frame's start.
            expect(out).toBeInstanceOf(Array);
            got.push(...(out as Message[]));
            continue;
          }
          // The read that completes the header refuses the frame, whether or not its body follows.
          expect(out).toBeInstanceOf(ProtocolError);
          expect((out as ProtocolError).message).toBe(`line_too_long: frame of ${length} bytes; at most ${max}`);
          break;
        }
        // Frames before it were within the limit and came through, except those read in the refused chunk.
        got.forEach((m, i) => expect(sameFrame(m, { ...before[i]!, frame: frameBytes(before[i]!) })).toBe(true));
      },
    ),
  );
});

/** A client that asked for frames (src/sdk/connection.ts reads the same way). */
const reader = (): ((chunk: Uint8Array) => Message[]) => {
  const r = new StreamReader(1024);
  return (chunk) => r.push(chunk);
};

const granted = welcome({ brokerVersion: "0.1.0", features: ["frames"], room: "r", queuePosition: 1, bots: 1, time: null });

test(`the switch to frames after a Welcome that grants them, split anywhere, gives what it gives whole; held bytes carry over (${runsFor("frameSwitch")} cases)`, () => {
  check(
    "frameSwitch",
    fc.property(
      fc.array(validMessage, { maxLength: 3 }),
      fc.array(validMessage, { maxLength: 4 }),
      fc.option(frameNoise, { nil: undefined }),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.nat(),
      (lines, frames, tail, cuts, heldCut) => {
        // A client: the broker's lines, its Welcome (a line), then frames, read however they arrive.
        const lineBytes = new TextEncoder().encode([...lines, granted].map(encodeLine).join(""));
        const frameStream = concat([...frames.map(frameBytes), tail ?? new Uint8Array(0)]);
        const stream = concat([lineBytes, frameStream]);
        const whole = feed([stream.slice()], reader());
        const parts = feed(split(stream, cuts), reader());
        expect(parts.error?.code).toBe(whole.error?.code);
        if (!whole.error) {
          expect(parts.messages.map((m) => encodeLine(m))).toEqual(whole.messages.map((m) => encodeLine(m)));
          if (!lines.some(grantsFrames)) expect(whole.messages.slice(0, lines.length + 1 + frames.length).map((m) => encodeLine(m))).toEqual([...lines, granted, ...frames].map((m) => encodeLine(m)));
        }
        // The broker: bytes after the last handshake line, held by the line decoder (no newline
        // among them), go on as frames (src/transport/tcp.ts, TcpLink.admitted).
        const clean = concat(frames.map(frameBytes));
        const newline = clean.indexOf(0x0a);
        const cut = Math.min(heldCut % (clean.length + 1), newline === -1 ? clean.length : newline);
        const decoder = new LineDecoder(1024);
        const handshake = feed(split(concat([lineBytes, clean.subarray(0, cut)]), cuts), (c) => decoder.push(c));
        expect(handshake.error).toBeNull();
        expect(handshake.messages.length).toBe(lines.length + 1);
        const held = decoder.takePending();
        expect(decoder.bufferedBytes).toBe(0);
        const next = new FrameDecoder(1024);
        const after = feed([concat(held), ...split(clean.subarray(cut), cuts)], (c) => next.push(c));
        expect(after.error).toBeNull();
        expect(after.messages.length).toBe(frames.length);
        after.messages.forEach((m, i) => expect(sameFrame(m, { ...frames[i]!, frame: frameBytes(frames[i]!) })).toBe(true));
      },
    ),
  );
});
