// The line decoder the way ws and NATS test theirs: streams split at every byte, limits, random bytes.
import { describe, expect, test } from "bun:test";
import { LineDecoder, ProtocolError, bodyBytes, encodeLine, lineBytes, message, retag, yourMove, type Message } from "../../src/protocol/index.ts";
import { Scratch } from "../../src/protocol/scratch.ts";
import { fromHex, messageVectors } from "../vectors/vectors.ts";

const ascii = (s: string) => new TextEncoder().encode(s);
const plain = (ms: Message[]) => ms.map((m) => ({ opcode: m.opcode, operand: m.operand, body: m.body.toHex() }));

const stream = ascii(messageVectors.map((v) => `${v.line}\n`).join(""));
const expected = messageVectors.map((v) => ({ opcode: v.opcode, operand: v.operand, body: v.body_hex }));

/** Pushes `bytes` in 7-byte pieces: the messages decoded, and whether it stopped at a ProtocolError (any other error fails). */
function feedIn7BytePieces(d: LineDecoder, bytes: Uint8Array): { messages: number; failed: boolean } {
  let messages = 0;
  try {
    for (let i = 0; i < bytes.length; i += 7) messages += d.push(bytes.subarray(i, i + 7)).length;
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return { messages, failed: true };
  }
  return { messages, failed: false };
}

describe("LineDecoder", () => {
  test("gives every message of a stream split once at every byte boundary", () => {
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const d = new LineDecoder(1 << 20);
      const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(plain(got)).toEqual(expected);
      expect(d.bufferedBytes).toBe(0);
    }
  });

  test("gives every message when the stream arrives one byte at a time", () => {
    const d = new LineDecoder(1 << 20);
    const got: Message[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...d.push(stream.subarray(i, i + 1)));
    expect(plain(got)).toEqual(expected);
  });

  test("holds an incomplete line without error until its newline arrives", () => {
    const d = new LineDecoder(100);
    expect(d.push(ascii("AgB4"))).toEqual([]);
    expect(d.bufferedBytes).toBe(4);
    expect(plain(d.push(ascii("eQ==\nAQ")))).toEqual([{ opcode: 2, operand: 0, body: "7879" }]);
    expect(d.bufferedBytes).toBe(2);
  });

  test("accepts a line of exactly the limit and refuses one byte more", () => {
    const m = message(2, 0, new Uint8Array(298)); // 300 bytes → 400 base64 bytes
    const line = encodeLine(m);
    expect(line.length).toBe(401);
    expect(new LineDecoder(400).push(ascii(line))).toHaveLength(1);
    expect(() => new LineDecoder(399).push(ascii(line))).toThrow(ProtocolError);
  });

  test("refuses an over-long line before its newline arrives", () => {
    const d = new LineDecoder(10);
    d.push(ascii("AAAA"));
    d.push(ascii("AAAA"));
    let error: unknown;
    try {
      d.push(ascii("AAAA"));
    } catch (e) {
      error = e;
    }
    expect((error as ProtocolError).code).toBe("line_too_long");
    // The refused line was never buffered whole.
    expect(d.bufferedBytes).toBeLessThanOrEqual(10);
  });

  test("gives each message the line it arrived as, newline included, whole or split", () => {
    for (const cut of [0, 3, 9, stream.length - 1]) {
      const d = new LineDecoder(1 << 20);
      const got = [...d.push(stream.slice(0, cut)), ...d.push(stream.slice(cut))];
      expect(got.map((m) => new TextDecoder().decode(m.wire))).toEqual(messageVectors.map((v) => `${v.line}\n`));
      expect(got.map((m) => new TextDecoder().decode(lineBytes(m)))).toEqual(got.map(encodeLine));
    }
  });

  test("random bytes give messages or a ProtocolError, nothing else", () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const alphabet = ascii("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n\r \x00\xff");
    let messages = 0;
    let errors = 0;
    for (let round = 0; round < 2000; round++) {
      const d = new LineDecoder(64);
      let bytes: Uint8Array;
      if (round % 3 === 2) {
        // A valid stream with one byte replaced: messages before the damage, then maybe an error.
        bytes = stream.slice(0, 40 + (next() % 200));
        bytes[next() % bytes.length] = alphabet[next() % alphabet.length]!;
      } else {
        bytes = new Uint8Array(next() % 200);
        for (let i = 0; i < bytes.length; i++) bytes[i] = round % 3 ? next() & 0xff : alphabet[next() % alphabet.length]!;
      }
      const fed = feedIn7BytePieces(d, bytes);
      messages += fed.messages;
      if (fed.failed) errors++;
    }
    expect(messages).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(0);
  });

  test("decodes a 16 MiB body whole", () => {
    const body = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4096) body[i] = i & 0xff;
    const line = ascii(encodeLine(message(2, 0, body)));
    const d = new LineDecoder(line.length);
    const got: Message[] = [];
    for (let i = 0; i < line.length; i += 65536) got.push(...d.push(line.subarray(i, i + 65536)));
    expect(got).toHaveLength(1);
    expect(got[0]!.body.length).toBe(body.length);
    expect(Bun.hash(got[0]!.body)).toBe(Bun.hash(body));
  });
});

