// A projection of the broker's events: the last matches that ended, newest first, for
// GET /matches when no records database keeps them (README "Matches"). Bounded memory.
import type { BrokerEvent } from "../broker/events.ts";

export interface EndedMatch {
  readonly id: string;
  readonly room: string;
  readonly bots: readonly string[];
  readonly code: string;
  readonly reason: string;
  readonly turns: number;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
}

export class RecentMatches {
  private readonly ended: EndedMatch[] = [];
  /** Bot names of running matches, kept from their start for the end's record. */
  private readonly names = new Map<string, readonly string[]>();

  constructor(private readonly keep = 100) {}

  onEvent(e: BrokerEvent): void {
    if (e.type === "match_started") this.names.set(e.match.id, e.match.bots.map((b) => b.name));
    if (e.type !== "match_ended") return;
    const bots = this.names.get(e.matchId) ?? [];
    this.names.delete(e.matchId);
    this.ended.unshift({ id: e.matchId, room: e.room, bots, code: e.code, reason: e.reason, turns: e.turns, startedAtMs: e.startedAtMs, endedAtMs: e.endedAtMs });
    if (this.ended.length > this.keep) this.ended.pop();
  }

  /** Newest first; `room` filters, `limit` bounds. */
  list(room?: string, limit = this.keep): EndedMatch[] {
    return this.ended.filter((m) => room === undefined || m.room === room).slice(0, limit);
  }
}
