// The compiled executable (dist/bitbroker) keeps records and replays with what it carries inside:
// bun:sqlite and openskill are built in. A match recorded, read back over HTTP, printed by
// `bitbroker replay` and exported by `bitbroker records export`, from an empty folder.
import { beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { ensureBuilt } from "../../scripts/build.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { getJson, playMatch, recordOf, tempDir } from "../records/helpers.ts";
import { run } from "./run.ts";

let binary = "";
beforeAll(async () => {
  binary = await ensureBuilt();
}, 120_000);

test("dist/bitbroker records a match in SQLite with its replay, and reads both back", async () => {
  const dir = tempDir();
  const env = { BROKER_DB: join(dir, "records.db"), BROKER_RECORD: "on", BROKER_RECORD_DIR: join(dir, "replays"), BROKER_NUM_PLAYERS: "2" };
  const broker = await BrokerProcess.start(env, [binary]);
  try {
    const id = await playMatch(broker, 3);
    const record = await recordOf(broker, id);
    expect(record).toMatchObject({ code: "normal", turns: 3, replay: `${id}.bbr` });
    expect((await getJson(broker, "/leaderboard")).status).toBe(200);
    const replay = await fetch(`http://127.0.0.1:${broker.healthPort}/matches/${id}/replay`);
    expect(replay.status).toBe(200);
    expect(new TextDecoder().decode((await replay.bytes()).subarray(0, 8))).toBe("BBREPLAY");
  } finally {
    expect(await broker.stop()).toBe(0);
  }
  const printed = await run([binary, "replay", join(dir, "replays", (await Array.fromAsync(new Bun.Glob("*.bbr").scan(join(dir, "replays"))))[0]!)], { cwd: dir });
  expect(printed.code).toBe(0);
  expect(printed.stdout).toContain("ended normally");
  const exported = await run([binary, "records", "export"], { cwd: dir, env: { BROKER_DB: join(dir, "records.db") } });
  expect(exported.code).toBe(0);
  expect(JSON.parse(exported.stdout)).toMatchObject({ status: "ended", turns: 3 });
});
