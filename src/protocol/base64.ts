// Standard padded base64 for v1 lines: the runtime's own Uint8Array.fromBase64/toBase64 where it
// has them (Bun, so the broker), else a portable codec (Node 20 for the SDK). Pure; both strict.
import { ProtocolError } from "./errors.ts";

/** Uint8Array's base64 methods (TC39 proposal, in Bun; not in Node 20), typed here for every runtime. */
interface NativeStatics {
  fromBase64?(text: string, options: { lastChunkHandling: "strict" }): Uint8Array;
}
/** The TC39 shape (Bun's own typings give `setFromBase64` an offset instead of the options). */
interface NativeBytes {
  toBase64(): string;
  setFromBase64(text: string, options: { lastChunkHandling: "strict" }): { read: number; written: number };
}

const native = Uint8Array as unknown as NativeStatics;
const nativeProto = Uint8Array.prototype as unknown as Partial<NativeBytes>;
const hasNative = typeof native.fromBase64 === "function" && typeof nativeProto.toBase64 === "function" && typeof nativeProto.setFromBase64 === "function";
const STRICT = { lastChunkHandling: "strict" } as const;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PAD = 0x3d; // "="
/** ASCII code → 6-bit value, or -1 for a byte outside the alphabet. */
const VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;
const CODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** 1 for an alphabet character, else 0. */
const IN_ALPHABET = Uint8Array.from({ length: 256 }, (_, b) => (VALUE[b]! >= 0 ? 1 : 0));
/** 1 for two alphabet characters read as one 16-bit unit (in either byte order), else 0: 64 KiB. */
const PAIR_IN_ALPHABET = Uint8Array.from({ length: 65536 }, (_, u) => IN_ALPHABET[u & 0xff]! & IN_ALPHABET[u >> 8]!);
// Any non-ASCII byte maps to a non-base64 character, so decoding as latin1 loses nothing.
const latin1 = new TextDecoder("latin1");

