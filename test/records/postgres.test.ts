// BROKER_DB=postgres://… against a real PostgreSQL server started here: records arrive; while the
// server is down the relay goes on, records wait in the spool and all arrive once it is back; a
// broker started while the server is down serves at once and records once it answers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { pollUntil, type BrokerProcess } from "../e2e/harness.ts";
import { SCHEMA_VERSION } from "../../src/store/sql.ts";
import { PgServer, pgSkipReason } from "../store/pg.ts";
import { brokerWithRecords, getJson, playMatch, recordOf } from "./helpers.ts";

const skip = pgSkipReason();
if (skip) console.warn(`\n*** SKIPPED the PostgreSQL records tests: ${skip} ***\n`);

describe.skipIf(skip !== null)("records in PostgreSQL", () => {
  let pg: PgServer;
  const brokers: BrokerProcess[] = [];
  beforeAll(async () => {
    pg = await PgServer.start();
  }, 120_000);
  afterAll(async () => {
    for (const b of brokers) await b.stop();
    pg?.dispose();
  });
  const start = async (db: string, id: string) => {
    const b = await brokerWithRecords({ BROKER_DB: db, BROKER_INSTANCE_ID: id });
    brokers.push(b);
    return b;
  };

  test("a match's record arrives; while the server is down matches go on and their records wait, then all arrive", async () => {
    const db = await pg.database("league");
    const broker = await start(db, "pg-1");
    expect(await broker.waitForLog((l) => l.event === "records ready", 20_000)).toMatchObject({ store: "postgres", schemaVersion: SCHEMA_VERSION });
    const first = await playMatch(broker, 2);
    expect(await recordOf(broker, first)).toMatchObject({ status: "ended", code: "normal", turns: 2, instance: "pg-1" });

    pg.stop();
    const during: string[] = [];
    for (let i = 0; i < 3; i++) during.push(await playMatch(broker, 2, [`C${i}`, `D${i}`]));
    const down = await pollUntil(() => getJson(broker, "/health"), (h) => (h.body.records as { failures: number }).failures > 0);
    expect((down.body.records as { spooled: number }).spooled).toBeGreaterThan(0);
    expect((await getJson(broker, `/matches/${during[0]}`)).status).toBe(503);

    pg.restart();
    await broker.waitForLog((l) => l.event === "records database back", 30_000);
    for (const id of during) expect(await recordOf(broker, id)).toMatchObject({ status: "ended", code: "normal" });
    const up = await getJson(broker, "/health");
    expect(up.body.records).toMatchObject({ spooled: 0, dropped: 0 });
  }, 120_000);

  test("a broker started while the server is down serves at once and records once it answers", async () => {
    const db = await pg.database("late");
    pg.stop();
    const broker = await start(db, "pg-2");
    await broker.waitForLog((l) => l.event === "records database unreachable; retrying", 20_000);
    const id = await playMatch(broker, 1);
    pg.restart();
    await broker.waitForLog((l) => l.event === "records ready", 30_000);
    expect(await recordOf(broker, id)).toMatchObject({ status: "ended", instance: "pg-2" });
  }, 120_000);
});
