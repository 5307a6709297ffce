// Writes test/vectors/frames.json: the v2 frame vectors (PROTOCOL.md §11) made by the TypeScript
// codec (frameBytes, FrameDecoder, welcome, encodeLine), for the three SDKs' suites to read.
// `bun test/vectors/frames.gen.ts` rewrites it; `--check` fails when the file differs (a test runs it).
import { readFileSync, writeFileSync } from "node:fs";
import { FrameDecoder, ProtocolError, encodeLine, envelopeBytesMax, frameBytes, message, welcome, type Message } from "../../src/protocol/index.ts";
import v1 from "./v1.json" with { type: "json" };

const PATH = new URL("./frames.json", import.meta.url).pathname;
const text = new TextEncoder();
const hex = (b: Uint8Array): string => b.toHex();
const envelope = (m: Message): string => hex(new Uint8Array([m.opcode, m.operand, ...m.body]));
const join = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};
const fromHex = (h: string): Uint8Array => Uint8Array.fromHex(h);

/** Every v1 message vector as a frame, and a few of v2's own. */
function frames(): object[] {
  const out: object[] = v1.messages.map((v) => {
    const m = message(v.opcode, v.operand, fromHex(v.body_hex));
    return { name: v.name, about: v.meaning, hex: v.hex, frame_hex: hex(frameBytes(m)) };
  });
  const own: Array<[string, string, Message]> = [
    ["welcome_frames", "a Welcome granting frames, as a frame (the real one is always a v1 line)", welcome({ brokerVersion: "0.1.0", features: ["results", "frames"], room: "default", queuePosition: 1, bots: 2, time: null })],
    ["move_timing", "00 30: a bot's time for the state that follows (move 100 ms, bank 50 ms)", message(0x00, 0x30, fromHex("08641032189601"))],
    ["state_256", "02 05 + 256 bytes: a length whose low byte is 02", message(0x02, 0x05, Uint8Array.from({ length: 256 }, (_, i) => i))],
    ["state_254", "02 05 + 254 bytes: the length 00 00 01 00, a header whose low byte is zero", message(0x02, 0x05, new Uint8Array(254).fill(0x5a))],
  ];
  for (const [name, about, m] of own) out.push({ name, about, hex: envelope(m), frame_hex: hex(frameBytes(m)) });
  return out;
}

/** What a client that asked for frames reads: the Welcome line, then frames, in any chunks. */
function streams(): object[] {
  const granted = welcome({ brokerVersion: "0.1.0", features: ["results", "frames"], room: "default", queuePosition: 1, bots: 1, time: null });
  const notGranted = welcome({ brokerVersion: "0.1.0", features: ["results"], room: "default", queuePosition: 1, bots: 1, time: null });
  const batch = message(0x00, 0x11, fromHex("0a035201410a050801520142"));
  const trigger = message(0x01, 0x00);
  const state = message(0x02, 0x05, text.encode("state"));
  const end = message(0x00, 0xff);
  const line = (m: Message): Uint8Array => text.encode(encodeLine(m));
  const one = (name: string, about: string, parts: Uint8Array[], messages: Message[], framesAfter: boolean): object => ({
    name,
    about,
    bytes_hex: hex(join(parts)),
    messages_hex: messages.map(envelope),
    frames_after: framesAfter,
  });
  return [
    one("game_welcome_then_frames_in_one_read", "a game's Welcome grants frames; the batch and the first trigger come as frames in the same read", [line(granted), frameBytes(batch), frameBytes(trigger)], [granted, batch, trigger], true),
    one("bot_welcome_then_frames", "a bot's Welcome grants frames; a state and the end follow as frames", [line(granted), frameBytes(state), frameBytes(end)], [granted, state, end], true),
    one("welcome_without_frames_then_lines", "a Welcome that does not grant frames: v1 lines go on", [line(notGranted), line(batch), line(trigger)], [notGranted, batch, trigger], false),
    one("no_welcome_lines_only", "the original broker: no Welcome, v1 lines only", [line(batch), line(trigger)], [batch, trigger], false),
  ];
}

/** Frames a decoder refuses, with the limit (envelope bytes) it was given. */
function invalid(): object[] {
  const cases: Array<[string, string, number, Uint8Array]> = [
    ["over_the_limit", "a header announcing 101 bytes where 100 are allowed: refused as soon as the header is whole", 100, fromHex("00000065")],
    ["over_the_limit_huge", "a header announcing 1 GiB: refused before any body arrives", 3072, fromHex("40000000")],
    ["short_envelope", "a frame of 1 byte: an envelope needs 2", 100, fromHex("0000000100")],
    ["empty_envelope", "a frame of 0 bytes", 100, fromHex("00000000")],
    ["unknown_opcode", "opcode 07 does not exist", 100, fromHex("000000020700")],
  ];
  return cases.map(([name, about, max, bytes]) => {
    let error = "";
    try {
      new FrameDecoder(max).push(bytes);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      error = e.code;
    }
    if (!error) throw new Error(`${name}: the TypeScript decoder accepted it`);
    return { name, about, envelope_bytes_max: max, bytes_hex: hex(bytes), error };
  });
}

export function vectors(): object {
  return {
    protocol: "BitBroker v2 frames (docs/PROTOCOL.md §11)",
    about:
      "Generated by `bun test/vectors/frames.gen.ts` from the TypeScript codec; read by the TypeScript, Python and Rust suites. A frame is [length: u32 big-endian][envelope]. 'frames': each envelope ('hex') and its frame. 'streams': what a client that asked for frames reads after its handshake ('bytes_hex', to be fed whole and split at every byte), the envelopes it must give in order ('messages_hex'), and whether it speaks frames after them. 'invalid': bytes a frame decoder with that envelope limit refuses, with the error code. 'limits': the largest envelope a frame may carry for a v1 line limit (the same messages fit either way).",
    frames: frames(),
    streams: streams(),
    invalid: invalid(),
    limits: [4, 4096, 16 * 1024 * 1024, 64 * 1024 * 1024].map((line) => ({ line_bytes_max: line, envelope_bytes_max: envelopeBytesMax(line) })),
  };
}

if (import.meta.main) {
  const json = JSON.stringify(vectors(), null, 1) + "\n";
  if (process.argv.includes("--check")) {
    if (readFileSync(PATH, "utf8") !== json) {
      console.error("test/vectors/frames.json is not what frames.gen.ts makes: run `bun test/vectors/frames.gen.ts`");
      process.exit(1);
    }
  } else {
    writeFileSync(PATH, json);
  }
}
