// What the broker publishes on its GameServer: valid, bounded labels and annotations; and the
// stopgap that reads the fleet's events off today's broker commands.
import { describe, expect, test } from "bun:test";
import { Broker } from "../../src/broker/broker.ts";
import { DEFAULT_ROOM, eventsFromCommands, queuedFromSnapshot, type FleetEvent } from "../../src/fleet/events.ts";
import { ANNOTATIONS, LABELS, ROOMS_LISTED_MAX, annotationsFor, isLabelValue, isSdkKey, labelValue, labelsFor, type FleetLoad } from "../../src/fleet/metadata.ts";
import { botHello, botName, endGame, gameHello } from "../../src/protocol/index.ts";
import { labelValueErrors, qualifiedNameErrors } from "./k8s-names.ts";

const load = (over: Partial<FleetLoad> = {}): FleetLoad => ({ state: "serving", running: 0, queued: 0, played: 0, rooms: new Map(), ...over });

describe("labels and annotations", () => {
  test("every key is a plain name that stays valid under the agones.dev/sdk- prefix", () => {
    for (const key of [...Object.values(LABELS), ...Object.values(ANNOTATIONS)]) {
      expect([key, isSdkKey(key)]).toEqual([key, true]);
      expect(qualifiedNameErrors(`agones.dev/sdk-${key}`)).toEqual([]);
    }
    expect(isSdkKey("bitbroker.dev/matches")).toBe(false);
    expect(isSdkKey("a".repeat(59))).toBe(true);
    expect(isSdkKey("a".repeat(60))).toBe(false);
    expect(isSdkKey("-a")).toBe(false);
  });

  test("isLabelValue agrees with Kubernetes's rule on edge cases", () => {
    for (const v of ["", "a", "0", "a.b-c_d", "x".repeat(63), "x".repeat(64), "-a", "a-", "a b", "é", "a/b", ".", "_a"]) {
      expect([v, isLabelValue(v)]).toEqual([v, labelValueErrors(v).length === 0]);
    }
  });

  test("labelValue makes any text a valid label value", () => {
    for (const text of ["Connect Four!", "--x--", "ünïcode", "a".repeat(200), "", "///", "room_1.v2"]) {
      expect(labelValueErrors(labelValue(text))).toEqual([]);
    }
    expect(labelValue("Connect Four!")).toBe("Connect-Four");
    expect(labelValue("room_1.v2")).toBe("room_1.v2");
  });

  test("labels carry the state and counts; annotations the load and rooms as JSON", () => {
    const rooms = new Map([
      ["chess", { running: 2, played: 5 }],
      ["go", { running: 0, played: 9 }],
    ]);
    const l = load({ state: "draining", running: 2, queued: 7, played: 14, rooms });
    expect(labelsFor(l)).toEqual({ "bitbroker-state": "draining", "bitbroker-running": "2", "bitbroker-queued": "7", "bitbroker-rooms": "1" });
    const a = annotationsFor(l, "0.1.0 (abc)");
    expect(JSON.parse(a[ANNOTATIONS.load]!)).toEqual({ state: "draining", running: 2, queued: 7, played: 14 });
    expect(JSON.parse(a[ANNOTATIONS.rooms]!)).toEqual({
      rooms: [
        { name: "chess", running: 2, played: 5 },
        { name: "go", running: 0, played: 9 },
      ],
      omitted: 0,
    });
    expect(a[ANNOTATIONS.version]).toBe("0.1.0 (abc)");
  });

  test("the rooms annotation stays bounded: the busiest rooms listed, the rest counted", () => {
    const rooms = new Map(Array.from({ length: 1000 }, (_, i) => [`room-${i}-${"x".repeat(300)}`, { running: i % 3, played: i }] as const));
    const a = JSON.parse(annotationsFor(load({ rooms }), "v")[ANNOTATIONS.rooms]!) as { rooms: Array<{ name: string; running: number }>; omitted: number };
    expect(a.rooms).toHaveLength(ROOMS_LISTED_MAX);
    expect(a.omitted).toBe(1000 - ROOMS_LISTED_MAX);
    expect(a.rooms.every((r) => r.running === 2 && r.name.length <= 128)).toBe(true);
  });
});

describe("events read off today's broker commands", () => {
  test("match started, match ended (normal and aborted), shutting down and finished", () => {
    const broker = new Broker({ botsPerMatch: 1, moveTimeoutMs: 0, helloTimeoutMs: 1000, matchesMax: 2, logTurns: false });
    const events: FleetEvent[] = [];
    const feed = (e: Parameters<Broker["handle"]>[0]) => events.push(...eventsFromCommands(broker.handle(e, 0)));
    feed({ kind: "opened", conn: 1, peer: "g" });
    feed({ kind: "opened", conn: 2, peer: "b" });
    feed({ kind: "received", conn: 1, message: gameHello() });
    feed({ kind: "received", conn: 2, message: botHello() });
    feed({ kind: "received", conn: 2, message: botName("B") });
    expect(queuedFromSnapshot(broker.snapshot())).toBe(0);
    feed({ kind: "received", conn: 1, message: endGame() });
    feed({ kind: "opened", conn: 3, peer: "g" });
    feed({ kind: "opened", conn: 4, peer: "b" });
    feed({ kind: "received", conn: 3, message: gameHello() });
    expect(queuedFromSnapshot(broker.snapshot())).toBe(2);
    feed({ kind: "received", conn: 4, message: botHello() });
    feed({ kind: "received", conn: 4, message: botName("B") });
    feed({ kind: "closed", conn: 4 });
    feed({ kind: "shutdown" });
    expect(events).toEqual([
      { type: "match_started", match: { id: "1", room: DEFAULT_ROOM } },
      { type: "match_ended", matchId: "1", room: DEFAULT_ROOM, code: "ended" },
      { type: "match_started", match: { id: "2", room: DEFAULT_ROOM } },
      { type: "match_ended", matchId: "2", room: DEFAULT_ROOM, code: "aborted" },
      { type: "finished" },
      // A signal after the last match: the driver must not go back from finished to draining.
      { type: "draining" },
      { type: "finished" },
    ]);
  });

  test("SIGTERM's shutdown is read as draining, then finished", () => {
    const broker = new Broker({ botsPerMatch: 2, moveTimeoutMs: 0, helloTimeoutMs: 1000, matchesMax: null, logTurns: false });
    expect(eventsFromCommands(broker.handle({ kind: "shutdown" }, 0))).toEqual([{ type: "draining" }, { type: "finished" }]);
  });
});
