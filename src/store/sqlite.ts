// The SQLite driver (bun:sqlite, built into Bun and the compiled executable): runs sql.ts's
// statements on one file. Journal WAL with synchronous=NORMAL: a commit is a write() to the
// WAL, so it survives the process being killed (not a power cut) without an fsync per commit.
import { Database, type SQLQueryBindings } from "bun:sqlite";
import type { Driver, Param, Row, Stmt } from "./sql.ts";

/**
 * A passive checkpoint (the WAL copied into the file, one fsync) runs from a timer, never inside
 * a commit: after this many commits, or this long after the first one since the last checkpoint.
 */
const CHECKPOINT_COMMITS = 250;
const CHECKPOINT_AFTER_MS = 10_000;
const CHECK_EVERY_MS = 1000;
/** At start-up only (migrations), a lock held by another broker on the same file is waited for. */
const STARTUP_BUSY_MS = 5000;

export class SqliteDriver implements Driver {
  readonly kind = "sqlite";
  readonly execSync: (stmts: readonly Stmt[]) => number[];
  private readonly db: Database;
  private readonly timer: ReturnType<typeof setInterval> | null = null;
  /** Commits since the last checkpoint, and when the first of them was. */
  private commits = 0;
  private firstCommitMs = 0;

  /** Opens (creating) the file, or ":memory:". Throws if it cannot (an operating error at start-up). */
  constructor(readonly label: string) {
    this.db = new Database(label, { create: true, readwrite: true });
    // Never wait for a lock: a busy database fails the write at once and the spool retries it.
    this.db.exec("PRAGMA busy_timeout = 0");
    if (label !== ":memory:") {
      const mode = this.db.query("PRAGMA journal_mode = WAL").get() as { journal_mode?: string } | null;
      if (mode?.journal_mode !== "wal") throw new Error(`cannot use the WAL journal on ${label} (got ${mode?.journal_mode})`);
      this.db.exec("PRAGMA synchronous = NORMAL");
      // Checkpoints (the WAL copied back into the file, with an fsync) run from a timer, so no
      // match's end pays for one.
      this.db.exec("PRAGMA wal_autocheckpoint = 0");
      this.timer = setInterval(() => {
        const due = this.commits >= CHECKPOINT_COMMITS || (this.commits > 0 && performance.now() - this.firstCommitMs >= CHECKPOINT_AFTER_MS);
        if (due) this.checkpoint();
      }, CHECK_EVERY_MS);
      this.timer.unref();
    }
    const run = this.db.transaction((stmts: readonly Stmt[]) => stmts.map((s) => this.db.query(s.text).run(...bind(s.params)).changes));
    this.execSync = (stmts) => {
      const changes = run.immediate(stmts);
      if (this.commits++ === 0) this.firstCommitMs = performance.now();
      return changes;
    };
  }

  async all(text: string, params: readonly Param[] = []): Promise<Row[]> {
    return this.db.query(text).all(...bind(params)) as Row[];
  }

  async exec(stmts: readonly Stmt[]): Promise<number[]> {
    return this.execSync(stmts);
  }

  async locked(fn: (all: (text: string, params?: readonly Param[]) => Promise<Row[]>) => Promise<void>): Promise<void> {
    // Only at start-up, before anything else uses this connection: BEGIN IMMEDIATE holds the
    // write lock against another process migrating the same file, which it may wait for.
    this.db.exec(`PRAGMA busy_timeout = ${STARTUP_BUSY_MS}`);
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        await fn(async (text, params = []) => this.db.query(text).all(...bind(params)) as Row[]);
        this.db.exec("COMMIT");
      } catch (e) {
        this.db.exec("ROLLBACK");
        throw e;
      }
    } finally {
      this.db.exec("PRAGMA busy_timeout = 0");
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.checkpoint();
    this.db.close();
  }

  private checkpoint(): void {
    this.commits = 0;
    try {
      this.db.query("PRAGMA wal_checkpoint(PASSIVE)").all();
    } catch {
      // Busy or gone: the next tick tries again; the WAL only grows meanwhile.
    }
  }
}

const bind = (params: readonly Param[]): SQLQueryBindings[] => params as SQLQueryBindings[];
