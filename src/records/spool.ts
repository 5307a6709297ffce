// A bounded queue of record writes between the broker and a database that may be slow or gone:
// writes go out in batches, a failed batch is retried with back-off, and what does not fit (or a
// write the database keeps refusing while it answers) is dropped, logged and counted. It never
// makes its caller wait.
import type { Write } from "../store/types.ts";

export interface SpoolOptions {
  /** Writes one batch in one transaction. */
  readonly write: (batch: readonly Write[]) => Promise<void>;
  /** Does the database answer at all? (Tells a refused write from an unreachable database.) */
  readonly ping: () => Promise<void>;
  readonly log: (level: "info" | "warn" | "error", event: string, fields: Record<string, string | number>) => void;
  /** Writes held at most; past it, new ones are dropped. */
  readonly max: number;
  readonly batchMax: number;
  /** How long writes gather before a batch goes (so a burst of match starts is one transaction). */
  readonly gatherMs: number;
}

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;

export class Spool {
  private queue: Write[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  private ready = false;
  private backoffMs = 0;
  /** While a write fails: one at a time, so one bad write cannot hold back the others. */
  private single = false;
  private failedSince = 0;
  private droppedInStreak = 0;
  readonly counts = { written: 0, dropped: 0, failures: 0 };

  constructor(private readonly o: SpoolOptions) {}

  get size(): number {
    return this.queue.length;
  }

  /** True while the database refuses or cannot be reached (writes wait here). */
  get failing(): boolean {
    return this.backoffMs > 0;
  }

  /** The database is migrated: writes may go. Until then they wait (up to `max`). */
  open(): void {
    this.ready = true;
    this.schedule(0);
  }

  /** Queues a write; false if the spool is full (the write is dropped, logged and counted). */
  push(w: Write): boolean {
    if (this.queue.length >= this.o.max) {
      this.drop(w, `the spool holds ${this.o.max} writes (BROKER_DB is slow or unreachable)`);
      return false;
    }
    this.queue.push(w);
    if (this.ready && this.backoffMs === 0) this.schedule(this.o.gatherMs);
    return true;
  }

  /** Counts a write that another path could not make either. */
  drop(w: Write, why: string): void {
    this.counts.dropped++;
    if (this.droppedInStreak++ === 0) this.o.log("error", "record dropped", { match: w.record.id, kind: w.kind, why });
  }

  /** Writes what is queued, for up to `timeoutMs`; returns how many writes are left. */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.queue.length > 0 && this.ready && performance.now() < deadline) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      await Promise.race([this.flush(), Bun.sleep(Math.max(1, deadline - performance.now()))]);
      if (this.backoffMs > 0) await Bun.sleep(Math.min(this.backoffMs, Math.max(0, deadline - performance.now())));
    }
    return this.queue.length;
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
  }

  private flush(): Promise<void> {
    this.flushing ??= this.flushAll().finally(() => {
      this.flushing = null;
      if (this.queue.length > 0 && this.ready) this.schedule(this.backoffMs);
    });
    return this.flushing;
  }

  private async flushAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.single ? 1 : this.o.batchMax);
      try {
        await this.o.write(batch);
      } catch (e) {
        await this.failed(batch, e);
        return;
      }
      this.queue.splice(0, batch.length);
      this.counts.written += batch.length;
      if (this.backoffMs > 0) {
        const seconds = Math.round((performance.now() - this.failedSince) / 100) / 10;
        this.o.log("info", "records database back", { afterSeconds: seconds, spooled: this.queue.length, dropped: this.droppedInStreak });
      }
      this.backoffMs = 0;
      this.single = false;
      this.droppedInStreak = 0;
    }
  }

  private async failed(batch: readonly Write[], e: unknown): Promise<void> {
    this.counts.failures++;
    const error = (e as Error).message ?? String(e);
    if (batch.length === 1 && !unreachable(e)) {
      const verdict = await this.tryAgain(batch[0]!);
      if (verdict === "written") return;
      if (verdict === "refused") {
        // The database is there and refuses this one write: retrying would hold back every other.
        this.queue.shift();
        this.drop(batch[0]!, `the database refused it: ${error}`);
        return;
      }
    }
    if (this.backoffMs === 0) {
      this.failedSince = performance.now();
      this.o.log("warn", "records database unavailable; spooling", { error, spooled: this.queue.length });
    }
    this.single = true;
    this.backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, this.backoffMs * 2));
  }

  /**
   * After a failed write of `w` alone: does the database answer, and does it refuse `w` again?
   * (A connection that just came back may fail once.) Written: it is taken off the queue.
   */
  private async tryAgain(w: Write): Promise<"written" | "refused" | "unreachable"> {
    if (!(await this.o.ping().then(() => true, () => false))) return "unreachable";
    try {
      await this.o.write([w]);
    } catch (again) {
      return unreachable(again) ? "unreachable" : "refused";
    }
    this.queue.shift();
    this.counts.written++;
    return "written";
  }
}

/** An error of reaching the database (not of the write itself): connection refused, closed, timed out. */
function unreachable(e: unknown): boolean {
  const code = String((e as { code?: unknown }).code ?? "");
  return /CONNECTION|ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|SQLITE_BUSY|SQLITE_IOERR|SQLITE_FULL|SQLITE_CANTOPEN/.test(code);
}
