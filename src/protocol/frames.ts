// v2 framing (PROTOCOL.md §11), for clients that ask for the "frames" feature and are granted it:
// one message = [length: u32 big-endian][envelope], no base64, no newline. Bytes in, messages out
// (and back). Pure: no sockets, no clocks.
import { ProtocolError } from "./errors.ts";
import { checkEnvelope, type Message } from "./message.ts";
import { Gather } from "./gather.ts";
import type { Scratch } from "./scratch.ts";

const HEADER = 4;

/** The largest envelope v2 carries under a v1 line limit: the same messages fit either way. */
export function envelopeBytesMax(lineBytesMax: number): number {
  return Math.floor(lineBytesMax / 4) * 3;
}

/** Splits a byte stream into v2 frames and decodes each; incomplete input is normal. */
export class FrameDecoder {
  /** Bytes of a frame whose end has not arrived yet (its header included once known). */
  private readonly pending: Gather;
  /** The envelope length of the frame being assembled, once its header is whole; else -1. */
  private need = -1;
  /** A header split across chunks, gathered to be read. */
  private readonly header = new Uint8Array(HEADER);
  /** With a scratch: the array every push returns, emptied first. */
  private readonly out: Message[] = [];

  /**
   * @param envelopeBytesMax longest accepted envelope (the frame minus its 4-byte header).
   * @param scratch as LineDecoder's: a frame that spans chunks is gathered in a buffer it lends, and what a push returns
   *   is valid only until the next push of a decoder sharing it.
   */
  constructor(
    private envelopeBytesMax: number,
    private readonly scratch: Scratch | null = null,
  ) {
    this.pending = new Gather(scratch);
  }

  setEnvelopeBytesMax(envelopeBytesMax: number): void {
    this.envelopeBytesMax = envelopeBytesMax;
  }

  get bufferedBytes(): number {
    return this.pending.bytes;
  }

  /**
   * Appends a chunk; returns every complete message in order, each with its `frame`. Throws
   * ProtocolError. Keeps views into `chunk`: a frame within one chunk is never copied, one that
   * spans chunks is assembled once.
   */
  push(chunk: Uint8Array): Message[] {
    const out = this.scratch === null ? [] : this.out;
    out.length = 0;
    this.scratch?.reset();
    let at = 0;
    while (at < chunk.length) {
      if (this.pending.bytes === 0) {
        // The common case: whole frames in this chunk, read in place.
        if (chunk.length - at < HEADER) break;
        const length = this.lengthAt(chunk, at);
        if (chunk.length - at < HEADER + length) break;
        out.push(decodeFrame(chunk.subarray(at, at + HEADER + length)));
        at += HEADER + length;
        continue;
      }
      // A frame begun in an earlier chunk: take what it still needs.
      if (this.need < 0) {
        const take = Math.min(HEADER - this.pending.bytes, chunk.length - at);
        this.pending.add(chunk.subarray(at, at + take));
        at += take;
        if (this.pending.bytes < HEADER) continue;
        this.need = this.lengthAt(this.gatherHeader(), 0);
      }
      const take = Math.min(HEADER + this.need - this.pending.bytes, chunk.length - at);
      const part = chunk.subarray(at, at + take);
      at += take;
      if (this.pending.bytes + take === HEADER + this.need) {
        out.push(decodeFrame(this.pending.finish(part)));
        this.need = -1;
      } else {
        this.pending.add(part);
      }
    }
    if (at < chunk.length) {
      this.pending.add(chunk.subarray(at));
      // PROTOCOL.md §11: a frame over the limit is refused once its header is known.
      if (this.pending.bytes >= HEADER) this.need = this.lengthAt(this.gatherHeader(), 0);
    }
    return out;
  }

  private lengthAt(bytes: Uint8Array, at: number): number {
    const length = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
    if (length > this.envelopeBytesMax) {
      throw new ProtocolError("line_too_long", `frame of ${length} bytes; at most ${this.envelopeBytesMax}`);
    }
    return length;
  }

  /** The first 4 held bytes, wherever the reads split them. */
  private gatherHeader(): Uint8Array {
    for (let i = 0; i < HEADER; i++) this.header[i] = this.pending.byteAt(i);
    return this.header;
  }
}

/** Decodes one whole frame (header included) and keeps it as the message's `frame`. */
function decodeFrame(frame: Uint8Array): Message {
  checkEnvelope(frame, HEADER);
  return { opcode: frame[HEADER]!, operand: frame[HEADER + 1]!, body: frame.subarray(HEADER + 2), frame };
}

/** The frame for a message: the one it arrived as when it has one, else encoded (header + envelope). */
export function frameBytes(m: Message): Uint8Array {
  if (m.frame) return m.frame;
  const length = 2 + m.body.length;
  const out = new Uint8Array(HEADER + length);
  out[0] = length >>> 24;
  out[1] = (length >>> 16) & 0xff;
  out[2] = (length >>> 8) & 0xff;
  out[3] = length & 0xff;
  out[4] = m.opcode;
  out[5] = m.operand;
  out.set(m.body, HEADER + 2);
  return out;
}
