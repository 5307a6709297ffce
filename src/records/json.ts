// How a match record reads in JSON: GET /matches/{id}, the `ended` list of GET /matches, and
// `bitbroker records export` (one per line). Pure.
import type { MatchRecord } from "../store/types.ts";

const iso = (ms: number): string => new Date(ms).toISOString();
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** The whole record. */
export function recordJson(r: MatchRecord): Record<string, unknown> {
  return {
    id: r.id,
    room: r.room,
    status: r.status,
    code: r.code,
    reason: r.reason,
    culprit: r.culprit,
    startedAt: iso(r.startedAtMs),
    endedAt: r.endedAtMs === null ? null : iso(r.endedAtMs),
    turns: r.turns,
    bytesRelayed: r.bytesRelayed,
    game: r.game,
    seats: r.seats.map((s) => ({
      index: s.index,
      name: s.name,
      peer: s.peer,
      client: s.client,
      clientVersion: s.clientVersion,
      human: s.human,
      think:
        s.moves === null
          ? null
          : { moves: s.moves, totalMs: s.thinkTotalMs, maxMs: s.thinkMaxMs, meanMs: s.moves > 0 ? round3((s.thinkTotalMs ?? 0) / s.moves) : 0 },
    })),
    result: r.result,
    replay: r.replay,
    instance: r.instanceId,
    brokerVersion: r.brokerVersion,
  };
}

/** An entry of GET /matches' `ended` list (the shape it had before records). */
export function endedJson(r: MatchRecord): Record<string, unknown> {
  return {
    id: r.id,
    room: r.room,
    bots: r.seats.map((s) => s.name),
    code: r.code,
    reason: r.reason,
    turns: r.turns,
    startedAt: iso(r.startedAtMs),
    endedAt: r.endedAtMs === null ? null : iso(r.endedAtMs),
  };
}
