// Reused memory for decoders whose caller handles every message before giving them more bytes (the
// broker's transport): lines joined across reads and decoded envelopes are carved out of it, so
// what a decoder hands out is valid only until the next push of any decoder sharing it. Pure.

/** Below this a buffer is kept for the next push; a larger one is used once and dropped. */
const KEEP_BYTES_MAX = 1024 * 1024;

/** A bump arena: `take` carves views out of one buffer; `reset` (at each push) reuses it from the start. */
export class Scratch {
  /** The buffer `reserve` hands out offsets of (a larger one replaces it when it is full). */
  buffer: Uint8Array;
  private used = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = new Uint8Array(initialBytes);
  }

  /** Forgets every view handed out: they may be overwritten from now on. */
  reset(): void {
    this.used = 0;
  }

  /**
   * `bytes` bytes no view handed out since the last reset overlaps. A view that no longer fits
   * starts a new buffer (the old one lives on in the views already out), at least twice as large
   * up to the size worth keeping.
   */
  take(bytes: number): Uint8Array {
    const at = this.reserve(bytes);
    return at < 0 ? new Uint8Array(bytes) : this.buffer.subarray(at, at + bytes);
  }

  /**
   * As `take`, without making a view: `bytes` bytes of `buffer` from the offset returned (read
   * `buffer` after the call: it may be a new one), or -1 when they are too many to keep (then the
   * caller uses a buffer of its own).
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
