// Nothing lost: a match cut short is recorded with its cause; a broker killed (SIGKILL) right after
// a match ended still has its record; a match running when its broker was killed is marked
// interrupted when that instance starts again, and never by another broker sharing the database.
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { isCode, Opcode } from "../../src/protocol/index.ts";
import type { BrokerProcess } from "../e2e/harness.ts";
import { joinBot, joinGame, playBot, playGame } from "../e2e/players.ts";
import { brokerWithRecords, recordOf, sqliteRows, tempDir } from "./helpers.ts";

const brokers: BrokerProcess[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.stop();
});
async function start(env: Record<string, string>): Promise<BrokerProcess> {
  const b = await brokerWithRecords(env);
  brokers.push(b);
  return b;
}

test("a match cut short by a bot that leaves is recorded with its cause, reason and turns so far", async () => {
  const broker = await start({});
  const game = await joinGame(broker.port);
  const a = await joinBot(broker.port, "A");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "A");
  const b = await joinBot(broker.port, "B");
  const played = playGame(game, 10).catch(() => null);
  const state = await a.next(); // turn 1: bot A is asked…
  expect(isCode(state, Opcode.move, 5)).toBe(true);
  a.close(); // …and leaves instead of answering
  await Promise.all([played, game.untilClosed(), b.untilClosed()]);
  const id = String(broker.logs.find((l) => l.event === "match started")!.match);
  const r = await recordOf(broker, id);
  expect(r).toMatchObject({ status: "ended", code: "bot_disconnected", turns: 1, result: null });
  expect(String(r.reason)).toStartWith("bot 0 (A) disconnected");
  const seats = r.seats as Array<{ think: { moves: number } }>;
  expect(seats.map((s) => s.think.moves)).toEqual([0, 0]);
});

test("SIGKILL right after a match ends loses nothing: its record was committed before its 00 FF", async () => {
  const db = join(tempDir(), "records.db");
  const broker = await start({ BROKER_DB: db });
  for (let i = 0; i < 3; i++) {
    const game = await joinGame(broker.port);
    const a = await joinBot(broker.port, `A${i}`);
    await broker.waitForLog((l) => l.event === "seat taken" && l.name === `A${i}`);
    const b = await joinBot(broker.port, `B${i}`);
    const playing = Promise.all([playBot(a, `A${i}`), playBot(b, `B${i}`)]);
    const g = await playGame(game, 2); // returns as soon as the game has its 00 FF
    expect(g.end).toBe("");
    if (i === 2) broker.proc.kill("SIGKILL");
    await playing.catch(() => {});
  }
  await broker.proc.exited;
  const rows = sqliteRows(db);
  expect(rows.map((r) => [r.status, r.end_code, r.turns])).toEqual([
    ["ended", "normal", 2],
    ["ended", "normal", 2],
    ["ended", "normal", 2],
  ]);
});

test("a match running at SIGKILL is marked interrupted by its own instance's restart, not by another broker", async () => {
  const db = join(tempDir(), "records.db");
  const first = await start({ BROKER_DB: db, BROKER_INSTANCE_ID: "broker-a" });
  const game = await joinGame(first.port);
  const a = await joinBot(first.port, "A");
  await first.waitForLog((l) => l.event === "seat taken" && l.name === "A");
  const b = await joinBot(first.port, "B");
  await game.next(); // the batch: the match runs
  const id = String((await first.waitForLog((l) => l.event === "match started")).match);
  await recordOf(first, id, "running"); // its start is written (batched, a moment after)
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  await Promise.all([game.untilClosed(), a.untilClosed(), b.untilClosed()]);

  // Another broker on the same database: not its match.
  const other = await start({ BROKER_DB: db, BROKER_INSTANCE_ID: "broker-b" });
  expect(await other.waitForLog((l) => l.event === "records ready")).toMatchObject({ instance: "broker-b", interrupted: 0 });
  expect(await recordOf(other, id, "running")).toMatchObject({ instance: "broker-a", code: null, endedAt: null });

  // The same instance again (the other one still running beside it): its match was interrupted.
  const again = await start({ BROKER_DB: db, BROKER_INSTANCE_ID: "broker-a" });
  expect(await again.waitForLog((l) => l.event === "records ready")).toMatchObject({ instance: "broker-a", interrupted: 1 });
  const r = await recordOf(again, id, "interrupted");
  expect(r).toMatchObject({ code: "interrupted", instance: "broker-a", turns: null });
  expect(String(r.reason)).toContain("broker-a");
  expect(await recordOf(other, id, "interrupted")).toMatchObject({ code: "interrupted" });
});
