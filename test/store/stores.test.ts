// One query suite, run against SQLite (a temporary file) and a real PostgreSQL server started
// here; then both hold the same records and must give the same answer to every query.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { openStore } from "../../src/store/open.ts";
import { MIGRATIONS } from "../../src/store/schema.ts";
import { SCHEMA_VERSION, StoreError } from "../../src/store/sql.ts";
import type { Store } from "../../src/store/types.ts";
import { fixtures, idOf } from "./fixtures.ts";
import { PgServer, pgSkipReason } from "./pg.ts";

const pgSkip = pgSkipReason();
if (pgSkip) console.warn(`\n*** SKIPPED the PostgreSQL store tests: ${pgSkip} ***\n`);

const dir = mkdtempSync(join(tmpdir(), "bitbroker-stores-"));
let pg: PgServer | null = null;
let dbs = 0;
beforeAll(async () => {
  if (!pgSkip) pg = await PgServer.start();
}, 120_000);
afterAll(() => {
  pg?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

type Engine = "sqlite" | "postgres";
const engines: Engine[] = pgSkip ? ["sqlite"] : ["sqlite", "postgres"];

/** A new, empty database of that engine: its BROKER_DB value. */
async function newDb(engine: Engine): Promise<string> {
  dbs++;
  return engine === "sqlite" ? join(dir, `r${dbs}.db`) : await pg!.database(`r${dbs}`);
}

async function open(target: string): Promise<Store> {
  const store = openStore(target.startsWith("postgres://") ? { kind: "postgres", url: target } : { kind: "sqlite", path: target });
  await store.migrate();
  return store;
}

/** Every query, with fixed arguments: its answers are what both engines must agree on. */
async function transcript(store: Store): Promise<Record<string, unknown>> {
  const all: unknown[] = [];
  for (let before = undefined as { endedAtMs: number; id: string } | undefined; ; ) {
    const page = await store.listEnded({ limit: 4, ...(before ? { before } : {}) });
    all.push(page);
    const last = page.at(-1);
    if (page.length < 4 || !last) break;
    before = { endedAtMs: last.endedAtMs!, id: last.id };
  }
  return {
    one: await store.getMatch(idOf(4)),
    missing: await store.getMatch(idOf(99)),
    pages: all,
    room: await store.listEnded({ room: "league-1", limit: 10 }),
    rated: await store.ratedAfter("default", null, 100),
    ratedAfter: await store.ratedAfter("default", { endedAtMs: Date.parse("2026-01-01T00:00:05.500Z"), id: idOf(5) }, 100),
    counted: await store.countRatedUpTo("default", { endedAtMs: Date.parse("2026-01-01T00:00:05.500Z"), id: idOf(6) }),
    exported: await store.exportPage(idOf(3), 5),
    exportedRoom: await store.exportPage(null, 100, "league-1"),
  };
}

async function fill(store: Store): Promise<void> {
  const f = fixtures();
  await store.write(f.map((m) => ({ kind: "start" as const, record: m.start })));
  await store.write(f.flatMap((m) => (m.end ? [{ kind: "end" as const, record: m.end }] : [])));
}

for (const engine of engines) {
  describe(`the ${engine} store`, () => {
    test("applies its migrations once, records their version, and refuses a schema newer than it knows", async () => {
      const target = await newDb(engine);
      const a = openStore(engine === "sqlite" ? { kind: "sqlite", path: target } : { kind: "postgres", url: target });
      expect(await a.migrate()).toBe(SCHEMA_VERSION);
      expect(await a.migrate()).toBe(SCHEMA_VERSION); // a restart: nothing to apply
      await a.close();
      // Another broker, newer than this one, migrated the database further.
      if (engine === "sqlite") {
        const db = new Database(target);
        db.run("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, 'from the future', 0)", [SCHEMA_VERSION + 1]);
        db.close();
      } else {
        const { SQL } = await import("bun");
        const sql = new SQL(target);
        await sql.unsafe("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, 'from the future', 0)", [SCHEMA_VERSION + 1]);
        await sql.close();
      }
      const b = openStore(engine === "sqlite" ? { kind: "sqlite", path: target } : { kind: "postgres", url: target });
      const error = await b.migrate().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe("schema_too_new");
      expect((error as Error).message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
      await b.close();
    });

    test("a database of schema 1 migrates: its seats read as played by programs, new ones keep the human mark", async () => {
      const target = await newDb(engine);
      // Schema 1 as a broker before human seats left it, with one match of two seats.
      const v1 = [
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)",
        ...MIGRATIONS[0]!.statements,
        "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (1, 'matches and seats', 0)",
        `INSERT INTO matches (id, instance_id, room, broker_version, status, started_at_ms, game_peer, game_client, game_client_version)
           VALUES ('${idOf(70)}', 'old', 'default', '0.1.0', 'running', 1, '', '', '')`,
        `INSERT INTO seats (match_id, seat, name, peer, client, client_version) VALUES ('${idOf(70)}', 0, 'A', '', '', ''), ('${idOf(70)}', 1, 'B', '', '', '')`,
      ];
      if (engine === "sqlite") {
        const db = new Database(target);
        for (const s of v1) db.run(s);
        db.close();
      } else {
        const { SQL } = await import("bun");
        const sql = new SQL(target);
        for (const s of v1) await sql.unsafe(s);
        await sql.close();
      }
      const store = await open(target);
      expect((await store.getMatch(idOf(70)))?.seats.map((s) => [s.name, s.human])).toEqual([["A", false], ["B", false]]);
      const [m] = fixtures().slice(3, 4);
      await store.write([{ kind: "start", record: m!.start }]);
      expect((await store.getMatch(m!.start.id))?.seats.map((s) => s.human)).toEqual([false, true]);
      await store.close();
    });

    test("keeps every field of a record, and a start written after its end changes nothing", async () => {
      const store = await open(await newDb(engine));
      const [m] = fixtures().slice(3, 4);
      await store.write([{ kind: "start", record: m!.start }]);
      expect(await store.getMatch(m!.start.id)).toEqual(m!.start);
      await store.write([{ kind: "end", record: m!.end! }]);
      await store.write([{ kind: "start", record: m!.start }]);
      expect(await store.getMatch(m!.start.id)).toEqual(m!.end!);
      await store.close();
    });

    test("lists ended matches newest first, by room, in pages that cover each once, ties by id", async () => {
      const store = await open(await newDb(engine));
      await fill(store);
      const t = await transcript(store);
      const pages = t.pages as Array<Array<{ id: string }>>;
      const ids = pages.flat().map((m) => m.id);
      // Ended (10 of 12): 9 ends at 9.25 s, 10 at 10.5, 8 at 8.5, …; 5 and 6 tie at 5.5 s (6 first).
      expect(ids).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map(idOf));
      expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
      expect((t.room as Array<{ id: string }>).map((m) => m.id)).toEqual([idOf(8), idOf(7)]);
      expect((t.rated as Array<{ id: string }>).map((m) => m.id)).toEqual([1, 2, 3, 4, 6, 10].map(idOf));
      expect((t.ratedAfter as Array<{ id: string }>).map((m) => m.id)).toEqual([6, 10].map(idOf));
      expect(t.counted).toBe(5);
      expect((t.exported as Array<{ id: string }>).map((m) => m.id)).toEqual([4, 5, 6, 7, 8].map(idOf));
      expect((t.exportedRoom as Array<{ id: string }>).map((m) => m.id)).toEqual([7, 8].map(idOf));
      expect(t.missing).toBeNull();
      expect((t.one as { seats: Array<{ name: string }> }).seats[0]!.name).toBe("Ünïcødé ♞");
      await store.close();
    });

    test("marks as interrupted only the running matches of the instance that restarts", async () => {
      const store = await open(await newDb(engine));
      await fill(store);
      expect(await store.markInterrupted("host-1:7878", Date.parse("2026-01-02T00:00:00Z"))).toBe(1);
      expect(await store.markInterrupted("host-1:7878", Date.parse("2026-01-02T00:00:01Z"))).toBe(0);
      const mine = await store.getMatch(idOf(11));
      expect(mine).toMatchObject({ status: "interrupted", code: "interrupted", endedAtMs: Date.parse("2026-01-02T00:00:00Z") });
      expect(mine?.reason).toContain("host-1:7878");
      expect(await store.getMatch(idOf(12))).toMatchObject({ status: "running", code: null, endedAtMs: null });
      await store.close();
    });

    test("prunes by count and by age, a bounded number at a time, and never a running match", async () => {
      const store = await open(await newDb(engine));
      await fill(store);
      expect(await store.prune({ count: 4, maxAgeMs: null }, Date.now(), 3)).toBe(3);
      expect(await store.prune({ count: 4, maxAgeMs: null }, Date.now(), 3)).toBe(3);
      expect(await store.prune({ count: 4, maxAgeMs: null }, Date.now(), 3)).toBe(0);
      expect((await store.listEnded({ limit: 100 })).map((m) => m.id)).toEqual([10, 9, 8, 7].map(idOf));
      // Age: everything that ended more than 9 s after T0 stays.
      const now = Date.parse("2026-01-01T00:00:19.000Z");
      expect(await store.prune({ count: null, maxAgeMs: 10_000 }, now, 100)).toBe(2);
      expect((await store.listEnded({ limit: 100 })).map((m) => m.id)).toEqual([10, 9].map(idOf));
      expect((await store.exportPage(null, 100)).map((m) => m.id)).toEqual([9, 10, 11, 12].map(idOf));
      await store.close();
    });
  });
}

test.skipIf(pgSkip !== null)("SQLite and PostgreSQL give the same answers to the same queries", async () => {
  const [sqlite, postgres] = await Promise.all(engines.map(async (engine) => await open(await newDb(engine))));
  await Promise.all([fill(sqlite!), fill(postgres!)]);
  const [a, b] = await Promise.all([transcript(sqlite!), transcript(postgres!)]);
  expect((a!.pages as unknown[][]).flat()).toHaveLength(10);
  expect(b).toEqual(a!);
  await Promise.all([sqlite!.close(), postgres!.close()]);
});

test("a SQLite database file is in WAL mode, and :memory: works too", async () => {
  const target = await newDb("sqlite");
  const store = await open(target);
  await store.write([{ kind: "start", record: fixtures()[0]!.start }]);
  const db = new Database(target);
  expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
  db.close();
  await store.close();
  const mem = await open(":memory:");
  await fill(mem);
  expect((await mem.listEnded({ limit: 3 })).map((m) => m.id)).toEqual([10, 9, 8].map(idOf));
  await mem.close();
});
