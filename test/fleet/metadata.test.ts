// What the broker publishes on its GameServer: valid, bounded labels and annotations.
import { describe, expect, test } from "bun:test";
import { ANNOTATIONS, LABELS, ROOMS_LISTED_MAX, annotationsFor, isLabelValue, isSdkKey, labelValue, labelsFor, type FleetLoad } from "../../src/fleet/metadata.ts";
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
