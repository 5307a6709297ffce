// v1 framing: one message = standard base64 (with padding) of its envelope, then "\n".
// Bytes in, messages out (and back). Pure: no sockets, no clocks (docs/PROTOCOL.md §2).
import { NATIVE_FROM_CHARS, checkBase64, decodedLength, firstGroup, fromBase64, fromBase64Into, toBase64 } from "./base64.ts";
import { ProtocolError } from "./errors.ts";
import { Gather } from "./gather.ts";
import { LineMessage } from "./line-message.ts";
import { Opcode, decodeEnvelope, envelopeBytes, envelopeOf, hex, type Message } from "./message.ts";
import type { Scratch } from "./scratch.ts";

const NEWLINE = 0x0a;

/** Splits a byte stream into v1 lines and decodes each; incomplete input is normal. */
export class LineDecoder {
  /** The start of a line whose "\n" has not arrived yet. */
  private readonly pending: Gather;
  /** With a scratch: the array every push returns, emptied first. */
  private readonly out: Message[] = [];

  /**
   * @param lineBytesMax longest accepted line, in bytes on the wire, not counting "\n".
   * @param scratch where lines joined across chunks and decoded envelopes go, reused at each push
   *   (the broker's transport). Then the messages of a push, their bodies, their lines and the
   *   array itself are valid only until the next push of a decoder sharing it. Without one, every
   *   message has buffers of its own.
   */
  constructor(
    private lineBytesMax: number,
    private readonly scratch: Scratch | null = null,
  ) {
    this.pending = new Gather(scratch);
  }

  /** Changes the longest accepted line from now on (a connection past its handshake gets more room). */
  setLineBytesMax(lineBytesMax: number): void {
    this.lineBytesMax = lineBytesMax;
  }

  /** Hands over the bytes held for an unfinished line (the stream goes on in another framing). */
  takePending(): Uint8Array[] {
    return this.pending.take();
  }

  /** Bytes held for a line whose "\n" has not arrived yet. */
  get bufferedBytes(): number {
    return this.pending.bytes;
  }

  /**
   * Appends a chunk; returns every complete message in order, each with its `wire` line.
   * Throws ProtocolError. Keeps views into `chunk` (no copy): the caller hands over a buffer it
   * will not reuse, as Bun does with every socket read.
   */
  push(chunk: Uint8Array): Message[] {
    if (this.scratch === null) return this.pushUntil(chunk, null).messages;
    this.scratch.reset();
    const out = this.out;
    out.length = 0;
    this.scan(chunk, out, null);
    return out;
  }

  /**
   * As `push`, but stops after the first message for which `last` says true, and hands back the
   * bytes after it, unread: the stream goes on in another framing (a Welcome granting v2 frames,
   * PROTOCOL.md §11).
   */
  pushUntil(chunk: Uint8Array, last: ((m: Message) => boolean) | null): { messages: Message[]; rest: Uint8Array | null } {
    this.scratch?.reset();
    const out: Message[] = [];
    const stop = this.scan(chunk, out, last);
    return { messages: out, rest: stop < 0 ? null : chunk.subarray(stop) };
  }

  /** Decodes the lines of `chunk` into `out`; returns where it stopped after a `last` message, or -1. */
  private scan(chunk: Uint8Array, out: Message[], last: ((m: Message) => boolean) | null): number {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) break;
      this.checkLength(nl - start);
      const m = this.decodeWire(this.take(chunk, start, nl + 1));
      out.push(m);
      start = nl + 1;
      if (last?.(m)) return start;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      // PROTOCOL.md §2: refuse an over-long line as soon as it is known, not once it is whole.
      this.checkLength(rest.length);
      this.pending.add(rest);
    }
    return -1;
  }

  /** Decodes a line that ends in "\n" and keeps that line as the message's `wire`. */
  private decodeWire(wire: Uint8Array): Message {
    const end = wire.length - 1;
    if (this.scratch !== null && end > NATIVE_FROM_CHARS) return longLine(wire, end);
    const length = decodedLength(wire, 0, end);
    const at = this.scratch === null || length < 0 ? -1 : this.scratch.reserve(length);
    // Without a scratch, the decoded base64 is this message's own buffer: kept as its envelope for WebSocket relays.
    if (at < 0) return decodeEnvelope(fromBase64(wire.subarray(0, end)), wire, true);
    // The envelope goes into the scratch: no buffer of its own, and no string for a small line.
    const buffer = this.scratch!.buffer;
    fromBase64Into(wire, 0, end, buffer, at);
    return envelopeOf(buffer, at, at + length, wire);
  }

  private checkLength(more: number): void {
    const length = this.pending.bytes + more;
    if (length > this.lineBytesMax) {
      throw new ProtocolError("line_too_long", `line of more than ${this.lineBytesMax} bytes`);
    }
  }

  /** The whole line, "\n" included: what is held plus chunk[start, end) that completes it. */
  private take(chunk: Uint8Array, start: number, end: number): Uint8Array {
    return this.pending.bytes === 0 ? chunk.subarray(start, end) : this.pending.finish(chunk.subarray(start, end));
  }
}

/**
 * A long line in the relay: checked, not decoded (no string of it, no buffer; ~0.1 ns a character,
 * less than a native decode). Its body is decoded only if someone reads it.
 */
function longLine(wire: Uint8Array, end: number): Message {
  const length = checkBase64(wire, 0, end);
  const group = firstGroup();
  if (group[0]! > Opcode.move) throw new ProtocolError("unknown_opcode", `opcode 0x${hex(group[0]!)}`);
  return new LineMessage(group[0]!, group[1]!, wire, length - 2, length > 2 ? group[2]! : -1);
}

/** Decodes one line (without its "\n"). Strict: the original rejects anything but canonical base64. */
export function decodeLine(line: Uint8Array): Message {
  return decodeEnvelope(fromBase64(line));
}

/** The line for a message, "\n" included: ASCII, so its string length is its byte length. */
export function encodeLine(m: Message): string {
  return toBase64(envelopeBytes(m)) + "\n";
}

const ascii = new TextEncoder();

/** The line's bytes, "\n" included: the line it arrived as when it has one, else encoded. */
export function lineBytes(m: Message): Uint8Array {
  return m.wire ?? ascii.encode(encodeLine(m));
}