/** Portable encoder: the same text as `bytes.toBase64()`. */
export function portableToBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = CODE[n >> 18]!;
    out[o++] = CODE[(n >> 12) & 63]!;
    out[o++] = CODE[(n >> 6) & 63]!;
    out[o++] = CODE[n & 63]!;
  }
  const left = bytes.length - i;
  if (left > 0) {
    const n = (bytes[i]! << 16) | (left === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = CODE[n >> 18]!;
    out[o++] = CODE[(n >> 12) & 63]!;
    out[o++] = left === 2 ? CODE[(n >> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  return latin1.decode(out);
}

/** "=" characters at the end of line[start, end) (0, 1 or 2); it decodes to (length / 4) * 3 bytes minus them. */
function paddingOf(line: Uint8Array, start: number, end: number): number {
  return end === start ? 0 : line[end - 1] !== PAD ? 0 : line[end - 2] !== PAD ? 1 : 2;
}

/**
 * Portable strict decoder of one line's ASCII bytes: null unless they are canonical padded
 * standard base64 (length a multiple of 4, only the alphabet, "=" only as the last one or two
 * characters, zero padding bits), which is all the original accepts.
 */
export function portableFromBase64(line: Uint8Array): Uint8Array | null {
  if (line.length % 4 !== 0) return null;
  const out = new Uint8Array((line.length / 4) * 3 - paddingOf(line, 0, line.length));
  return decodeInto(line, 0, line.length, out, 0) ? out : null;
}

/** The portable decoder's loop: writes the bytes of line[start, end) (a multiple of 4 long) into `out` from `o`; false if not canonical. */
function decodeInto(line: Uint8Array, start: number, end: number, out: Uint8Array, o: number): boolean {
  const padding = paddingOf(line, start, end);
  const full = padding === 0 ? end : end - 4;
  for (let i = start; i < full; i += 4) {
    const a = VALUE[line[i]!]!, b = VALUE[line[i + 1]!]!, c = VALUE[line[i + 2]!]!, d = VALUE[line[i + 3]!]!;
    if ((a | b | c | d) < 0) return false;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (padding > 0) {
    const a = VALUE[line[full]!]!, b = VALUE[line[full + 1]!]!;
    const c = padding === 1 ? VALUE[line[full + 2]!]! : 0;
    if ((a | b | c) < 0) return false;
    // Strict: the bits below the last byte must be zero (the original rejects anything else).
    if (padding === 2 ? (b & 15) !== 0 : (c & 3) !== 0) return false;
    const n = (a << 18) | (b << 12) | (c << 6);
    out[o++] = n >> 16;
    if (padding === 1) out[o++] = (n >> 8) & 0xff;
  }
  return true;
}

/** Are line[start, end) all alphabet characters? Two at a time through a 16-bit view: ~0.1 ns a character. */
function alphabetOnly(line: Uint8Array, start: number, end: number): boolean {
  let ok = 1;
  let i = start;
  if (((line.byteOffset + i) & 1) !== 0 && i < end) ok &= IN_ALPHABET[line[i++]!]!;
  const pairs = (end - i) >> 1;
  const units = new Uint16Array(line.buffer, line.byteOffset + i, pairs);
  let k = 0;
  for (; k + 1 < pairs; k += 2) ok &= PAIR_IN_ALPHABET[units[k]!]! & PAIR_IN_ALPHABET[units[k + 1]!]!;
  if (k < pairs) ok &= PAIR_IN_ALPHABET[units[k]!]!;
  i += 2 * pairs;
  if (i < end) ok &= IN_ALPHABET[line[i]!]!;
  return ok === 1;
}

/** The first group of a line decoded by `checkBase64`. */
const GROUP = new Uint8Array(3);

/**
 * Checks line[start, end) is canonical padded base64, as `fromBase64` would, without decoding it
 * (no string, no buffer): returns its decoded length and leaves its first group's (up to) 3 bytes
 * in `firstGroup()`. Throws ProtocolError `bad_base64`. For long lines whose bytes go on as they
 * came (the relay): their bodies are decoded only if someone reads them.
 */
export function checkBase64(line: Uint8Array, start: number, end: number): number {
  const expected = decodedLength(line, start, end);
  // Every group but the last: the alphabet only. The last: its padding and zero bits, decoded.
  if (expected < 0 || end - start < 8 || !alphabetOnly(line, start, end - 4) || !decodeInto(line, end - 4, end, GROUP, 0)) {
    throw badBase64(line.subarray(start, end));
  }
  if (!decodeInto(line, start, start + 4, GROUP, 0)) throw badBase64(line.subarray(start, end));
  return expected;
}

/** The bytes of the first group `checkBase64` read (valid until its next call). */
export function firstGroup(): Uint8Array {
  return GROUP;
}

/**
 * Writes the base64 of the 3 bytes a, b, c (c < 0: of a and b alone, padded) as the 4 characters of
 * `line` from `at`: the first group of a line, rewritten in place when a relay changes its codes.
 */
export function writeBase64Group(line: Uint8Array, at: number, a: number, b: number, c: number): void {
  line[at] = CODE[a >> 2]!;
  line[at + 1] = CODE[((a & 3) << 4) | (b >> 4)]!;
  line[at + 2] = CODE[((b & 15) << 2) | (c < 0 ? 0 : c >> 6)]!;
  line[at + 3] = c < 0 ? PAD : CODE[c & 63]!;
}

function badBase64(line: Uint8Array): ProtocolError {
  return new ProtocolError("bad_base64", `line of ${line.length} bytes is not padded standard base64`);
}

function nativeDecode(line: Uint8Array): Uint8Array {
  const text = latin1.decode(line);
  let bytes: Uint8Array;
  try {
    bytes = native.fromBase64!(text, STRICT);
  } catch {
    throw badBase64(line);
  }
  // fromBase64 skips ASCII whitespace (so "\r" would pass); the original does not. Any skipped
  // byte makes the decoded length fall short of what the line's length promises.
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  if (bytes.length !== (text.length / 4) * 3 - padding) throw badBase64(line);
  return bytes;
}

function portableDecode(line: Uint8Array): Uint8Array {
  const bytes = portableFromBase64(line);
  if (bytes === null) throw badBase64(line);
  return bytes;
}

/** Decodes one line (without its "\n") strictly. Throws ProtocolError `bad_base64`. */
export const fromBase64: (line: Uint8Array) => Uint8Array = hasNative ? nativeDecode : portableDecode;

/**
 * Lines up to this many characters are decoded by the portable loop even where the runtime has
 * native base64: it needs no string of the line, so a small message allocates nothing here. The
 * loop costs ~0.7 ns a character, the native decoder ~100 ns plus ~0.07 ns a character and the
 * line's string (garbage): past this the native one is cheaper (bench/codec.ts).
 */
export const NATIVE_FROM_CHARS = 256;

/** The bytes base64 text line[start, end) decodes to if it is canonical, or -1 if its length cannot be base64. */
export function decodedLength(line: Uint8Array, start: number, end: number): number {
  return (end - start) % 4 === 0 ? ((end - start) / 4) * 3 - paddingOf(line, start, end) : -1;
}

/**
 * As `fromBase64` of line[start, end), into `target` from index `at` (it must hold
 * `decodedLength(line, start, end)` bytes there) rather than a new buffer; returns the bytes
 * written. Throws ProtocolError `bad_base64`.
 */
export function fromBase64Into(line: Uint8Array, start: number, end: number, target: Uint8Array, at = 0): number {
  const expected = decodedLength(line, start, end);
  if (expected < 0) throw badBase64(line.subarray(start, end));
  if (!hasNative || end - start <= NATIVE_FROM_CHARS) {
    if (!decodeInto(line, start, end, target, at)) throw badBase64(line.subarray(start, end));
    return expected;
  }
  const text = latin1.decode(line.subarray(start, end));
  let written: number;
  try {
    const into = at === 0 ? target : target.subarray(at, at + expected);
    written = (into as unknown as NativeBytes).setFromBase64(text, STRICT).written;
  } catch {
    throw badBase64(line.subarray(start, end));
  }
  // As in nativeDecode: a skipped whitespace character leaves the output short.
  if (written !== expected) throw badBase64(line.subarray(start, end));
  return written;
}

/** The base64 text of `bytes` (standard alphabet, padded). */
export const toBase64: (bytes: Uint8Array) => string = hasNative ? (bytes) => (bytes as unknown as NativeBytes).toBase64() : portableToBase64;

/** Which codec this runtime uses: "native" (Uint8Array.fromBase64/toBase64) or "portable". */
export const base64Codec: "native" | "portable" = hasNative ? "native" : "portable";
