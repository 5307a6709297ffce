// The settings (BROKER_DB, BROKER_RECORDS_KEEP), start-up errors, retention, and
// `bitbroker records export`, through the real broker and its command line.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseKeep } from "../../src/records/keep.ts";
import { parseDbTarget } from "../../src/store/target.ts";
import { run } from "../image/run.ts";
import { brokerWithRecords, playMatch, recordOf, sqliteRows, tempDir } from "./helpers.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const bitbroker = (args: string[], env: Record<string, string> = {}) =>
  run([process.execPath, "src/main.ts", ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, timeoutMs: 20_000 });

describe("settings", () => {
  test("BROKER_DB names a SQLite file, :memory:, off, or a PostgreSQL URL; anything else is refused", () => {
    expect(parseDbTarget("bitbroker.db")).toEqual({ kind: "sqlite", path: "bitbroker.db" });
    expect(parseDbTarget(":memory:")).toEqual({ kind: "sqlite", path: ":memory:" });
    expect(parseDbTarget(" OFF ")).toEqual({ kind: "off" });
    expect(parseDbTarget("postgres://u:p@db:5432/league")).toEqual({ kind: "postgres", url: "postgres://u:p@db:5432/league" });
    expect(parseDbTarget("postgresql://db/league")).toMatchObject({ kind: "postgres" });
    expect(parseDbTarget("mysql://db/x")).toMatchObject({ problem: expect.stringContaining("unsupported database (mysql)") });
    expect(parseDbTarget("")).toMatchObject({ problem: expect.stringContaining("must not be empty") });
  });

  test("BROKER_RECORDS_KEEP is all, a count, an age, or both", () => {
    expect(parseKeep("all")).toBeNull();
    expect(parseKeep("1000")).toEqual({ count: 1000, maxAgeMs: null });
    expect(parseKeep("30d")).toEqual({ count: null, maxAgeMs: 30 * 86_400_000 });
    expect(parseKeep("12h,500")).toEqual({ count: 500, maxAgeMs: 12 * 3_600_000 });
    for (const bad of ["", "0", "forever", "30d,40d", "-1", "1.5"]) expect(parseKeep(bad)).toHaveProperty("problem");
  });

  test("bad records settings stop the broker with status 2, every problem listed", async () => {
    const r = await bitbroker([], { BROKER_DB: "mysql://db/x", BROKER_RECORDS_KEEP: "forever", BROKER_INSTANCE_ID: "has space" });
    expect(r.code).toBe(2);
    for (const name of ["BROKER_DB", "BROKER_RECORDS_KEEP", "BROKER_INSTANCE_ID"]) expect(r.stderr).toContain(name);
  });

  test("a database that cannot be opened, or a replay folder that cannot be made, stop it with status 1 and say why", async () => {
    const dir = tempDir();
    const base = { BROKER_PORT: "0", BROKER_HEALTH_PORT: "0", BROKER_HOST: "127.0.0.1", LOG_FORMAT: "json" };
    const noDir = await bitbroker([], { ...base, BROKER_DB: join(dir, "missing", "x.db") });
    expect(noDir.code).toBe(1);
    expect(noDir.stdout).toContain('"event":"cannot keep records"');
    expect(noDir.stdout).toContain("BROKER_DB: cannot open the SQLite database");
    const file = join(dir, "a-file");
    await Bun.write(file, "");
    const noRecordDir = await bitbroker([], { ...base, BROKER_DB: "off", BROKER_RECORD: "on", BROKER_RECORD_DIR: join(file, "replays") });
    expect(noRecordDir.code).toBe(1);
    expect(noRecordDir.stdout).toContain("BROKER_RECORD_DIR: cannot make the folder");
  });
});

describe("retention and export", () => {
  test("BROKER_RECORDS_KEEP prunes records and replay files at start; records export writes JSON Lines", async () => {
    const dir = tempDir();
    const db = join(dir, "records.db");
    const replays = join(dir, "replays");
    const first = await brokerWithRecords({ BROKER_DB: db, BROKER_RECORD: "on", BROKER_RECORD_DIR: replays });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await playMatch(first, 1, [`A${i}`, `B${i}`]));
    for (const id of ids) await recordOf(first, id);
    expect(await first.stop()).toBe(0);
    expect(readdirSync(replays).sort()).toEqual(ids.map((id) => `${id}.bbr`).sort());

    const out = join(dir, "all.jsonl");
    const exported = await bitbroker(["records", "export", "--db", db, "--out", out]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain("5 matches written");
    const lines = readFileSync(out, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual([...ids].sort());
    expect(lines[0]).toMatchObject({ status: "ended", code: "normal", turns: 1, replay: `${lines[0]!.id}.bbr` });
    const stdout = await bitbroker(["records", "export", "--room", "elsewhere"], { BROKER_DB: db });
    expect([stdout.code, stdout.stdout]).toEqual([0, ""]);

    const second = await brokerWithRecords({ BROKER_DB: db, BROKER_RECORD: "on", BROKER_RECORD_DIR: replays, BROKER_RECORDS_KEEP: "2" });
    expect(await second.waitForLog((l) => l.event === "records pruned")).toMatchObject({ records: 3, replays: 3 });
    expect(sqliteRows(db).map((r) => r.id)).toEqual(ids.slice(3).sort());
    expect(readdirSync(replays).sort()).toEqual(ids.slice(3).map((id) => `${id}.bbr`).sort());
    await second.stop();
  });

  test("records export says what is wrong: no database, a bad --db, an unknown command", async () => {
    const missing = await bitbroker(["records", "export", "--db", join(tempDir(), "none.db")]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining("no records database at")]);
    expect((await bitbroker(["records", "export", "--db", "mysql://x/y"])).code).toBe(2);
    expect((await bitbroker(["records", "import"])).stderr).toContain('unknown command "import"');
    expect(existsSync(join(ROOT, "bitbroker.db"))).toBe(false);
  });
});
