// The bytes of one line or frame that spans reads, held until its end arrives. With a scratch, each
// read's part is copied at once into a buffer lent by it (the reads die young; the buffer is reused);
// without one, the parts are kept as views and joined once at the end. Pure.
import type { Scratch } from "./scratch.ts";

export class Gather {
  private parts: Uint8Array[] = [];
  private into: Uint8Array | null = null;
  bytes = 0;

  constructor(private readonly scratch: Scratch | null) {}

  /** Holds `part` (a view of a read the caller will not reuse, or that it handles before the next push). */
  add(part: Uint8Array): void {
    if (this.scratch === null) {
      this.parts.push(part);
    } else {
      const need = this.bytes + part.length;
      if (this.into === null || this.into.length < need) {
        // At least twice the room held: a long line over many reads is copied O(n) times in all, not O(n²).
        const bigger = this.scratch.lend(this.into === null ? need : Math.max(need, 2 * this.into.length));
        if (this.into !== null) {
          bigger.set(this.into.subarray(0, this.bytes));
          this.scratch.giveBack(this.into);
        }
        this.into = bigger;
      }
      this.into.set(part, this.bytes);
    }
    this.bytes += part.length;
  }

  /** The first held byte at `i` (a frame's header may be split over parts). */
  byteAt(i: number): number {
    if (this.into !== null) return this.into[i]!;
    for (const p of this.parts) {
      if (i < p.length) return p[i]!;
      i -= p.length;
    }
    return 0;
  }

  /** Everything held, with `tail` after it, as one buffer; then holds nothing. With a scratch the buffer is valid until its next reset. */
  finish(tail: Uint8Array): Uint8Array {
    this.add(tail);
    let whole: Uint8Array;
    if (this.into !== null) {
      whole = this.into.subarray(0, this.bytes);
      this.scratch!.giveBack(this.into);
      this.into = null;
    } else if (this.parts.length === 1) {
      whole = this.parts[0]!;
    } else {
      whole = new Uint8Array(this.bytes);
      let at = 0;
      for (const p of this.parts) {
        whole.set(p, at);
        at += p.length;
      }
    }
    this.parts = [];
    this.bytes = 0;
    return whole;
  }

  /** Hands over what is held (the stream goes on in another framing); then holds nothing. */
  take(): Uint8Array[] {
    const held = this.into !== null ? [this.into.slice(0, this.bytes)] : this.parts;
    if (this.into !== null) this.scratch!.giveBack(this.into);
    this.into = null;
    this.parts = [];
    this.bytes = 0;
    return held;
  }
}
