// The dashboard's read model: a projection of the broker's events (running matches with their
// turns and each bot's recent think times, the last ended matches with cause and result) and the
// followers of one match, who get its traced messages. Per event it does O(1) work; views are
// built only when a page asks (once a second). It never reaches into the broker's objects.
import type { BrokerEvent } from "../broker/events.ts";
import type { MatchResult } from "../protocol/index.ts";
import type { EndedMatch as RecentEnded } from "../matches/recent.ts";

/** Think times kept per bot for its sparkline. */
export const SPARK_POINTS = 32;

export interface LiveMatch {
  readonly id: string;
  readonly room: string;
  readonly bots: readonly string[];
  /** Per bot: a person plays it (its Hello said `human`, as the /play page does). */
  readonly humans: readonly boolean[];
  /** The game's client name from its Hello ("" for v1): picks a viewer when its room has none. */
  readonly gameClient: string;
  readonly startedAtMs: number;
  readonly recorded: boolean;
  /** Turns relayed or missed so far. */
  turns: number;
  /** Turns at the last view: the difference over the time between views is turns/s. */
  turnsAtView: number;
  viewAtMs: number;
  /** Per bot: a ring of its last think times (ms), and where the next one goes. */
  readonly think: Float64Array[];
  readonly thinkNext: number[];
}

/** An ended match as GET /matches lists it, with the game's result. */
export interface EndedMatch extends RecentEnded {
  readonly result: MatchResult | null;
}

/** One message of a followed match, as traced by the broker. */
export interface TracedMessage {
  readonly atMs: number;
  readonly dir: "in" | "out";
  readonly party: number;
  readonly opcode: number;
  readonly operand: number;
  readonly body: Uint8Array;
}

/** Someone following a match: its messages and its end are handed over as they come. */
export interface Follower {
  message(m: TracedMessage): void;
  ended(e: EndedMatch): void;
}

export class LiveModel {
  readonly running = new Map<string, LiveMatch>();
  /** Newest first, at most `keep`. */
  readonly ended: EndedMatch[] = [];
  private readonly followers = new Map<string, Set<Follower>>();

  constructor(private readonly keep = 50) {}

  onEvent(e: BrokerEvent): void {
    switch (e.type) {
      case "turn":
      case "move_missed": {
        const m = this.running.get(e.matchId);
        if (!m) return;
        m.turns++;
        const ring = m.think[e.bot];
        if (ring) {
          const i = m.thinkNext[e.bot]!;
          ring[i % SPARK_POINTS] = e.thinkMs;
          m.thinkNext[e.bot] = i + 1;
        }
        return;
      }
      case "traced": {
        const fs = this.followers.get(e.matchId);
        if (fs) for (const f of fs) f.message(e);
        return;
      }
      case "match_started": {
        const { id, room, bots, game, startedAtMs, recorded } = e.match;
        this.running.set(id, {
          id,
          room,
          bots: bots.map((b) => b.name),
          humans: bots.map((b) => b.human),
          gameClient: game.client,
          startedAtMs,
          recorded,
          turns: 0,
          turnsAtView: 0,
          viewAtMs: startedAtMs,
          think: bots.map(() => new Float64Array(SPARK_POINTS)),
          thinkNext: bots.map(() => 0),
        });
        return;
      }
      case "match_ended": {
        const m = this.running.get(e.matchId);
        this.running.delete(e.matchId);
        const ended: EndedMatch = {
          id: e.matchId,
          room: e.room,
          bots: m?.bots ?? [],
          code: e.code,
          reason: e.reason,
          turns: e.turns,
          startedAtMs: e.startedAtMs,
          endedAtMs: e.endedAtMs,
          result: e.result,
        };
        this.ended.unshift(ended);
        if (this.ended.length > this.keep) this.ended.pop();
        const fs = this.followers.get(e.matchId);
        this.followers.delete(e.matchId);
        if (fs) for (const f of fs) f.ended(ended);
        return;
      }
    }
  }

  /** A bot's last think times, oldest first. */
  thinkOf(m: LiveMatch, bot: number): number[] {
    const ring = m.think[bot]!;
    const n = m.thinkNext[bot]!;
    const out: number[] = [];
    for (let i = Math.max(0, n - SPARK_POINTS); i < n; i++) out.push(ring[i % SPARK_POINTS]!);
    return out;
  }

  /** Adds a follower of a running match; returns false if it is not running. True `first` means: start tracing it. */
  follow(matchId: string, f: Follower): { following: boolean; first: boolean } {
    if (!this.running.has(matchId)) return { following: false, first: false };
    let fs = this.followers.get(matchId);
    const first = fs === undefined;
    if (!fs) this.followers.set(matchId, (fs = new Set()));
    fs.add(f);
    return { following: true, first };
  }

  /** Removes a follower; true when it was the last of a match still running (stop tracing it). */
  unfollow(matchId: string, f: Follower): boolean {
    const fs = this.followers.get(matchId);
    if (!fs || !fs.delete(f)) return false;
    if (fs.size > 0) return false;
    this.followers.delete(matchId);
    return this.running.has(matchId);
  }
}
