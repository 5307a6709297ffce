// What the end-to-end raw clients and the broker process wait on: a callback (a read, a drain, a
// close, a log line) wakes the signal; a waiter re-checks its condition at each wake, bounded in
// time. Test code only.

export class Signal {
  private waiters: Array<() => void> = [];

  /** Something changed: every waiter re-checks. */
  wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The next wake. */
  next(): Promise<void> {
    return new Promise<void>((r) => this.waiters.push(r));
  }

  /**
   * Waits until `ready()` gives a value other than undefined (checked now and at each wake) and
   * returns it; throws `timedOut()`'s error once `timeoutMs` have passed, or at once if `gaveUp()`.
   */
  async until<T>(ready: () => T | undefined, timeoutMs: number, timedOut: () => Error, gaveUp: () => boolean = () => false): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = ready();
      if (value !== undefined) return value;
      if (Date.now() > deadline || gaveUp()) throw timedOut();
      await Promise.race([this.next(), Bun.sleep(Math.max(1, deadline - Date.now()))]);
    }
  }
}

/** Writes all of `bytes` on `socket`, waiting for a wake (its drain) whenever it takes less. */
export async function writeAll(socket: { write(data: Uint8Array): number }, bytes: Uint8Array, closed: () => boolean, signal: Signal): Promise<void> {
  while (bytes.length > 0) {
    if (closed()) throw new Error("socket closed while sending");
    const n = socket.write(bytes);
    if (n < 0) throw new Error("socket closed while sending");
    bytes = bytes.subarray(n);
    if (bytes.length > 0) await signal.next();
  }
}
