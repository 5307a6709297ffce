// `bun run bench:codec`: the broker's in-process codec hot path (decode a line, relay it with its
// codes rewritten, encode a line) on Bun's native base64, and beside it the portable base64 that
// the SDK uses on Node 20, in ns per message, median of rounds. A benchmark, not a test.
import { base64Codec, portableFromBase64, portableToBase64 } from "../src/protocol/base64.ts";
import { LineDecoder, encodeLine, message, retag, yourMove } from "../src/protocol/index.ts";

const SIZES = [64, 4096, 262_144];
const ROUNDS = 15;
const BYTES_PER_ROUND = 32 * 1024 * 1024;

function state(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7919) & 0xff;
  return bytes;
}

/** Median ns per call of `op`, over ROUNDS rounds of `n` calls after one warm-up round. */
function measure(n: number, op: () => unknown): number {
  const rounds: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const started = Bun.nanoseconds();
    for (let i = 0; i < n; i++) op();
    if (r > 0) rounds.push((Bun.nanoseconds() - started) / n);
  }
  return rounds.sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
}

const rows: string[][] = [["state", "decode a line", "relay (decode + retag)", "encode a line", "portable base64 decode", "portable encode"]];
for (const size of SIZES) {
  const line = new TextEncoder().encode(encodeLine(message(0x01, 0x00, state(size))));
  const n = Math.max(50, Math.floor(BYTES_PER_ROUND / line.length / 8));
  const decoder = new LineDecoder(64 * 1024 * 1024);
  // The decoder keeps views of its input: give it a fresh copy, as a socket read would.
  const copies = Array.from({ length: n }, () => line.slice());
  let at = 0;
  const next = () => copies[at++ % copies.length]!;
  const decodeNs = measure(n, () => decoder.push(next()));
  const relayNs = measure(n, () => retag(decoder.push(next())[0]!, 0x02, 0x05));
  const m = yourMove(state(size));
  const encodeNs = measure(n, () => encodeLine(m));
  const text = line.subarray(0, line.length - 1);
  const portableDecodeNs = measure(n, () => portableFromBase64(text));
  const portableEncodeNs = measure(n, () => portableToBase64(m.body));
  const cells = [decodeNs, relayNs, encodeNs, portableDecodeNs, portableEncodeNs];
  rows.push([`${size} B`, ...cells.map((ns) => `${Math.round(ns).toLocaleString("en")} ns`)]);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(`codec hot path, Bun ${Bun.version} (${base64Codec} base64), median of ${ROUNDS} rounds`);
for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
