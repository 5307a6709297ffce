// Connection limits per remote address (PROTOCOL.md §7, README "Limits"): how many connections
// each address holds, and a token bucket of new connections per second. Pure: time comes in.
export interface AddressLimits {
  /** Connections one address may hold at once. */
  readonly perAddressMax: number;
  /** New connections per second one address may open (its bucket holds a second's worth). */
  readonly ratePerSecond: number;
}

interface Entry {
  open: number;
  tokens: number;
  atMs: number;
}

export type Admission = "ok" | "too_many" | "too_fast";

export class Addresses {
  private readonly byAddress = new Map<string, Entry>();
  /** An incremental sweep: each admission looks at a couple of entries, so idle ones go in O(1). */
  private sweep: Iterator<[string, Entry]> = this.byAddress.entries();

  constructor(private readonly limits: AddressLimits) {}

  /** A new connection from `address` at `nowMs`: admitted (and counted) or refused, and why. */
  admit(address: string, nowMs: number): Admission {
    this.sweepSome(nowMs);
    let e = this.byAddress.get(address);
    if (!e) {
      e = { open: 0, tokens: this.limits.ratePerSecond, atMs: nowMs };
      this.byAddress.set(address, e);
    }
    this.refill(e, nowMs);
    if (e.open >= this.limits.perAddressMax) return "too_many";
    if (e.tokens < 1) return "too_fast";
    e.tokens -= 1;
    e.open++;
    return "ok";
  }

  /** An admitted connection from `address` closed. */
  release(address: string): void {
    const e = this.byAddress.get(address);
    if (e && e.open > 0) e.open--;
  }

  /** Addresses remembered (open connections, or a bucket still refilling). */
  get size(): number {
    return this.byAddress.size;
  }

  private refill(e: Entry, nowMs: number): void {
    e.tokens = Math.min(this.limits.ratePerSecond, e.tokens + ((nowMs - e.atMs) / 1000) * this.limits.ratePerSecond);
    e.atMs = nowMs;
  }

  /** Forgets up to two entries with no connection whose bucket is full again (it would be so anew). */
  private sweepSome(nowMs: number): void {
    for (let i = 0; i < 2; i++) {
      const next = this.sweep.next();
      if (next.done) {
        this.sweep = this.byAddress.entries();
        return;
      }
      const [address, e] = next.value;
      if (e.open > 0) continue;
      this.refill(e, nowMs);
      if (e.tokens >= this.limits.ratePerSecond) this.byAddress.delete(address);
    }
  }
}
