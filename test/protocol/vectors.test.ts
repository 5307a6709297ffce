// The codec against the golden vectors (test/vectors/v1.json), which the Python and Rust SDKs read too.
import { describe, expect, test } from "bun:test";
import {
  LineDecoder,
  ProtocolError,
  decodeBatch,
  decodeBotName,
  encodeBatch,
  encodeBotName,
  encodeEnvelope,
  encodeLine,
  message,
} from "../../src/protocol/index.ts";
import { fromHex, invalidLineVectors, messageVectors } from "../vectors/vectors.ts";

const ascii = (s: string) => new TextEncoder().encode(s);

describe("every message vector", () => {
  for (const v of messageVectors) {
    test(`${v.name}: encodes to its line and decodes back`, () => {
      const m = message(v.opcode, v.operand, fromHex(v.body_hex));
      expect(encodeEnvelope(m).toHex()).toBe(v.hex);
      expect(encodeLine(m)).toBe(`${v.line}\n`);
      const [decoded, ...rest] = new LineDecoder(1 << 20).push(ascii(`${v.line}\n`));
      expect(rest).toEqual([]);
      expect(decoded!.opcode).toBe(v.opcode);
      expect(decoded!.operand).toBe(v.operand);
      expect(decoded!.body.toHex()).toBe(v.body_hex);
    });
  }
});

describe("protobuf bodies", () => {
  for (const v of messageVectors.filter((v) => v.proto?.type === "InitialMessageProto")) {
    test(`${v.name}: the bot name encodes and decodes byte for byte`, () => {
      const name = v.proto!.value.botName!;
      expect(encodeBotName(name).toHex()).toBe(v.body_hex);
      expect(decodeBotName(fromHex(v.body_hex))).toBe(name);
    });
  }
  for (const v of messageVectors.filter((v) => v.proto?.type === "InitialMessageBatchProto")) {
    test(`${v.name}: the batch encodes and decodes byte for byte`, () => {
      const bots = v.proto!.value.initialMessages!.map((m) => ({ index: m.botIndex, name: m.botName }));
      expect(encodeBatch(bots).toHex()).toBe(v.body_hex);
      expect(decodeBatch(fromHex(v.body_hex))).toEqual(bots);
    });
  }
});

describe("every invalid line vector", () => {
  for (const v of invalidLineVectors) {
    test(`${v.name}: is refused with ${v.error}`, () => {
      let error: unknown;
      try {
        new LineDecoder(1 << 20).push(ascii(`${v.line}\n`));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProtocolError);
      expect<string>((error as ProtocolError).code).toBe(v.error);
    });
  }
});
