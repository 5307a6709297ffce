// v2 framing (PROTOCOL.md §11): the same stream split at every byte boundary, limits checked as
// soon as a header is known, random bytes give messages or a ProtocolError, frames kept for relay.
import { describe, expect, test } from "bun:test";
import { FrameDecoder, ProtocolError, askBot, envelopeBytesMax, frameBytes, message, retag, type Message } from "../../src/protocol/index.ts";
import { Scratch } from "../../src/protocol/scratch.ts";

const messages: Message[] = [message(0, 1), askBot(2, new TextEncoder().encode("hello")), message(2, 0, new Uint8Array(300).fill(9)), message(0, 0xff)];
const stream = (() => {
  const parts = messages.map(frameBytes);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
})();
const plain = (ms: Message[]) => ms.map((m) => [m.opcode, m.operand, m.body.toHex()]);

describe("FrameDecoder", () => {
  test("a frame is its length (u32 big-endian) then its envelope", () => {
    expect(frameBytes(askBot(1, new Uint8Array([0xaa]))).toHex()).toBe("00000003" + "0101aa");
  });

  test("gives every message of a stream split once at every byte boundary", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder(1 << 20);
      expect(plain([...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))])).toEqual(plain(messages));
      expect(d.bufferedBytes).toBe(0);
    }
  });

  test("gives every message when the stream arrives one byte at a time", () => {
    const d = new FrameDecoder(1 << 20);
    const got: Message[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...d.push(stream.subarray(i, i + 1)));
    expect(plain(got)).toEqual(plain(messages));
  });

  test("refuses a frame over the limit as soon as its header is whole, before its body arrives", () => {
    const d = new FrameDecoder(100);
    expect(d.push(new Uint8Array([0, 0]))).toEqual([]);
    expect(() => d.push(new Uint8Array([0, 101]))).toThrow(new ProtocolError("line_too_long", "frame of 101 bytes; at most 100"));
    expect(new FrameDecoder(100).push(frameBytes(message(2, 0, new Uint8Array(98))))).toHaveLength(1);
  });

  test("an envelope under 2 bytes and an unknown opcode are refused like on v1", () => {
    expect(() => new FrameDecoder(100).push(new Uint8Array([0, 0, 0, 1, 0]))).toThrow(/^short_envelope/);
    expect(() => new FrameDecoder(100).push(new Uint8Array([0, 0, 0, 2, 7, 0]))).toThrow(/^unknown_opcode/);
  });

  test("keeps each message's frame: relayed as it came, retagged in place", () => {
    const [m] = new FrameDecoder(1 << 20).push(frameBytes(askBot(3, new Uint8Array([1, 2, 3]))));
    expect(frameBytes(m!)).toBe(m!.frame!);
    const moved = retag(m!, 2, 5);
    expect(frameBytes(moved).toHex()).toBe(frameBytes(message(2, 5, new Uint8Array([1, 2, 3]))).toHex());
  });

  test("random bytes give messages or a ProtocolError, nothing else", () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let round = 0; round < 2000; round++) {
      const bytes = Uint8Array.from({ length: 1 + (next() % 40) }, next);
      try {
        new FrameDecoder(64).push(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    }
  });

  test("carries the same messages as a v1 line limit does", () => {
    expect(envelopeBytesMax(16 * 1024 * 1024)).toBe(12 * 1024 * 1024);
  });
});

describe("FrameDecoder with a scratch (a push's messages live until the next push)", () => {
  const readNow = (d: FrameDecoder, chunk: Uint8Array) => d.push(chunk).map((m) => [m.opcode, m.operand, m.body.toHex(), m.frame!.toHex()]);
  const expected = messages.map((m) => [m.opcode, m.operand, m.body.toHex(), frameBytes(m).toHex()]);

  test("gives every message and its frame of a stream split once at every byte boundary, or one byte at a time", () => {
    const scratch = new Scratch(16);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder(1 << 20, scratch);
      expect([...readNow(d, stream.subarray(0, cut)), ...readNow(d, stream.subarray(cut))]).toEqual(expected);
      expect(d.bufferedBytes).toBe(0);
    }
    const d = new FrameDecoder(1 << 20, scratch);
    const got: ReturnType<typeof readNow> = [];
    for (let i = 0; i < stream.length; i++) got.push(...readNow(d, stream.subarray(i, i + 1)));
    expect(got).toEqual(expected);
  });
});