test("a vector's body is what the envelope carries after its two codes", () => {
  for (const v of messageVectors) expect(fromHex(v.hex).subarray(2).toHex()).toBe(v.body_hex);
});

test("retag rewrites a received line into exactly the line of the retagged message", () => {
  for (const size of [0, 1, 2, 3, 4, 5, 100, 4096]) {
    const state = Uint8Array.from({ length: size }, (_, i) => (i * 37 + 11) & 0xff);
    for (const index of [0, 1, 7, 255]) {
      const [m] = new LineDecoder(1 << 20).push(ascii(encodeLine(message(1, index, state))));
      const out = retag(m!, 0x02, 0x05);
      expect({ opcode: out.opcode, operand: out.operand }).toEqual({ opcode: 2, operand: 5 });
      expect(new TextDecoder().decode(lineBytes(out))).toBe(encodeLine(yourMove(state)));
    }
  }
});

test("lineBytes encodes a message that never was a line", () => {
  expect(new TextDecoder().decode(lineBytes(message(0, 0xff)))).toBe("AP8=\n");
});

describe("LineDecoder with a scratch (the broker's transport: a push's messages live until the next push)", () => {
  /** A push's messages, read at once (the scratch reuses their memory at the next push). */
  const readNow = (d: LineDecoder, chunk: Uint8Array) => d.push(chunk).map((m) => ({ opcode: m.opcode, operand: m.operand, body: m.body.toHex(), wire: new TextDecoder().decode(m.wire) }));
  const expectedWire = messageVectors.map((v) => ({ opcode: v.opcode, operand: v.operand, body: v.body_hex, wire: `${v.line}\n` }));

  test("gives every message and its line of a stream split once at every byte boundary", () => {
    const scratch = new Scratch(16);
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const d = new LineDecoder(1 << 20, scratch);
      expect([...readNow(d, stream.subarray(0, cut)), ...readNow(d, stream.subarray(cut))]).toEqual(expectedWire);
    }
  });

  test("gives every message when the stream arrives one byte at a time, decoders sharing one scratch", () => {
    const scratch = new Scratch(16);
    const a = new LineDecoder(1 << 20, scratch);
    const b = new LineDecoder(1 << 20, scratch);
    const gotA: ReturnType<typeof readNow> = [];
    const gotB: ReturnType<typeof readNow> = [];
    for (let i = 0; i < stream.length; i++) {
      gotA.push(...readNow(a, stream.subarray(i, i + 1)));
      gotB.push(...readNow(b, stream.subarray(i, i + 1)));
    }
    expect(gotA).toEqual(expectedWire);
    expect(gotB).toEqual(expectedWire);
  });

  test("decodes a 16 MiB body whole (over what a scratch keeps) and a 300 KiB one (kept)", () => {
    for (const size of [16 * 1024 * 1024, 300 * 1024]) {
      const body = new Uint8Array(size);
      for (let i = 0; i < body.length; i += 4096) body[i] = i & 0xff;
      const line = ascii(encodeLine(message(2, 0, body)));
      const d = new LineDecoder(line.length, new Scratch());
      const hashes: bigint[] = [];
      for (let i = 0; i < line.length; i += 65536) for (const m of d.push(line.subarray(i, i + 65536))) hashes.push(BigInt(Bun.hash(m.body)), BigInt(m.body.length));
      expect(hashes).toEqual([BigInt(Bun.hash(body)), BigInt(size)]);
    }
  });

  test("a line gathered over many reads is copied a bounded number of times, not once per read", () => {
    let lentBytes = 0;
    class Counting extends Scratch {
      override lend(bytes: number): Uint8Array {
        lentBytes += bytes;
        return super.lend(bytes);
      }
    }
    const line = ascii(encodeLine(message(2, 0, new Uint8Array(4 * 1024 * 1024))));
    const d = new LineDecoder(line.length, new Counting());
    let got = 0;
    for (let i = 0; i < line.length; i += 65536) got += d.push(line.subarray(i, i + 65536)).length;
    expect(got).toBe(1);
    // Doubling: what is lent adds up to under 4× the line (one buffer per read would be ~43×).
    expect(lentBytes).toBeLessThan(4 * line.length);
  });

  test("random bytes give messages or a ProtocolError, nothing else", () => {
    let seed = 54321;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const scratch = new Scratch(8);
    let messages = 0;
    let errors = 0;
    for (let round = 0; round < 2000; round++) {
      const d = new LineDecoder(64, scratch);
      const bytes = stream.slice(0, 40 + (next() % 200));
      bytes[next() % bytes.length] = next() & 0xff;
      const fed = feedIn7BytePieces(d, bytes);
      messages += fed.messages;
      if (fed.failed) errors++;
    }
    expect(messages).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(0);
  });

  test("a long line (checked, its body decoded only when read) gives what the plain decoder gives, at any offset in a read", () => {
    const random = (seed: number) => () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const next = random(99);
    for (const size of [190, 191, 192, 193, 500, 4096, 70_000]) {
      const body = Uint8Array.from({ length: size }, () => Math.floor(next() * 256));
      for (const [opcode, operand] of [[2, 0], [1, 7], [0, 0x22]] as const) {
        const text = encodeLine(message(opcode, operand, body));
        for (const pad of [0, 1, 2, 3]) {
          const chunk = ascii("x".repeat(pad) + text);
          const d = new LineDecoder(1 << 20, new Scratch(16));
          const [m] = d.push(chunk.subarray(pad));
          expect({ size, pad, opcode: m!.opcode, operand: m!.operand, bodyBytes: bodyBytes(m!) }).toEqual({ size, pad, opcode, operand, bodyBytes: size });
          expect(Bun.hash(m!.body)).toBe(Bun.hash(body));
          expect(new TextDecoder().decode(m!.wire)).toBe(text);
        }
      }
    }
  });

  test("a long line with any character damaged is refused as the plain decoder refuses it; an unknown opcode too", () => {
    const body = Uint8Array.from({ length: 600 }, (_, i) => (i * 7) & 0xff);
    const text = encodeLine(message(2, 0, body));
    const outcome = (d: LineDecoder, line: string) => {
      try {
        return d.push(ascii(line)).map((m) => Bun.hash(m.body).toString());
      } catch (e) {
        return (e as ProtocolError).code;
      }
    };
    for (let i = 0; i < text.length - 1; i += 7) {
      for (const bad of ["=", "-", "\r", "\x00", "a"]) {
        const damaged = text.slice(0, i) + bad + text.slice(i + 1);
        expect({ i, bad, got: outcome(new LineDecoder(1 << 20, new Scratch()), damaged) }).toEqual({ i, bad, got: outcome(new LineDecoder(1 << 20), damaged) });
      }
    }
    expect(outcome(new LineDecoder(1 << 20, new Scratch()), encodeLine(message(3, 0, body)))).toBe("unknown_opcode");
  });

  test("retag of a long line rewrites its first group in place and keeps its body undecoded until read", () => {
    const state = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff);
    const d = new LineDecoder(1 << 20, new Scratch());
    const [m] = d.push(ascii(encodeLine(message(1, 4, state))));
    const out = retag(m!, 0x02, 0x05);
    expect(new TextDecoder().decode(lineBytes(out))).toBe(encodeLine(yourMove(state)));
    expect(bodyBytes(out)).toBe(state.length);
    expect(Bun.hash(out.body)).toBe(Bun.hash(state));
  });

  test("hands over the bytes of an unfinished line, gathered from several reads, as they came", () => {
    const d = new LineDecoder(1 << 20, new Scratch(16));
    d.push(ascii("AgB4"));
    d.push(ascii("eQ"));
    expect(d.bufferedBytes).toBe(6);
    const held = d.takePending();
    expect(new TextDecoder().decode(Buffer.concat(held))).toBe("AgB4eQ");
    expect(d.bufferedBytes).toBe(0);
    expect(readNow(d, ascii("AgB4eQ==\n"))).toEqual([{ opcode: 2, operand: 0, body: "7879", wire: "AgB4eQ==\n" }]);
  });

  test("retag rewrites a line joined in the scratch into exactly the retagged message's line", () => {
    const state = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) & 0xff);
    const line = ascii(encodeLine(message(1, 3, state)));
    const d = new LineDecoder(1 << 20, new Scratch(16));
    d.push(line.subarray(0, 500));
    const [m] = d.push(line.subarray(500));
    expect(new TextDecoder().decode(lineBytes(retag(m!, 0x02, 0x05)))).toBe(encodeLine(yourMove(state)));
  });
});
