// BROKER_DB, one setting for where records go: a SQLite file path, ":memory:", "off", or a
// PostgreSQL URL (README "Records"). Pure: the text in, what it names (or why it is wrong) out.

export type DbTarget =
  | { readonly kind: "off" }
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string };

/** What a BROKER_DB value names, or a problem to report at start-up. */
export function parseDbTarget(value: string): DbTarget | { readonly problem: string } {
  const v = value.trim();
  if (v === "") return { problem: 'must not be empty (a file path, ":memory:", "off" or a postgres:// URL)' };
  if (v.toLowerCase() === "off") return { kind: "off" };
  if (/^postgres(ql)?:\/\//i.test(v)) {
    try {
      const url = new URL(v);
      if (url.hostname === "") return { problem: "a PostgreSQL URL needs a host (postgres://user@host:5432/db)" };
      return { kind: "postgres", url: v };
    } catch {
      return { problem: "is not a valid PostgreSQL URL (postgres://user:password@host:5432/db)" };
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return { problem: `names an unsupported database (${v.split(":")[0]}); use a file path, ":memory:", "off" or a postgres:// URL` };
  return { kind: "sqlite", path: v };
}
