// 1,000 matches through one broker with records on: every one is recorded, once, as it ended, and
// the relay goes on byte for byte. (How much recording costs the relay is measured in bench/.)
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { botName } from "../../src/protocol/index.ts";
import { RawClient, pollUntil, type BrokerProcess } from "../e2e/harness.ts";
import { helloWith, playBot, playGame } from "../e2e/players.ts";
import { brokerWithRecords, getJson, sqliteRows, tempDir } from "./helpers.ts";

const MATCHES = 1000;
const AT_ONCE = 25;
const TURNS = 2;

let broker: BrokerProcess;
const db = join(tempDir(), "records.db");
beforeAll(async () => {
  // Thousands of connections from one address: far beyond the per-address defaults of a public broker.
  broker = await brokerWithRecords({ BROKER_DB: db, BROKER_HELLO_TIMEOUT_MS: "60000", BROKER_CONNECT_RATE_PER_ADDRESS: "100000", BROKER_CONNECTIONS_PER_ADDRESS_MAX: "100000" });
});
afterAll(async () => {
  await broker.stop();
});

/** One match in its own room (so line-ups never mix), bots named after it. */
async function one(n: number): Promise<void> {
  const room = `m${n}`;
  const game = await RawClient.connect(broker.port);
  await game.send(helloWith("game", { room, bots: 2 }));
  const bots = await Promise.all(
    [0, 1].map(async (i) => {
      const c = await RawClient.connect(broker.port);
      await c.send(helloWith("bot", { room }), botName(`${room}-${i}`));
      return c;
    }),
  );
  await game.next(10_000); // Welcome
  const [g, ...replies] = await Promise.all([playGame(game, TURNS), ...bots.map(async (c, i) => (await c.next(10_000), await playBot(c, `${room}-${i}`)))]);
  expect(g.end).toBe("");
  expect(g.replies.length).toBe(TURNS);
  for (const r of replies) expect(r.end).toBe("");
}

test(`${MATCHES} matches are all recorded, each once, as it ended, while the relay stays byte-exact`, async () => {
  for (let start = 0; start < MATCHES; start += AT_ONCE) {
    await Promise.all(Array.from({ length: AT_ONCE }, (_, k) => one(start + k)));
  }
  const health = await pollUntil(
    () => getJson(broker, "/health"),
    (h) => (h.body.records as { written: number }).written >= 2 * MATCHES,
    30_000,
  );
  expect(health.body).toMatchObject({ matchesPlayed: MATCHES, matchesAborted: 0 });
  expect(health.body.records).toMatchObject({ spooled: 0, dropped: 0, failures: 0 });
  const rows = sqliteRows(db);
  expect(rows.length).toBe(MATCHES);
  expect(new Set(rows.map((r) => r.room)).size).toBe(MATCHES);
  expect(rows.every((r) => r.status === "ended" && r.end_code === "normal" && r.turns === TURNS)).toBe(true);
}, 300_000);
