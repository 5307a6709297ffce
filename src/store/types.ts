// What the records store keeps (README "Records"): one row per match, one per seat. Data and the
// store's interface only; sqlite.ts and postgres.ts run the same SQL (sql.ts) on their engine.
import type { MatchResult } from "../protocol/index.ts";

/** Who a client said it is, and where it came from. */
export interface ClientRecord {
  readonly peer: string;
  readonly client: string;
  readonly clientVersion: string;
}

export interface SeatRecord extends ClientRecord {
  readonly index: number;
  readonly name: string;
  /** Think time over the match (state sent → reply read, the broker's clock); null while it runs. */
  readonly moves: number | null;
  readonly thinkTotalMs: number | null;
  readonly thinkMaxMs: number | null;
  /** A person played this seat (its Hello said `human`: the /play page, PROTOCOL.md §12.2). */
  readonly human: boolean;
}

/** `running` until its end is recorded; `interrupted` when its broker died while it ran. */
export type MatchStatus = "running" | "ended" | "interrupted";

export interface MatchRecord {
  readonly id: string;
  /** The broker instance that ran it (BROKER_INSTANCE_ID). */
  readonly instanceId: string;
  readonly room: string;
  readonly brokerVersion: string;
  readonly status: MatchStatus;
  /** Wall clock, whole milliseconds since the epoch. */
  readonly startedAtMs: number;
  readonly endedAtMs: number | null;
  /** "normal", a reason code (PROTOCOL.md §6.1), or "interrupted"; null while it runs. */
  readonly code: string | null;
  readonly reason: string | null;
  /** Who was at fault for an abnormal end: -1 the game, a bot's seat index, or null (nobody, or still running). */
  readonly culprit: number | null;
  readonly turns: number | null;
  readonly bytesRelayed: number | null;
  readonly game: ClientRecord;
  readonly seats: readonly SeatRecord[];
  readonly result: MatchResult | null;
  /** The replay file's name in the recording broker's BROKER_RECORD_DIR, or null. */
  readonly replay: string | null;
}

/** One write of a batch: a match that started (kept if already there) or ended (replaces). */
export type Write = { readonly kind: "start"; readonly record: MatchRecord } | { readonly kind: "end"; readonly record: MatchRecord };

/** A place in the ended matches' order (ended_at, id): pages and the leaderboard resume after it. */
export interface Cursor {
  readonly endedAtMs: number;
  readonly id: string;
}

export interface ListQuery {
  readonly room?: string;
  readonly limit: number;
  /** Only matches that ended before this point (newest first). */
  readonly before?: Cursor;
}

/** What records to keep (BROKER_RECORDS_KEEP): at most `count`, none older than `maxAgeMs`. */
export interface Keep {
  readonly count: number | null;
  readonly maxAgeMs: number | null;
}

/** A rated match for the leaderboard: its result and who sat where. */
export interface RatedMatch {
  readonly id: string;
  readonly endedAtMs: number;
  readonly names: readonly string[];
  /** Per seat: a person played it. */
  readonly humans: readonly boolean[];
  readonly result: MatchResult;
}

export interface Store {
  readonly kind: "sqlite" | "postgres";
  /** Where it writes, for logs (a PostgreSQL URL without its password). */
  readonly label: string;
  /** Applies the migrations this broker knows that the database lacks; returns the schema version. */
  migrate(): Promise<number>;
  /** Marks this instance's matches still `running` as interrupted; returns how many. */
  markInterrupted(instanceId: string, atMs: number): Promise<number>;
  /** Writes a batch in one transaction. */
  write(batch: readonly Write[]): Promise<void>;
  /** The same, committed before it returns (SQLite only): the end of a match before its 00 FF. */
  readonly writeSync: ((batch: readonly Write[]) => void) | null;
  getMatch(id: string): Promise<MatchRecord | null>;
  /** Ended (and interrupted) matches, newest first. */
  listEnded(q: ListQuery): Promise<MatchRecord[]>;
  /** Matches of `room` with a result, oldest first, after `after`. */
  ratedAfter(room: string, after: Cursor | null, limit: number): Promise<RatedMatch[]>;
  /** How many matches of `room` with a result end at or before `upTo`. */
  countRatedUpTo(room: string, upTo: Cursor): Promise<number>;
  /** Every match (running ones too), oldest start first, after the match `afterId`. */
  exportPage(afterId: string | null, limit: number, room?: string): Promise<MatchRecord[]>;
  /** Deletes up to `limit` of the oldest ended matches beyond `keep`; returns how many. */
  prune(keep: Keep, nowMs: number, limit: number): Promise<number>;
  close(): Promise<void>;
}
