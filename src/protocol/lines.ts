// v1 framing: one message = standard base64 (with padding) of its envelope, then "\n".
// Bytes in, messages out (and back). Pure: no sockets, no clocks (docs/PROTOCOL.md §2).
import { fromBase64, toBase64 } from "./base64.ts";
import { ProtocolError } from "./errors.ts";
import { decodeEnvelope, encodeEnvelope, type Message } from "./message.ts";

const NEWLINE = 0x0a;

/** Splits a byte stream into v1 lines and decodes each; incomplete input is normal. */
export class LineDecoder {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  /** @param lineBytesMax longest accepted line, in bytes on the wire, not counting "\n". */
  constructor(private lineBytesMax: number) {}

  /** Changes the longest accepted line from now on (a connection past its handshake gets more room). */
  setLineBytesMax(lineBytesMax: number): void {
    this.lineBytesMax = lineBytesMax;
  }

  /** Hands over the bytes held for an unfinished line (the stream goes on in another framing). */
  takePending(): Uint8Array[] {
    const parts = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return parts;
  }

  /** Bytes held for a line whose "\n" has not arrived yet. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /**
   * Appends a chunk; returns every complete message in order, each with its `wire` line.
   * Throws ProtocolError. Keeps views into `chunk` (no copy): the caller hands over a buffer it
   * will not reuse, as Bun does with every socket read.
   */
  push(chunk: Uint8Array): Message[] {
    return this.pushUntil(chunk, null).messages;
  }

  /**
   * As `push`, but stops after the first message for which `last` says true, and hands back the
   * bytes after it, unread: the stream goes on in another framing (a Welcome granting v2 frames,
   * PROTOCOL.md §11).
   */
  pushUntil(chunk: Uint8Array, last: ((m: Message) => boolean) | null): { messages: Message[]; rest: Uint8Array | null } {
    const out: Message[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) break;
      this.checkLength(nl - start);
      const m = decodeWire(this.take(chunk.subarray(start, nl + 1)));
      out.push(m);
      start = nl + 1;
      if (last?.(m)) return { messages: out, rest: chunk.subarray(start) };
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      // PROTOCOL.md §2: refuse an over-long line as soon as it is known, not once it is whole.
      this.checkLength(rest.length);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    return { messages: out, rest: null };
  }

  private checkLength(more: number): void {
    const length = this.pendingBytes + more;
    if (length > this.lineBytesMax) {
      throw new ProtocolError("line_too_long", `line of more than ${this.lineBytesMax} bytes`);
    }
  }

  /** The whole line, "\n" included: held chunks plus the tail that completes it. */
  private take(tail: Uint8Array): Uint8Array {
    if (this.pendingBytes === 0) return tail;
    const line = new Uint8Array(this.pendingBytes + tail.length);
    let at = 0;
    for (const part of this.pending) {
      line.set(part, at);
      at += part.length;
    }
    line.set(tail, at);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }
}

/** Decodes one line (without its "\n"). Strict: the original rejects anything but canonical base64. */
export function decodeLine(line: Uint8Array): Message {
  return decodeEnvelope(fromBase64(line));
}

/** Decodes a line that ends in "\n" and keeps that line as the message's `wire`. */
function decodeWire(wire: Uint8Array): Message {
  return decodeEnvelope(fromBase64(wire.subarray(0, wire.length - 1)), wire);
}

/** The line for a message, "\n" included: ASCII, so its string length is its byte length. */
export function encodeLine(m: Message): string {
  return toBase64(encodeEnvelope(m)) + "\n";
}

const ascii = new TextEncoder();

/** The line's bytes, "\n" included: the line it arrived as when it has one, else encoded. */
export function lineBytes(m: Message): Uint8Array {
  return m.wire ?? ascii.encode(encodeLine(m));
}
