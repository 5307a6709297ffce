// v2 frames against the shared vectors (test/vectors/frames.json, PROTOCOL.md §11), which the
// Python and Rust suites read too: the file is what frames.gen.ts makes from this codec; every
// frame byte for byte; every stream split at every byte through the line decoder's switch to
// frames; every refused frame with its code; the limits.
import { describe, expect, test } from "bun:test";
import { Control, FrameDecoder, LineDecoder, Opcode, ProtocolError, decodeEnvelope, decodeWelcome, envelopeBytesMax, frameBytes, isCode, type Message } from "../../src/protocol/index.ts";
import vectors from "../vectors/frames.json" with { type: "json" };
import { vectors as generated } from "../vectors/frames.gen.ts";

const envelope = (m: Message): string => new Uint8Array([m.opcode, m.operand, ...m.body]).toHex();
const grants = (m: Message): boolean => isCode(m, Opcode.control, Control.welcome) && decodeWelcome(m.body).features.includes("frames");

/** What a client that asked for frames reads from `parts`, as connection.ts reads it. */
function read(parts: Uint8Array[]): { messages: string[]; frames: boolean } {
  const lines = new LineDecoder(1 << 20);
  let frames: FrameDecoder | null = null;
  const out: Message[] = [];
  for (const part of parts) {
    if (frames) {
      out.push(...frames.push(part));
      continue;
    }
    const { messages, rest } = lines.pushUntil(part, grants);
    out.push(...messages);
    if (rest === null) continue;
    frames = new FrameDecoder(1 << 20);
    out.push(...frames.push(rest));
  }
  return { messages: out.map(envelope), frames: frames !== null };
}

test("frames.json is what frames.gen.ts makes from this codec", () => {
  expect(vectors).toEqual(JSON.parse(JSON.stringify(generated())));
});

describe("each message is its frame and back", () => {
  for (const v of vectors.frames) {
    test(v.name, () => {
      const m = decodeEnvelope(Uint8Array.fromHex(v.hex));
      expect(frameBytes(m).toHex()).toBe(v.frame_hex);
      expect(new FrameDecoder(1 << 20).push(Uint8Array.fromHex(v.frame_hex)).map(envelope)).toEqual([v.hex]);
    });
  }
});

describe("each stream gives its messages and framing however it is split", () => {
  for (const v of vectors.streams) {
    test(v.name, () => {
      const data = Uint8Array.fromHex(v.bytes_hex);
      for (let cut = 0; cut <= data.length; cut++) {
        expect(read([data.subarray(0, cut), data.subarray(cut)])).toEqual({ messages: v.messages_hex, frames: v.frames_after });
      }
      expect(read(Array.from(data, (_, i) => data.subarray(i, i + 1))).messages).toEqual(v.messages_hex);
    });
  }
});

describe("each refused frame gives its code as soon as it is known", () => {
  for (const v of vectors.invalid) {
    test(v.name, () => {
      let code = "";
      try {
        new FrameDecoder(v.envelope_bytes_max).push(Uint8Array.fromHex(v.bytes_hex));
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        code = e.code;
      }
      expect(code).toBe(v.error);
    });
  }
});

test("frames carry the messages a line limit carries", () => {
  for (const l of vectors.limits) expect(envelopeBytesMax(l.line_bytes_max)).toBe(l.envelope_bytes_max);
});
