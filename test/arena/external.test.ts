// `bitbroker arena --broker HOST:PORT`: the matches are played on another broker (the real one,
// `bun src/main.ts`), followed through its GET /matches. What a broker without records can tell
// (that each match ended, and how) is reported; results need its records (BROKER_DB).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrokerProcess } from "../e2e/harness.ts";
import { bot, game, runArena } from "./helpers.ts";

let broker: BrokerProcess;
beforeAll(async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
});
afterAll(async () => {
  await broker.stop();
});

test("plays every match on the other broker, each in its own room, and follows each to its end", async () => {
  const d = mkdtempSync(join(tmpdir(), "arena-"));
  const run = await runArena(["--game", game(), "--bot", `alpha=${bot()}`, "--bot", `delta=${bot()}`, "--broker", `127.0.0.1:${broker.port}`, "--broker-http", `http://127.0.0.1:${broker.healthPort}`, "--journal", join(d, "j.jsonl"), "--json", "-"]);
  expect(run.code).toBe(0);
  const journal = readFileSync(join(d, "j.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { room: string; matchId: string; end: string; result: unknown });
  expect(journal).toHaveLength(2);
  // The other broker played them: its own ids, in the arena's rooms.
  const ended = (await broker.matches()).ended;
  for (const m of journal) {
    expect(m.end).toBe("normal");
    expect(ended).toContainEqual(expect.objectContaining({ id: m.matchId, room: m.room, code: "normal" }));
  }
  const records = (await fetch(`http://127.0.0.1:${broker.healthPort}/matches/${journal[0]!.matchId}`)).ok;
  if (records) {
    expect(JSON.parse(run.stdout).standings[0]).toMatchObject({ name: "alpha", wins: 2 });
  } else {
    expect(run.stderr).toContain("keeps no records");
    expect((JSON.parse(run.stdout) as { standings: Array<{ noResult: number }> }).standings.map((r) => r.noResult)).toEqual([2, 2]);
  }
}, 120_000);
