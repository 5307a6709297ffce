// Match records for the store tests: two rooms, results by rank and by score, a draw, an
// abnormal end, a running match, ties in end time, non-ASCII names, large numbers.
import type { MatchRecord, SeatRecord } from "../../src/store/types.ts";

/** A UUID-shaped id that sorts by n (as UUIDv7s sort by time). */
export const idOf = (n: number): string => `01900000-0000-7000-8000-${String(n).padStart(12, "0")}`;

const T0 = Date.parse("2026-01-01T00:00:00.000Z");

function seat(index: number, name: string, done: boolean): SeatRecord {
  return {
    index,
    name,
    peer: `127.0.0.1:${40000 + index}`,
    client: index % 2 === 0 ? "bitbroker-ts" : "",
    clientVersion: index % 2 === 0 ? "0.1.0" : "",
    moves: done ? 10 + index : null,
    thinkTotalMs: done ? 12.345 + index : null,
    thinkMaxMs: done ? 3.25 : null,
    // A person sits at index 1 (the /play page): the mark must round-trip like the rest.
    human: index === 1,
  };
}

export interface FixtureOptions {
  readonly n: number;
  readonly room?: string;
  readonly names?: readonly string[];
  readonly endedAfterMs?: number | null;
  readonly code?: string;
  readonly result?: MatchRecord["result"];
  readonly instanceId?: string;
}

/** The start record and (unless endedAfterMs is null) the end record of match n. */
export function fixture(o: FixtureOptions): { start: MatchRecord; end: MatchRecord | null } {
  const names = o.names ?? ["A", "B"];
  const startedAtMs = T0 + o.n * 1000;
  const start: MatchRecord = {
    id: idOf(o.n),
    instanceId: o.instanceId ?? "host-1:7878",
    room: o.room ?? "default",
    brokerVersion: "0.1.0 (abcdef)",
    status: "running",
    startedAtMs,
    endedAtMs: null,
    code: null,
    reason: null,
    culprit: null,
    turns: null,
    bytesRelayed: null,
    game: { peer: "127.0.0.1:39999", client: "bitbroker-py", clientVersion: "0.3.0" },
    seats: names.map((name, i) => seat(i, name, false)),
    result: null,
    replay: null,
  };
  if (o.endedAfterMs === null) return { start, end: null };
  const code = o.code ?? "normal";
  const end: MatchRecord = {
    ...start,
    status: "ended",
    endedAtMs: startedAtMs + (o.endedAfterMs ?? 500),
    code,
    reason: code === "normal" ? "" : `bot 1 (${names[1]}) disconnected`,
    culprit: code === "normal" ? null : 1,
    turns: 42,
    bytesRelayed: 5_000_000_123,
    seats: names.map((name, i) => seat(i, name, true)),
    result: o.result ?? null,
    replay: o.n % 3 === 0 ? `${idOf(o.n)}.bbr` : null,
  };
  return { start, end };
}

const win = (first: number, second: number): MatchRecord["result"] => ({ seats: [{ index: first, rank: 1, score: 1 }, { index: second, rank: 2, score: 0 }], summary: `bot ${first} wins` });

/** Twelve matches: every kind a query must handle. */
export function fixtures(): Array<{ start: MatchRecord; end: MatchRecord | null }> {
  return [
    fixture({ n: 1, result: win(0, 1) }),
    fixture({ n: 2, result: win(1, 0) }),
    fixture({ n: 3, result: { seats: [{ index: 0, rank: 1 }, { index: 1, rank: 1 }], summary: "draw" } }),
    fixture({ n: 4, names: ["Ünïcødé ♞", "B"], result: win(0, 1) }),
    fixture({ n: 5, code: "bot_disconnected" }),
    // Starts 1 s after match 5 and "ends" 500 ms before its own start: the same millisecond as 5.
    fixture({ n: 6, endedAfterMs: -500, result: win(0, 1) }),
    fixture({ n: 7, room: "league-1", names: ["X", "Y", "Z"], result: { seats: [{ index: 0, score: 3 }, { index: 1, score: 7 }, { index: 2, score: 3 }], summary: "" } }),
    fixture({ n: 8, room: "league-1", names: ["X", "Y", "Z"], result: { seats: [{ index: 2, rank: 1 }, { index: 0, rank: 2 }, { index: 1, rank: 3 }], summary: "Z" } }),
    fixture({ n: 9, endedAfterMs: 250 }),
    fixture({ n: 10, names: ["A", "A"], result: win(0, 1) }),
    fixture({ n: 11, endedAfterMs: null }),
    fixture({ n: 12, endedAfterMs: null, instanceId: "host-2:7878" }),
  ];
}
