// The arena's schedules (pure): every pairing in both seat orders per round, pairs of swapped
// seats for the SPRT, the gauntlet, a balanced free-for-all; seeded, and a longer tournament starts
// with the matches of a shorter one.
import { describe, expect, test } from "bun:test";
import { plan, roundSize, type Schedule } from "../../src/arena/schedule.ts";
import { argvOf, envOf, shellQuote } from "../../src/arena/launch.ts";

const rr: Schedule = { kind: "round-robin", bots: 4, seats: 2, gauntlet: 0, seed: 1 };

describe("schedules", () => {
  test("a round-robin round plays every pairing in both seat orders, each pair's two matches back to back", () => {
    expect(roundSize(rr)).toBe(12);
    const ms = plan(rr, 24);
    for (const round of [ms.slice(0, 12), ms.slice(12)]) {
      expect(new Set(round.map((m) => m.lineup.join(">"))).size).toBe(12);
    }
    for (let k = 0; k < 12; k++) {
      const [a, b] = [ms[2 * k]!, ms[2 * k + 1]!];
      expect([a.pair, b.pair]).toEqual([k, k]);
      expect(b.lineup).toEqual([...a.lineup].reverse());
    }
  });

  test("the same seed gives the same schedule, another seed another order; a longer one starts with the shorter", () => {
    expect(plan(rr, 12)).toEqual(plan(rr, 12));
    expect(plan({ ...rr, seed: 2 }, 12).map((m) => m.lineup)).not.toEqual(plan(rr, 12).map((m) => m.lineup));
    expect(plan(rr, 30).slice(0, 17)).toEqual(plan(rr, 17));
    expect(new Set(plan(rr, 12).map((m) => m.seed)).size).toBe(12);
  });

  test("a gauntlet plays its bot against each other one, in both seats", () => {
    const g = plan({ kind: "gauntlet", bots: 4, seats: 2, gauntlet: 2, seed: 1 }, 6);
    expect(new Set(g.map((m) => m.lineup.join(">")))).toEqual(new Set(["2>0", "0>2", "2>1", "1>2", "2>3", "3>2"]));
  });

  test("a free-for-all seats distinct bots and gives each about as many matches", () => {
    const f = plan({ kind: "ffa", bots: 5, seats: 3, gauntlet: 0, seed: 7 }, 50);
    const count = [0, 0, 0, 0, 0];
    for (const m of f) {
      expect(new Set(m.lineup).size).toBe(3);
      for (const b of m.lineup) count[b]!++;
    }
    expect(Math.max(...count) - Math.min(...count)).toBeLessThanOrEqual(1);
    expect(plan({ kind: "ffa", bots: 3, seats: 3, gauntlet: 0, seed: 1 }, 3).every((m) => new Set(m.lineup).size === 3)).toBe(true);
  });
});

describe("where a process is told to play", () => {
  const place = { host: "127.0.0.1", port: 4242, room: "arena-x.3", seat: 1, name: "alpha", seed: 99 };
  test("placeholders in a command line; a string runs under /bin/sh with its values quoted", () => {
    expect(argvOf(["bot", "--port", "{port}", "--room={room}", "{seat}", "{name}", "{seed}", "{nope}"], place)).toEqual(["bot", "--port", "4242", "--room=arena-x.3", "1", "alpha", "99", "{nope}"]);
    expect(argvOf("bot --host {host} --port {port} | awk '{ print }'", place)).toEqual(["/bin/sh", "-c", "bot --host 127.0.0.1 --port 4242 | awk '{ print }'"]);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
  test("the environment: BITBROKER_HOST, _PORT, _ROOM, _SEED, and for bots _SEAT and _NAME", () => {
    expect(envOf(place)).toEqual({ BITBROKER_HOST: "127.0.0.1", BITBROKER_PORT: "4242", BITBROKER_ROOM: "arena-x.3", BITBROKER_SEED: "99", BITBROKER_SEAT: "1", BITBROKER_NAME: "alpha" });
    expect(envOf({ ...place, seat: null, name: null })).toEqual({ BITBROKER_HOST: "127.0.0.1", BITBROKER_PORT: "4242", BITBROKER_ROOM: "arena-x.3", BITBROKER_SEED: "99" });
  });
});
