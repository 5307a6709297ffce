// The portable base64 codec (used where the runtime lacks Uint8Array.fromBase64, e.g. Node 20)
// gives exactly what the native one gives: the same text, the same bytes, the same refusals.
import { expect, test } from "bun:test";
import { NATIVE_FROM_CHARS, base64Codec, decodedLength, fromBase64, fromBase64Into, portableFromBase64, portableToBase64, toBase64, writeBase64Group } from "../../src/protocol/base64.ts";
import { ProtocolError } from "../../src/protocol/index.ts";
import { messageVectors } from "../vectors/vectors.ts";

const ascii = (s: string) => new TextEncoder().encode(s);

/** The native strict decode of `text`, or null where it refuses (what lines.ts accepted before). */
function nativeStrict(text: string): Uint8Array | null {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.fromBase64(text, { lastChunkHandling: "strict" });
  } catch {
    return null;
  }
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : null;
}

/** A deterministic pseudo-random sequence (xorshift32), so a failure can be replayed. */
function xorshift(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test("Bun uses its native codec (the broker's hot path is unchanged)", () => {
  expect(base64Codec).toBe("native");
});

test("the portable encoder writes the native text for every length from 0 to 300", () => {
  const random = xorshift(7);
  for (let length = 0; length <= 300; length++) {
    const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
    expect(portableToBase64(bytes)).toBe(bytes.toBase64());
    expect(toBase64(bytes)).toBe(bytes.toBase64());
  }
});

test("the portable decoder reads every golden line as the native one does", () => {
  for (const v of messageVectors) {
    expect(portableFromBase64(ascii(v.line))).toEqual(nativeStrict(v.line));
  }
});

test("the portable decoder round-trips every length from 0 to 300", () => {
  const random = xorshift(11);
  for (let length = 0; length <= 300; length++) {
    const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
    expect(portableFromBase64(ascii(bytes.toBase64()))).toEqual(bytes);
  }
});

test("the portable decoder accepts and refuses exactly what the native strict one does", () => {
  // Near-base64 text: alphabet, padding, whitespace and a few other bytes, any length.
  const chars = "AQgw/+9=\r\n \t-_.AAAA=";
  const random = xorshift(13);
  let refused = 0;
  for (let i = 0; i < 20_000; i++) {
    const length = Math.floor(random() * 14);
    const text = Array.from({ length }, () => chars[Math.floor(random() * chars.length)]).join("");
    const native = nativeStrict(text);
    expect({ text, got: portableFromBase64(ascii(text)) }).toEqual({ text, got: native });
    if (native === null) refused++;
  }
  expect(refused).toBeGreaterThan(1000); // the inputs did exercise the refusals
});

test("the portable decoder refuses non-zero padding bits, misplaced padding and non-ASCII bytes", () => {
  for (const bad of ["AB==", "AAB=", "A===", "=AAA", "AA=A", "AAAA=AAA", "AAA", "AAAAA"]) {
    expect({ bad, got: portableFromBase64(ascii(bad)) }).toEqual({ bad, got: null });
  }
  expect(portableFromBase64(new Uint8Array([0x41, 0x41, 0x41, 0xc1]))).toBeNull();
});

test("fromBase64 throws a ProtocolError bad_base64 for a line it refuses", () => {
  for (const bad of ["AgB4eQ=\r", "AB=="]) {
    let thrown: unknown;
    try {
      fromBase64(ascii(bad));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ProtocolError);
    expect(thrown).toMatchObject({ code: "bad_base64" });
  }
});

/** fromBase64Into of `text` at `at` in a buffer of spare room, or null where it throws bad_base64. */
function into(text: string, at: number): Uint8Array | null {
  const line = ascii(`..${text}..`);
  const target = new Uint8Array(at + text.length + 8).fill(0xee);
  try {
    const n = fromBase64Into(line, 2, 2 + text.length, target, at);
    expect(target.subarray(0, at).every((b) => b === 0xee)).toBe(true); // nothing before `at` touched
    return target.slice(at, at + n);
  } catch (e) {
    expect(e).toMatchObject({ code: "bad_base64" });
    return null;
  }
}

test("fromBase64Into decodes a slice of a line where it is told, and refuses what fromBase64 refuses, short lines or long", () => {
  const random = xorshift(17);
  // Lengths on both sides of NATIVE_FROM_CHARS (the portable loop below it, the native decoder above).
  expect(NATIVE_FROM_CHARS).toBeLessThan(800);
  for (const length of [0, 1, 2, 3, 4, 63, 64, 65, 190, 191, 192, 193, 600, 5000]) {
    const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
    const text = bytes.toBase64();
    for (const at of [0, 5]) expect(into(text, at)).toEqual(bytes);
    expect(decodedLength(ascii(text), 0, text.length)).toBe(length);
    // One character replaced by one outside the alphabet, or a newline: refused at any length.
    if (text.length > 0) {
      for (const bad of ["\r", " ", "-", "\x7f"]) {
        const i = Math.floor(random() * text.length);
        const damaged = text.slice(0, i) + bad + text.slice(i + 1);
        expect({ length, i, got: into(damaged, 0) }).toEqual({ length, i, got: nativeStrict(damaged) });
      }
    }
  }
  const chars = "AQgw/+9=\r\n \t-_.AAAA=";
  for (let i = 0; i < 5000; i++) {
    const text = Array.from({ length: Math.floor(random() * 14) }, () => chars[Math.floor(random() * chars.length)]).join("");
    expect({ text, got: into(text, 3) }).toEqual({ text, got: nativeStrict(text) });
  }
});

test("writeBase64Group writes the first 4 characters of a line's base64, padded when 2 bytes are all there is", () => {
  const random = xorshift(19);
  for (let i = 0; i < 500; i++) {
    const a = Math.floor(random() * 256), b = Math.floor(random() * 256), c = Math.floor(random() * 256);
    const out = new Uint8Array(4);
    writeBase64Group(out, 0, a, b, c);
    expect(new TextDecoder().decode(out)).toBe(new Uint8Array([a, b, c]).toBase64());
    writeBase64Group(out, 0, a, b, -1);
    expect(new TextDecoder().decode(out)).toBe(new Uint8Array([a, b]).toBase64());
  }
});
