// Reused memory for decoders whose caller handles every message before giving them more bytes (the
// broker's transport): decoded envelopes are carved out of it, and a line or frame that spans reads
// is gathered in a buffer lent from its pool, so what a decoder hands out is valid only until the
// next push of any decoder sharing it. Pure.

/** Below this a buffer is kept for the next push; a larger one is used once and dropped. */
const KEEP_BYTES_MAX = 1024 * 1024;
/** Free gathering buffers kept for the next lines that span reads. */
const POOL_MAX = 8;

/** A bump arena: `reserve` carves room out of one buffer; `reset` (at each push) reuses it from the start. */
export class Scratch {
  /** The buffer `reserve` hands out offsets of (a larger one replaces it when it is full). */
  buffer: Uint8Array;
  private used = 0;
  /** Gathering buffers free to lend, and those given back since the last reset (still readable until it). */
  private readonly free: Uint8Array[] = [];
  private readonly returned: Uint8Array[] = [];

  constructor(initialBytes = 64 * 1024) {
    this.buffer = new Uint8Array(initialBytes);
  }

  /** Forgets every view handed out: they may be overwritten from now on. */
  reset(): void {
    this.used = 0;
    while (this.returned.length > 0) {
      const b = this.returned.pop()!;
      if (this.free.length < POOL_MAX && b.length <= KEEP_BYTES_MAX) this.free.push(b);
    }
  }

  /**
   * A buffer of at least `bytes` bytes to gather a line or frame that spans reads, the decoder's
   * until it gives it back. Copying each read into it at once (rather than keeping the reads) lets
   * them die young: held across a collection, they would be promoted to the old generation.
   */
  lend(bytes: number): Uint8Array {
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.length >= bytes) {
        this.free[i] = this.free[this.free.length - 1]!;
        this.free.pop();
        return b;
      }
    }
    // Room to grow, as a line that spans reads needs more than its first part (a giant one: exact).
    return new Uint8Array(bytes > KEEP_BYTES_MAX ? bytes : Math.max(4096, 2 ** Math.ceil(Math.log2(bytes))));
  }

  /** Gives a lent buffer back: lent again after the next reset (what it holds is read until then). */
  giveBack(b: Uint8Array): void {
    this.returned.push(b);
  }

  /**
   * `bytes` bytes of `buffer` from the offset returned, which nothing handed out since the last
   * reset overlaps (read `buffer` after the call: a full one is replaced by one at least twice as
   * large, up to the size worth keeping; the old one lives on in what was handed out of it), or -1
   * when they are too many to keep (then the caller uses a buffer of its own).
   */
  reserve(bytes: number): number {
    if (this.used + bytes > this.buffer.length) {
      if (bytes > KEEP_BYTES_MAX) return -1;
      this.buffer = new Uint8Array(Math.min(KEEP_BYTES_MAX, Math.max(bytes, 2 * this.buffer.length)));
      this.used = 0;
    }
    const at = this.used;
    this.used += bytes;
    return at;
  }
}
