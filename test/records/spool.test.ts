// The spool and the leaderboard on a real SQLite store: a write the database refuses is dropped
// alone (logged, counted) while the others go through; a full spool drops, never blocks; ratings
// follow results in end order, and are recomputed when older records change.
import { describe, expect, test } from "bun:test";
import { Leaderboard, placesOf } from "../../src/records/leaderboard.ts";
import { Spool } from "../../src/records/spool.ts";
import { openStore } from "../../src/store/open.ts";
import type { MatchRecord, Store } from "../../src/store/types.ts";
import { fixture, idOf } from "../store/fixtures.ts";

async function memory(): Promise<Store> {
  const s = openStore({ kind: "sqlite", path: ":memory:" });
  await s.migrate();
  return s;
}

function spool(store: Store, max = 100) {
  const logs: Array<Record<string, unknown>> = [];
  const sp = new Spool({ write: (b) => store.write(b), ping: async () => void (await store.getMatch("")), log: (level, event, f) => logs.push({ level, event, ...f }), max, batchMax: 50, gatherMs: 0 });
  return { sp, logs };
}

describe("the spool", () => {
  test("drops a write the database refuses, alone: the writes before and after it are written", async () => {
    const store = await memory();
    const { sp, logs } = spool(store);
    const bad = { ...fixture({ n: 2 }).start, room: null } as unknown as MatchRecord; // NOT NULL
    for (const record of [fixture({ n: 1 }).start, bad, fixture({ n: 3 }).start]) sp.push({ kind: "start", record });
    sp.open();
    expect(await sp.drain(5000)).toBe(0);
    expect(sp.counts).toMatchObject({ written: 2, dropped: 1 });
    expect((await store.exportPage(null, 10)).map((m) => m.id)).toEqual([idOf(1), idOf(3)]);
    expect(logs.find((l) => l.event === "record dropped")).toMatchObject({ level: "error", match: idOf(2), why: expect.stringContaining("refused") });
  });

  test("past its bound it drops new writes at once, and counts them", async () => {
    const store = await memory();
    const { sp, logs } = spool(store, 2);
    const results = [1, 2, 3, 4].map((n) => sp.push({ kind: "start", record: fixture({ n }).start }));
    expect(results).toEqual([true, true, false, false]);
    expect(sp.counts.dropped).toBe(2);
    expect(logs.filter((l) => l.event === "record dropped")).toHaveLength(1); // one line per streak
  });
});

describe("the leaderboard", () => {
  test("places seats by rank, else by score (ties share), and rates only what has two placed seats", () => {
    expect(placesOf({ seats: [{ index: 0, rank: 2 }, { index: 1, rank: 1 }], summary: "" }, 2)).toEqual([{ index: 0, place: 2 }, { index: 1, place: 1 }]);
    expect(placesOf({ seats: [{ index: 0, score: 3 }, { index: 1, score: 7 }, { index: 2, score: 3 }], summary: "" }, 3).map((p) => p.place)).toEqual([2, 1, 2]);
    expect(placesOf({ seats: [{ index: 0, rank: 1 }], summary: "" }, 2)).toEqual([]);
    expect(placesOf({ seats: [{ index: 0, rank: 1 }, { index: 1, score: 1 }], summary: "" }, 2)).toEqual([]);
  });

  test("marks a name human when a person played it (the /play page) in a rated match", async () => {
    const store = await memory();
    // In the fixtures a person sits at index 1.
    const { end } = fixture({ n: 1, names: ["Bot", "Ada"], result: { seats: [{ index: 0, rank: 2 }, { index: 1, rank: 1 }], summary: "" } });
    await store.write([{ kind: "end", record: end! }]);
    const board = await new Leaderboard(store).standings("default");
    expect(board.bots.map((b) => [b.name, b.wins, b.human])).toEqual([["Ada", 1, true], ["Bot", 0, false]]);
  });

  test("counts wins, draws and losses per name, and starts over when older records are pruned", async () => {
    const store = await memory();
    const win = (w: number) => ({ seats: [{ index: w, rank: 1 }, { index: 1 - w, rank: 2 }], summary: "" });
    const add = async (n: number, result: MatchRecord["result"]) => {
      const { end } = fixture({ n, names: ["A", "B"], result });
      await store.write([{ kind: "end", record: end! }]);
    };
    const board = new Leaderboard(store);
    await add(1, win(0));
    await add(2, win(0));
    const first = await board.standings("default");
    expect(first.bots.map((b) => [b.name, b.wins, b.losses])).toEqual([["A", 2, 0], ["B", 0, 2]]);
    await add(3, win(1));
    await add(4, { seats: [{ index: 0, rank: 1 }, { index: 1, rank: 1 }], summary: "" });
    const second = await board.standings("default");
    expect(second.bots.map((b) => [b.name, b.wins, b.draws, b.losses])).toEqual([["A", 2, 1, 1], ["B", 1, 1, 2]]);
    // The same, computed from scratch, gives the same ratings.
    expect((await new Leaderboard(store).standings("default")).bots).toEqual(second.bots);
    await store.prune({ count: 2, maxAgeMs: null }, Date.now(), 100);
    const pruned = await board.standings("default");
    expect(pruned.bots.map((b) => [b.name, b.wins, b.draws, b.losses])).toEqual([["B", 1, 1, 0], ["A", 0, 1, 1]]);
  });
});
