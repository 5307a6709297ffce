// Opens the records store that BROKER_DB names: SQLite (a file or ":memory:") or PostgreSQL.
// Opening a SQLite file may throw (the caller's start-up error); PostgreSQL connects lazily.
import { PostgresDriver } from "./postgres.ts";
import { SqlStore } from "./sql.ts";
import { SqliteDriver } from "./sqlite.ts";
import type { DbTarget } from "./target.ts";
import type { Store } from "./types.ts";

export function openStore(target: Exclude<DbTarget, { kind: "off" }>): Store {
  return new SqlStore(target.kind === "sqlite" ? new SqliteDriver(target.path) : new PostgresDriver(target.url));
}

export { parseDbTarget, type DbTarget } from "./target.ts";
export type * from "./types.ts";
