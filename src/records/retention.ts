// Prunes the match records and this broker's replay files beyond BROKER_RECORDS_KEEP (keep.ts),
// at start and then every 10 minutes, a bounded amount at a time. Never throws: a failure is logged.
import { readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Keep, Store } from "../store/types.ts";

const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_ROUND = 1000;
const REPLAY_FILE = /^[0-9a-f-]{36}\.bbr$/;

type LogFn = (level: "info" | "warn", event: string, fields: Record<string, string | number>) => void;

export class Retention {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly keep: Keep,
    private readonly store: Store | null,
    /** This broker's replay folder, or null when it records none. */
    private readonly replayDir: string | null,
    /** Replay files still being written (never removed). */
    private readonly inUse: (name: string) => boolean,
    private readonly log: LogFn,
  ) {}

  /** Prunes now, then every 10 minutes. */
  start(): void {
    void this.prune();
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass over the database and the replay folder; never throws. */
  prune(): Promise<void> {
    this.running ??= (async () => {
      try {
        const records = this.store ? await this.pruneStore() : 0;
        const replays = this.replayDir ? await this.pruneReplays(this.replayDir) : 0;
        if (records + replays > 0) this.log("info", "records pruned", { records, replays });
      } catch (e) {
        this.log("warn", "pruning failed", { error: (e as Error).message });
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** A thousand at a time, letting the relay run between rounds. */
  private async pruneStore(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.store!.prune(this.keep, Date.now(), PRUNE_ROUND);
      total += n;
      if (n < PRUNE_ROUND) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async pruneReplays(dir: string): Promise<number> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => REPLAY_FILE.test(n) && !this.inUse(n));
    } catch {
      return 0; // no folder yet: nothing recorded
    }
    // UUIDv7 names sort by start time: newest last.
    names.sort();
    const doomed = new Set<string>();
    if (this.keep.count !== null) for (const n of names.slice(0, Math.max(0, names.length - this.keep.count))) doomed.add(n);
    if (this.keep.maxAgeMs !== null) {
      const cutoff = Date.now() - this.keep.maxAgeMs;
      for (const n of names) {
        if (doomed.has(n)) continue;
        const st = await stat(join(dir, n)).catch(() => null);
        if (st && st.mtimeMs < cutoff) doomed.add(n);
      }
    }
    let removed = 0;
    for (const n of doomed) if (await unlink(join(dir, n)).then(() => true, () => false)) removed++;
    return removed;
  }
}
