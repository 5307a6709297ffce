// The PostgreSQL driver (Bun's built-in SQL client): runs sql.ts's statements on a server that a
// fleet of brokers shares. Remote, so nothing here is synchronous: the recorder spools for it.
import { SQL } from "bun";
import type { Driver, Param, Row, Stmt } from "./sql.ts";

/** An arbitrary constant: the advisory lock that serialises migrations across brokers. */
const MIGRATION_LOCK = 7_878_001;

/** `?` placeholders → `$1, $2, …` (sql.ts never puts a `?` inside a literal). */
export function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** The URL without its password, for logs. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://…";
  }
}

export class PostgresDriver implements Driver {
  readonly kind = "postgres";
  readonly execSync = null;
  readonly label: string;
  private readonly sql: SQL;

  constructor(url: string, connectTimeoutS = 5) {
    this.label = redacted(url);
    this.sql = new SQL(url, { max: 4, connectionTimeout: connectTimeoutS, idleTimeout: 60 });
  }

  async all(text: string, params: readonly Param[] = []): Promise<Row[]> {
    return [...((await this.sql.unsafe(numbered(text), [...params])) as Row[])];
  }

  async exec(stmts: readonly Stmt[]): Promise<number[]> {
    return await this.sql.begin(async (tx) => {
      const changed: number[] = [];
      for (const s of stmts) {
        const result = (await tx.unsafe(numbered(s.text), [...s.params])) as { count?: number | null };
        changed.push(Number(result.count ?? 0));
      }
      return changed;
    });
  }

  async locked(fn: (all: (text: string, params?: readonly Param[]) => Promise<Row[]>) => Promise<void>): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await fn(async (text, params = []) => [...((await tx.unsafe(numbered(text), [...params])) as Row[])]);
    });
  }

  async close(): Promise<void> {
    await this.sql.close({ timeout: 0 });
  }
}
