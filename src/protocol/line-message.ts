// A message read from a long v1 line by the broker's relay: its base64 checked (base64.ts
// checkBase64), its codes and first body byte read, its body decoded only if someone reads it (a
// trace, a v2 or debug destination): relayed as it came, a state or reply is never decoded. Pure.
import { fromBase64 } from "./base64.ts";
import type { Message } from "./message.ts";

export class LineMessage implements Message {
  constructor(
    readonly opcode: number,
    readonly operand: number,
    /** The line, "\n" included; its first group may be rewritten in place (retag). */
    readonly wire: Uint8Array,
    /** The body's length, known without decoding it. */
    readonly bodyBytes: number,
    /** The body's first byte, or -1 if it is empty: a relay rewrites the first group with it. */
    readonly firstBodyByte: number,
    private decoded: Uint8Array | null = null,
  ) {}

  /** Decoded from the line at the first read (the same bytes whatever codes its first group now has). */
  get body(): Uint8Array {
    this.decoded ??= fromBase64(this.wire.subarray(0, this.wire.length - 1)).subarray(2);
    return this.decoded;
  }

  /** The same message under other codes, sharing its line and body (its line's first group is the caller's to rewrite). */
  retagged(opcode: number, operand: number): LineMessage {
    return new LineMessage(opcode, operand, this.wire, this.bodyBytes, this.firstBodyByte, this.decoded);
  }
}

/** A message's body length, without decoding a LineMessage's body. */
export function bodyBytes(m: Message): number {
  return m instanceof LineMessage ? m.bodyBytes : m.body.length;
}
