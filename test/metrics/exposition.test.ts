// The hand-written exposition and the metrics projection, checked by the reference parser
// (prometheus_client) and against known events. Pure apart from running that parser.
import { expect, test } from "bun:test";
import type { BrokerEvent } from "../../src/broker/events.ts";
import type { Snapshot } from "../../src/broker/types.ts";
import { Exposition, Histogram } from "../../src/metrics/exposition.ts";
import { BrokerMetrics } from "../../src/metrics/metrics.ts";
import { parseExposition, value } from "./prometheus.ts";

const snapshot = (rooms: Snapshot["rooms"]): Snapshot => ({
  stopping: false, draining: false, phase: "running", botsPerMatch: 2, connections: 3, handshaking: 0, gamesWaiting: 0,
  botsWaiting: 1, gamesPlaying: 1, botsPlaying: 2, matchesRunning: 1, matchesPlayed: 0, matchesAborted: 0, roomsWaitingToStart: 0, rooms,
});
const proc = { residentBytes: 1e8, heapUsedBytes: 5e7, startTimeSeconds: 1.7e9, eventLoopLag: new Histogram([0.001, 0.01]) };

test("histogram buckets are cumulative, with +Inf, sum and count", async () => {
  const h = new Histogram([0.1, 1]);
  for (const v of [0.05, 0.1, 0.5, 7]) h.observe(v);
  const x = new Exposition().family("t_seconds", "histogram", "a test").histogram("t_seconds", { room: 'a"b\\c' }, h);
  const s = await parseExposition(x.text());
  expect(value(s, "t_seconds_bucket", { le: "0.1" })).toBe(2);
  expect(value(s, "t_seconds_bucket", { le: "1" })).toBe(3);
  expect(value(s, "t_seconds_bucket", { le: "+Inf" })).toBe(4);
  expect(value(s, "t_seconds_count")).toBe(4);
  expect(value(s, "t_seconds_sum")).toBeCloseTo(7.65);
  expect(s[0]!.labels.room).toBe('a"b\\c');
});

test("rooms keep their label when declared (or default); any other room counts as other", async () => {
  let measure: (() => void) | null = null;
  let now = 0;
  const m = new BrokerMetrics(new Set(["default", "league"]), () => now, (f) => (measure = f));
  const turn = (room: string, matchId: string, thinkMs: number, atMs: number): BrokerEvent => ({ type: "turn", matchId, atMs, room, bot: 0, thinkMs, stateBytes: 10, replyBytes: 3 });
  const started = (room: string, id: string): BrokerEvent => ({
    type: "match_started",
    match: { id, room, startedAtMs: 0, recorded: false, game: { peer: "", client: "", clientVersion: "", transport: "tcp" }, bots: [] },
  });
  for (const e of [started("league", "a"), started("arena-1", "b"), started("arena-2", "c")]) m.onEvent(e);
  m.onEvent(turn("league", "a", 20, 100));
  m.onEvent(turn("arena-1", "b", 2000, 100));
  now = 100.05; // the relay was written 50 µs after the reply was read
  measure!();
  m.onEvent({ type: "match_ended", matchId: "b", room: "arena-1", startedAtMs: 0, endedAtMs: 1, code: "move_timeout", reason: "", turns: 1, bytesRelayed: 13, think: [], result: null });
  m.onEvent({ type: "connection_rejected", code: "queue_full", role: "bot", room: "league" });
  m.onEvent({ type: "slow_consumer", room: null, matchId: null });
  const rooms = {
    default: { botsPerMatch: 2, declared: false, gamesWaiting: 0, botsWaiting: 1, matchesRunning: 0 },
    league: { botsPerMatch: 2, declared: true, gamesWaiting: 0, botsWaiting: 0, matchesRunning: 1 },
    "arena-2": { botsPerMatch: 2, declared: false, gamesWaiting: 1, botsWaiting: 0, matchesRunning: 1 },
    "arena-3": { botsPerMatch: 2, declared: false, gamesWaiting: 0, botsWaiting: 2, matchesRunning: 0 },
  };
  const s = await parseExposition(m.render(snapshot(rooms), proc, "test"));
  expect(value(s, "bitbroker_matches_started_total", { room: "league" })).toBe(1);
  expect(value(s, "bitbroker_matches_started_total", { room: "other" })).toBe(2);
  expect(value(s, "bitbroker_matches_ended_total", { room: "other", code: "move_timeout" })).toBe(1);
  expect(value(s, "bitbroker_turns_total", { room: "other" })).toBe(1);
  expect(value(s, "bitbroker_think_seconds_bucket", { room: "other", le: "1" })).toBe(0);
  expect(value(s, "bitbroker_think_seconds_bucket", { room: "other", le: "2.5" })).toBe(1);
  expect(value(s, "bitbroker_think_seconds_bucket", { room: "league", le: "0.025" })).toBe(1);
  expect(value(s, "bitbroker_turn_relay_seconds_bucket", { room: "league", le: "0.00005" })).toBe(1);
  expect(value(s, "bitbroker_turn_relay_seconds_bucket", { room: "league", le: "0.000025" })).toBe(0);
  expect(value(s, "bitbroker_relayed_bytes_total", { room: "league", kind: "state" })).toBe(10);
  expect(value(s, "bitbroker_queue_length", { room: "other", role: "bot" })).toBe(2);
  expect(value(s, "bitbroker_queue_length", { room: "other", role: "game" })).toBe(1);
  expect(value(s, "bitbroker_matches_running", { room: "other" })).toBe(1);
  expect(value(s, "bitbroker_connections_rejected_total", { code: "queue_full" })).toBe(1);
  expect(value(s, "bitbroker_slow_consumer_closes_total")).toBe(1);
  expect(value(s, "bitbroker_connections", { role: "bot", stage: "waiting" })).toBe(1);
  expect(s.some((x) => x.labels.room === "arena-1" || x.labels.room === "arena-2")).toBe(false);
});
