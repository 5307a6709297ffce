// The dashboard's read model and stream without sockets: events in, server-sent events out.
// Tracing (the broker's `watch`) is asked when the first page follows a match and stopped when
// the last one leaves; a followed match's messages and end reach its page.
import { expect, test } from "bun:test";
import type { BrokerEvent } from "../../src/broker/events.ts";
import type { Snapshot } from "../../src/broker/types.ts";
import { LiveModel } from "../../src/dashboard/live.ts";
import { DashboardStream } from "../../src/dashboard/stream.ts";

const snap = { phase: "running", connections: 3, matchesRunning: 1, matchesPlayed: 0, matchesAborted: 0, gamesWaiting: 0, botsWaiting: 0, rooms: {} } as unknown as Snapshot;
const started: BrokerEvent = {
  type: "match_started",
  match: { id: "m1", room: "r", startedAtMs: 0, recorded: false, game: { peer: "", client: "g", clientVersion: "", transport: "tcp" }, bots: [{ index: 0, name: "A", peer: "", client: "", clientVersion: "", human: false, transport: "tcp" }] },
};

function setup() {
  const live = new LiveModel();
  const watches: Array<[string, boolean]> = [];
  const stream = new DashboardStream({ live, snapshot: () => snap, watch: (id, on) => watches.push([id, on]), wallMs: (ms) => ms, now: () => 1000 });
  return { live, watches, stream };
}

/** Reads server-sent events from a response until `until` says stop. */
async function events(r: Response, until: (names: string[]) => boolean): Promise<Array<{ event: string; data: unknown }>> {
  const reader = r.body!.getReader();
  const out: Array<{ event: string; data: unknown }> = [];
  let text = "";
  while (!until(out.map((e) => e.event))) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    let cut: number;
    while ((cut = text.indexOf("\n\n")) !== -1) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)![1]!;
      out.push({ event, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) });
    }
  }
  await reader.cancel();
  return out;
}

test("a summary lists running matches with turns and think times, and ended ones with their result", () => {
  const { live, stream } = setup();
  live.onEvent(started);
  for (const thinkMs of [5, 7]) live.onEvent({ type: "turn", matchId: "m1", atMs: 1, room: "r", bot: 0, thinkMs, stateBytes: 1, replyBytes: 1 });
  let s = JSON.parse(stream.summary());
  expect(s.running).toEqual({ total: 1, rows: [{ id: "m1", room: "r", bots: ["A"], humans: [false], turns: 2, startedAt: 0, turnsPerSecond: 2, recorded: false, think: [[5, 7]] }] });
  live.onEvent({ type: "match_ended", matchId: "m1", room: "r", startedAtMs: 0, endedAtMs: 900, code: "normal", reason: "", turns: 2, bytesRelayed: 4, think: [], result: { seats: [{ index: 0, score: 1 }], summary: "A wins" } });
  s = JSON.parse(stream.summary());
  expect(s.running.total).toBe(0);
  expect(s.ended[0]).toMatchObject({ id: "m1", code: "normal", turns: 2, endedAt: 900, result: { summary: "A wins" } });
});

test("the first page following a match turns its tracing on, the last one leaving turns it off", async () => {
  const { live, watches, stream } = setup();
  live.onEvent(started);
  const one = stream.open("m1");
  const two = stream.open("m1");
  expect(watches).toEqual([["m1", true]]);
  await events(one, (names) => names.includes("match"));
  expect(watches).toEqual([["m1", true]]);
  await events(two, (names) => names.includes("match"));
  expect(watches).toEqual([["m1", true], ["m1", false]]);
  stream.closeAll();
});

test("a followed match's messages and its end reach the page; a match not running is `gone`", async () => {
  const { live, stream } = setup();
  live.onEvent(started);
  const page = stream.open("m1");
  live.onEvent({ type: "traced", matchId: "m1", atMs: 5, dir: "in", party: -1, opcode: 1, operand: 0, body: new TextEncoder().encode("hi") });
  live.onEvent({ type: "match_ended", matchId: "m1", room: "r", startedAtMs: 0, endedAtMs: 9, code: "bot_disconnected", reason: "bot 0 (A) disconnected", turns: 0, bytesRelayed: 0, think: [], result: null });
  const got = await events(page, (names) => names.includes("ended"));
  expect(got.map((e) => e.event)).toEqual(["summary", "match", "messages", "ended"]);
  expect(got[2]!.data).toEqual({ dropped: 0, messages: [{ t: 5, dir: "in", party: -1, op: [1, 0], size: 2, body: "aGk=", cut: false }] });
  expect(got[3]!.data).toMatchObject({ code: "bot_disconnected" });
  const gone = await events(stream.open("m1"), (names) => names.includes("gone"));
  expect(gone.at(-1)).toMatchObject({ event: "gone", data: { id: "m1", code: "bot_disconnected" } });
  stream.closeAll();
});
