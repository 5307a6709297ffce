// v2 framing (PROTOCOL.md §11), for clients that ask for the "frames" feature and are granted it:
// one message = [length: u32 big-endian][envelope], no base64, no newline. Bytes in, messages out
// (and back). Pure: no sockets, no clocks.
import { ProtocolError } from "./errors.ts";
import { checkEnvelope, type Message } from "./message.ts";
import type { Scratch } from "./scratch.ts";

const HEADER = 4;

/** The largest envelope v2 carries under a v1 line limit: the same messages fit either way. */
export function envelopeBytesMax(lineBytesMax: number): number {
  return Math.floor(lineBytesMax / 4) * 3;
}

/** Splits a byte stream into v2 frames and decodes each; incomplete input is normal. */
export class FrameDecoder {
  /** Bytes of a frame whose end has not arrived yet (its header included once known). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The envelope length of the frame being assembled, once its header is whole; else -1. */
  private need = -1;
  /** A header split across chunks, gathered to be read. */
  private readonly header = new Uint8Array(HEADER);
  /** With a scratch: the array every push returns, emptied first. */
  private readonly out: Message[] = [];

  /**
   * @param envelopeBytesMax longest accepted envelope (the frame minus its 4-byte header).
   * @param scratch as LineDecoder's: frames joined across chunks go there, and what a push returns
   *   is valid only until the next push of a decoder sharing it.
   */
  constructor(
    private envelopeBytesMax: number,
    private readonly scratch: Scratch | null = null,
  ) {}

  setEnvelopeBytesMax(envelopeBytesMax: number): void {
    this.envelopeBytesMax = envelopeBytesMax;
  }

  get bufferedBytes(): number {
    return this.pendingBytes;
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
      if (this.pendingBytes === 0) {
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
        const take = Math.min(HEADER - this.pendingBytes, chunk.length - at);
        this.hold(chunk.subarray(at, at + take));
        at += take;
        if (this.pendingBytes < HEADER) continue;
        this.need = this.lengthAt(this.gatherHeader(), 0);
      }
      const take = Math.min(HEADER + this.need - this.pendingBytes, chunk.length - at);
      this.hold(chunk.subarray(at, at + take));
      at += take;
      if (this.pendingBytes === HEADER + this.need) {
        out.push(decodeFrame(this.join()));
        this.pending = [];
        this.pendingBytes = 0;
        this.need = -1;
      }
    }
    if (at < chunk.length) {
      const rest = chunk.subarray(at);
      this.hold(rest);
      // PROTOCOL.md §11: a frame over the limit is refused once its header is known.
      if (this.pendingBytes >= HEADER) this.need = this.lengthAt(this.gatherHeader(), 0);
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

  private hold(part: Uint8Array): void {
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  /** The first 4 held bytes, wherever the parts split them. */
  private gatherHeader(): Uint8Array {
    let at = 0;
    for (const p of this.pending) {
      for (let i = 0; i < p.length && at < HEADER; i++) this.header[at++] = p[i]!;
      if (at === HEADER) break;
    }
    return this.header;
  }

  /** The held parts as one frame, joined once (into the scratch when there is one). */
  private join(): Uint8Array {
    if (this.pending.length === 1) return this.pending[0]!;
    const whole = this.scratch === null ? new Uint8Array(this.pendingBytes) : this.scratch.take(this.pendingBytes);
    let at = 0;
    for (const p of this.pending) {
      whole.set(p, at);
      at += p.length;
    }
    return whole;
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
