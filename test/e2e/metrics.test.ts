// GET /metrics over a real socket after a known sequence of matches: two normal matches (the
// default room and a declared one), one aborted in a room made on demand (counted as `other`), and
// a refused client. Parsed by the reference Prometheus parser; every number checked.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Control, Opcode, askBot, isCode, message, reply } from "../../src/protocol/index.ts";
import { parseExposition, value, type Sample } from "../metrics/prometheus.ts";
import { BrokerProcess, RawClient, pollUntil } from "./harness.ts";
import { joinBot, joinBotIn, joinGame, joinGameIn, playBot, playGame } from "./players.ts";

let broker: BrokerProcess;
let samples: Sample[];
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "bitbroker-metrics-"));
  writeFileSync(join(dir, "rooms.toml"), "[rooms.league]\nbots = 2\n");
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2", BROKER_ROOMS_FILE: join(dir, "rooms.toml"), BROKER_MOVE_TIMEOUT_MS: "0" });
  const port = broker.port;

  // 1. default room: 3 turns, normal end. States "turn N" (6 bytes), replies "A:turn N" (8 bytes).
  const game = await joinGame(port);
  const a = await joinBot(port, "A");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "A");
  const b = await joinBot(port, "B");
  await Promise.all([playGame(game, 3), playBot(a, "A"), playBot(b, "B")]);

  // 2. declared room "league": 2 turns, normal end (clients with a Hello: each gets a Welcome first).
  const lg = await joinGameIn(port, "league", 2);
  const la = await joinBotIn(port, "LA", "league");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "LA");
  const lb = await joinBotIn(port, "LB", "league");
  await Promise.all([lg.next(), la.next(), lb.next()]); // the Welcomes
  await Promise.all([playGame(lg, 2), playBot(la, "LA"), playBot(lb, "LB")]);

  // 3. room "arena-1", made on demand: one turn, then bot 1 leaves (bot_disconnected).
  const ag = await joinGameIn(port, "arena-1", 2);
  const a0 = await joinBotIn(port, "X", "arena-1");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "X");
  const a1 = await joinBotIn(port, "Y", "arena-1");
  await Promise.all([ag.next(), a0.next(), a1.next()]); // Welcomes
  expect(isCode(await ag.next(), Opcode.control, Control.batch)).toBe(true);
  expect(isCode(await ag.next(), Opcode.trigger, 0)).toBe(true);
  await ag.send(askBot(0, new TextEncoder().encode("abcd")));
  expect((await a0.next()).body.length).toBe(4);
  await a0.send(reply(new TextEncoder().encode("zz")));
  expect(isCode(await ag.next(), Opcode.move, 0)).toBe(true);
  a1.close();
  await Promise.all([ag.untilClosed(), a0.untilClosed()]);

  // 4. a client whose first line is not a hello: refused (bad_handshake).
  const bad = await RawClient.connect(port);
  await bad.send(message(Opcode.move, 0, new Uint8Array()));
  await bad.untilClosed();

  await pollUntil(() => broker.health(), (h) => h.body.matchesPlayed === 3 && h.body.connections === 0);
  const r = await fetch(`http://127.0.0.1:${broker.healthPort}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  samples = await parseExposition(await r.text());
}, 120_000);
afterAll(async () => {
  await broker.stop();
});

test("matches started and ended are counted by room label and cause", () => {
  expect(value(samples, "bitbroker_matches_started_total", { room: "default" })).toBe(1);
  expect(value(samples, "bitbroker_matches_started_total", { room: "league" })).toBe(1);
  expect(value(samples, "bitbroker_matches_started_total", { room: "other" })).toBe(1);
  expect(value(samples, "bitbroker_matches_ended_total", { room: "default", code: "normal" })).toBe(1);
  expect(value(samples, "bitbroker_matches_ended_total", { room: "league", code: "normal" })).toBe(1);
  expect(value(samples, "bitbroker_matches_ended_total", { room: "other", code: "bot_disconnected" })).toBe(1);
  expect(samples.filter((s) => s.name === "bitbroker_matches_ended_total").length).toBe(3);
  expect(samples.some((s) => s.labels.room === "arena-1")).toBe(false);
});

test("turns, bytes relayed and both histograms count every relayed turn", () => {
  for (const [room, turns, stateBytes, replyBytes] of [["default", 3, 18, 24], ["league", 2, 12, 18], ["other", 1, 4, 2]] as const) {
    expect(value(samples, "bitbroker_turns_total", { room })).toBe(turns);
    expect(value(samples, "bitbroker_relayed_bytes_total", { room, kind: "state" })).toBe(stateBytes);
    expect(value(samples, "bitbroker_relayed_bytes_total", { room, kind: "reply" })).toBe(replyBytes);
    expect(value(samples, "bitbroker_think_seconds_count", { room })).toBe(turns);
    expect(value(samples, "bitbroker_turn_relay_seconds_count", { room })).toBe(turns);
    expect(value(samples, "bitbroker_turn_relay_seconds_bucket", { room, le: "+Inf" })).toBe(turns);
  }
});

test("gauges read the broker's counters: nobody connected, nothing running or waiting", () => {
  for (const s of samples.filter((x) => x.name === "bitbroker_connections" || x.name === "bitbroker_matches_running" || x.name === "bitbroker_queue_length")) {
    expect(s.value).toBe(0);
  }
  expect(value(samples, "bitbroker_matches_running", { room: "league" })).toBe(0);
});

test("refusals are counted by code, and the process's memory and event-loop lag are there", () => {
  expect(value(samples, "bitbroker_connections_rejected_total", { code: "bad_handshake" })).toBe(1);
  expect(value(samples, "bitbroker_slow_consumer_closes_total")).toBe(0);
  expect(value(samples, "process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
  expect(value(samples, "bitbroker_event_loop_lag_seconds_count")).toBeGreaterThanOrEqual(0);
  expect(samples.find((s) => s.name === "bitbroker_info")?.labels.version).toBeString();
});
