// `bitbroker arena --broker HOST:PORT`: the matches are played on another broker (the real one,
// `bun src/main.ts`), followed through its GET /matches and, where it keeps records, GET
// /matches/{id} for the results and think times. Without records it can tell only how each ended.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrokerProcess } from "../e2e/harness.ts";
import { bot, game, runArena } from "./helpers.ts";

let recording: BrokerProcess;
let plain: BrokerProcess;
const db = join(mkdtempSync(join(tmpdir(), "arena-broker-")), "league.db");
beforeAll(async () => {
  [recording, plain] = await Promise.all([BrokerProcess.start({ BROKER_NUM_PLAYERS: "2", BROKER_DB: db }), BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" })]);
});
afterAll(async () => {
  await Promise.all([recording.stop(), plain.stop()]);
});

const args = (b: BrokerProcess, d: string) => ["--game", game(), "--bot", `alpha=${bot()}`, "--bot", `delta=${bot()}`, "--broker", `127.0.0.1:${b.port}`, "--broker-http", `http://127.0.0.1:${b.healthPort}`, "--journal", join(d, "j.jsonl")];
const journalOf = (d: string) => readFileSync(join(d, "j.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { room: string; matchId: string; end: string });

test("on a broker with records: each match in its own room there, its result and think times read back", async () => {
  const d = mkdtempSync(join(tmpdir(), "arena-"));
  const run = await runArena([...args(recording, d), "--db", db, "--json", "-"]);
  expect(run.code).toBe(0);
  const journal = journalOf(d);
  expect(journal).toHaveLength(2);
  const ended = (await recording.matches()).ended;
  for (const m of journal) {
    expect(m.end).toBe("normal");
    expect(ended).toContainEqual(expect.objectContaining({ id: m.matchId, room: m.room, code: "normal" }));
  }
  const rows = (JSON.parse(run.stdout) as { standings: Array<{ name: string; wins: number; thinkMeanMs: number | null; thinkP99Ms: number | null }> }).standings;
  expect(rows.map((r) => [r.name, r.wins])).toEqual([
    ["alpha", 2],
    ["delta", 0],
  ]);
  // Means from the records' totals; no histogram there, so no p99.
  expect(rows[0]!.thinkMeanMs).toBeGreaterThan(0);
  expect(rows[0]!.thinkP99Ms).toBeNull();
  // --resume reads that broker's records: nothing is left to play.
  const again = await runArena([...args(recording, mkdtempSync(join(tmpdir(), "arena-"))), "--db", db, "--resume"]);
  expect(again.code).toBe(0);
  expect(again.stderr).toContain("0 of 2 matches to play");
}, 120_000);

test("on a broker without records: how each match ended, no result, and the arena says why", async () => {
  const d = mkdtempSync(join(tmpdir(), "arena-"));
  const run = await runArena([...args(plain, d), "--json", "-"]);
  expect(run.code).toBe(0);
  expect(journalOf(d).map((m) => m.end)).toEqual(["normal", "normal"]);
  expect(run.stderr).toContain("keeps no records");
  expect((JSON.parse(run.stdout) as { standings: Array<{ noResult: number }> }).standings.map((r) => r.noResult)).toEqual([2, 2]);
}, 120_000);
