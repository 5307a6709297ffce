// Helpers for the records tests: a temporary folder per test (never the default bitbroker.db), the
// broker with records on, a raw match played to its end, and the records read over HTTP or
// straight from the SQLite file.
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrokerProcess, pollUntil } from "../e2e/harness.ts";
import { joinBot, joinGame, playBot, playGame } from "../e2e/players.ts";

const made: string[] = [];
process.once("exit", () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A new temporary folder, removed when the test process exits. */
export function tempDir(prefix = "bitbroker-records-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** The broker keeping its records in `db` (a file in a fresh folder unless given). */
export async function brokerWithRecords(env: Record<string, string> = {}): Promise<BrokerProcess> {
  const db = env.BROKER_DB ?? join(tempDir(), "records.db");
  return await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2", BROKER_INSTANCE_ID: "test-1", ...env, BROKER_DB: db });
}

/** Plays a `turns`-turn match of raw v1 clients (bots `names`) to its end; returns its id. */
export async function playMatch(broker: BrokerProcess, turns = 2, names: readonly [string, string] = ["A", "B"]): Promise<string> {
  const startedBefore = broker.logs.filter((l) => l.event === "match started").length;
  const seated = (l: { event: string; name?: unknown }) => l.event === "seat taken" && l.name === names[0];
  const seatedBefore = broker.logs.filter(seated).length;
  const game = await joinGame(broker.port);
  const a = await joinBot(broker.port, names[0]);
  // Bot A takes seat 0: B connects only once the broker has seated A.
  await broker.waitForLogCount(seated, seatedBefore + 1);
  const b = await joinBot(broker.port, names[1]);
  await Promise.all([playGame(game, turns), playBot(a, names[0]), playBot(b, names[1])]);
  await Promise.all([game.untilClosed(), a.untilClosed(), b.untilClosed()]);
  const started = broker.logs.filter((l) => l.event === "match started");
  const mine = started.slice(startedBefore).find((l) => Array.isArray(l.names) && (l.names as string[])[0] === names[0]);
  if (!mine) throw new Error("no 'match started' line for the match just played");
  return String(mine.match);
}

export async function getJson(broker: BrokerProcess, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`http://127.0.0.1:${broker.healthPort}${path}`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** GET /matches/{id} once it shows `status` (records of PostgreSQL arrive a moment later). */
export async function recordOf(broker: BrokerProcess, id: string, status = "ended"): Promise<Record<string, unknown>> {
  return (await pollUntil(() => getJson(broker, `/matches/${id}`), (r) => r.status === 200 && r.body.status === status)).body;
}

/** The rows of the matches table, read straight from the SQLite file (a second connection). */
export function sqliteRows(db: string): Array<Record<string, unknown>> {
  const d = new Database(db, { readonly: true });
  try {
    return d.query("SELECT * FROM matches ORDER BY id").all() as Array<Record<string, unknown>>;
  } finally {
    d.close();
  }
}
