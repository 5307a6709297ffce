// The portable base64 codec (used where the runtime lacks Uint8Array.fromBase64, e.g. Node 20)
// gives exactly what the native one gives: the same text, the same bytes, the same refusals.
import { expect, test } from "bun:test";
import { base64Codec, fromBase64, portableFromBase64, portableToBase64, toBase64 } from "../../src/protocol/base64.ts";
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
