// The arena and the records (README "Records"): its embedded broker records every match in the
// records database (--db: SQLite or PostgreSQL, BROKER_DB's values) with a replay of each, and
// --resume asks that database what was played. The journal (store.ts) keeps what only the
// arena knows (match timeouts, start failures, each process's exit, think-time histograms); for a
// match both know, the journal's line wins and the database adds its replay.
import { hostname } from "node:os";
import { join } from "node:path";
import type { BrokerEvent } from "../broker/events.ts";
import type { RunningMatch } from "../broker/types.ts";
import { loadConfig } from "../config.ts";
import { Logger } from "../log.ts";
import { RecentMatches } from "../matches/recent.ts";
import { Records, RecordsStartError } from "../records/index.ts";
import { replayName } from "../replay/writer.ts";
import { openStore, type DbTarget, type MatchRecord } from "../store/open.ts";
import { VERSION_TEXT } from "../version.ts";
import type { ArenaMatch } from "./outcome.ts";
import type { ArenaStore, JournalStore } from "./store.ts";

export { RecordsStartError };

export interface ArenaRecords {
  onEvent(e: BrokerEvent): void;
  /** Where a match's replay is written. */
  replayOf(matchId: string): string;
  close(): Promise<void>;
}

export interface RecordsOptions {
  readonly db: string;
  readonly recordDir: string;
  /** This arena's instance id in the records (its running matches are its own). */
  readonly instance: string;
  readonly logLevel: "debug" | "info" | "warn" | "error";
  readonly writeLog: (line: string) => void;
  readonly running: () => RunningMatch[];
}

/** Records and replays for the embedded broker; throws RecordsStartError when it cannot keep them. */
export async function startRecords(o: RecordsOptions): Promise<ArenaRecords> {
  // The broker's own settings, as BROKER_DB, BROKER_RECORD and BROKER_RECORD_DIR would give them.
  const loaded = loadConfig(["--db", o.db, "--record", "on", "--record-dir", o.recordDir, "--instance-id", o.instance], {});
  if (loaded.kind !== "config") throw new RecordsStartError(loaded.kind === "errors" ? loaded.errors.join("; ") : "bug: no config");
  const log = new Logger(o.logLevel, "text", o.writeLog);
  const records = await Records.start({
    config: loaded.config,
    log,
    version: VERSION_TEXT,
    replays: true,
    running: o.running,
    recent: new RecentMatches(),
    // The records' own failure (a database gone for good) is said; the tournament goes on (its journal too).
    fatal: (message) => log.log("error", "records failed", { error: message }),
  });
  return {
    onEvent: (e) => records.onEvent(e),
    replayOf: (id) => join(o.recordDir, replayName(id)),
    close: () => records.close(400),
  };
}

export function instanceOf(tournament: string): string {
  return `${hostname()}:arena:${tournament}`;
}

/** Ends that are the broker's own going, not the match's: never "played". */
const NOT_PLAYED = new Set(["broker_shutdown", "broker_finished"]);

/** What was played: the records database's matches of the tournament, with the journal's knowledge. */
export class RecordsStore implements ArenaStore {
  constructor(
    private readonly journal: JournalStore,
    private readonly target: Exclude<DbTarget, { kind: "off" }>,
    private readonly db: string,
    /** The arena's names by seat of a scheduled match; null beyond the schedule. */
    private readonly lineupOf: (index: number) => readonly string[] | null,
    /** Where the replays of its matches are, when the arena wrote them. */
    private readonly recordDir: string | null,
  ) {}

  get label(): string {
    return `${this.db} and ${this.journal.label}`;
  }

  async played(tournament: string): Promise<{ matches: ArenaMatch[]; damaged: number }> {
    const known = await this.journal.played(tournament);
    const byIndex = new Map(known.matches.map((m) => [m.index, m]));
    const prefix = `${tournament}.`;
    const store = openStore(this.target);
    try {
      // A new database gets its schema here (as the broker's records would at their start).
      await store.migrate();
      for (let after: string | null = null; ; ) {
        const page: MatchRecord[] = await store.exportPage(after, 1000);
        for (const r of page) {
          if (!r.room.startsWith(prefix) || r.status !== "ended" || r.code === null || NOT_PLAYED.has(r.code)) continue;
          const index = Number(r.room.slice(prefix.length));
          const lineup = Number.isInteger(index) ? this.lineupOf(index) : null;
          if (lineup === null) continue;
          const replay = r.replay !== null && this.recordDir !== null ? join(this.recordDir, r.replay) : null;
          const mine = byIndex.get(index);
          byIndex.set(index, mine ? { ...mine, replay: mine.replay ?? replay } : fromRecord(r, tournament, index, lineup, replay));
        }
        if (page.length < 1000) break;
        after = page[page.length - 1]!.id;
      }
    } catch (e) {
      throw new Error(`cannot read the records in ${this.db}: ${(e as Error).message}`);
    } finally {
      await store.close();
    }
    return { matches: [...byIndex.values()].sort((a, b) => a.index - b.index), damaged: known.damaged };
  }

  async save(match: ArenaMatch): Promise<void> {
    await this.journal.save(match);
  }
}

/** A match the database has and the journal lacks (the arena stopped before writing it). */
function fromRecord(r: MatchRecord, tournament: string, index: number, lineup: readonly string[], replay: string | null): ArenaMatch {
  return {
    tournament,
    index,
    room: r.room,
    lineup,
    matchId: r.id,
    end: r.code!,
    culprit: r.culprit,
    reason: r.reason ?? "",
    result: r.result,
    turns: r.turns ?? 0,
    think: lineup.map((_, seat) => {
      const s = r.seats.find((x) => x.index === seat);
      return { moves: s?.moves ?? 0, totalMs: s?.thinkTotalMs ?? 0, maxMs: s?.thinkMaxMs ?? 0, buckets: {} };
    }),
    missed: lineup.map(() => 0),
    startedAt: new Date(r.startedAtMs).toISOString(),
    endedAt: new Date(r.endedAtMs ?? r.startedAtMs).toISOString(),
    exits: [],
    replay,
  };
}
