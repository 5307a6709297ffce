// The domain events that the metrics read beside the log: refusals by code, slow consumers, and
// the time a turn's reply was read. Pure: the Broker driven without sockets.
import { expect, test } from "bun:test";
import { message } from "../../src/protocol/index.ts";
import { Driver, events } from "./driver.ts";

test("a client turned away outside a match emits connection_rejected with its code, role and room", () => {
  const d = new Driver({ queueMax: 1 });
  d.game(1, { room: "r" });
  expect(events(d.bot(2, "A", { room: "r" }))).toEqual([{ type: "connection_rejected", code: "queue_full", role: "bot", room: "r" }]);
  d.open(3);
  expect(events(d.recv(3, message(9, 9, new Uint8Array())))).toEqual([{ type: "connection_rejected", code: "bad_handshake", role: "unknown", room: null }]);
});

test("a connection opened while the broker stops emits connection_rejected with broker_shutdown", () => {
  const d = new Driver();
  d.shutdown();
  expect(events(d.open(1))).toEqual([{ type: "connection_rejected", code: "broker_shutdown", role: "unknown", room: null }]);
});

test("a slow consumer emits slow_consumer (with its match) before its match ends slow_consumer", () => {
  const d = new Driver({ botsPerMatch: 1 });
  d.game(1, { room: "r" });
  d.bot(2, "A", { room: "r" });
  const out = events(d.broker.handle({ kind: "slow", conn: 2, unsentBytes: 99 }, d.nowMs));
  expect(out[0]).toEqual({ type: "slow_consumer", room: "r", matchId: "m1" });
  expect(out[1]).toMatchObject({ type: "match_ended", matchId: "m1", code: "slow_consumer" });
});

test("turn carries the time its reply was read", () => {
  const d = new Driver({ botsPerMatch: 1 });
  d.game(1);
  d.bot(2, "A");
  d.ask(1, 0, "s");
  d.nowMs = 1234;
  expect(events(d.answer(2, "r"))).toMatchObject([{ type: "turn", atMs: 1234, thinkMs: 234 }]);
});
