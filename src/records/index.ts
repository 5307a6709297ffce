// Records, replays and reading them back, put together for main.ts: the store BROKER_DB names,
// the recorder and replay writer (projections of the broker's events), retention, the
// leaderboard and the HTTP routes. Start-up problems are thrown as RecordsStartError (exit 1).
import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import type { BrokerEvent } from "../broker/events.ts";
import type { RunningMatch } from "../broker/types.ts";
import type { Config } from "../config.ts";
import type { HttpRoutes } from "../health/server.ts";
import type { Logger } from "../log.ts";
import type { RecentMatches } from "../matches/recent.ts";
import { ReplayWriter, replayName } from "../replay/writer.ts";
import { openStore } from "../store/open.ts";
import { StoreError } from "../store/sql.ts";
import type { Store } from "../store/types.ts";
import { MatchesHttp } from "./http.ts";
import { Leaderboard } from "./leaderboard.ts";
import { Recorder } from "./recorder.ts";
import { Retention } from "./retention.ts";

export class RecordsStartError extends Error {}

export interface RecordsSetup {
  readonly config: Config;
  readonly log: Logger;
  readonly version: string;
  /** May any match be recorded for replays (BROKER_RECORD, or a room's `record = true`)? */
  readonly replays: boolean;
  readonly running: () => RunningMatch[];
  readonly recent: RecentMatches;
  /** A problem found after start-up that the broker must not go on with. */
  readonly fatal: (message: string) => void;
}

export class Records implements HttpRoutes {
  private constructor(
    private readonly recorder: Recorder | null,
    private readonly replays: ReplayWriter | null,
    private readonly http: MatchesHttp,
    private readonly retention: Retention | null,
  ) {}

  static async start(s: RecordsSetup): Promise<Records> {
    const { config, log } = s;
    const instanceId = config.instanceId || `${hostname()}:${config.port}`;
    const logFn = (level: "debug" | "info" | "warn" | "error", event: string, fields: Record<string, string | number>) => log.log(level, event, fields);

    let replays: ReplayWriter | null = null;
    if (s.replays) {
      try {
        mkdirSync(config.recordDir, { recursive: true });
      } catch (e) {
        throw new RecordsStartError(`BROKER_RECORD_DIR: cannot make the folder ${config.recordDir}: ${(e as Error).message}`);
      }
      replays = new ReplayWriter({ dir: config.recordDir, instanceId, brokerVersion: s.version, log: logFn });
    }

    let store: Store | null = null;
    let recorder: Recorder | null = null;
    if (config.db.kind !== "off") {
      try {
        store = openStore(config.db);
      } catch (e) {
        throw new RecordsStartError(`BROKER_DB: cannot open the SQLite database ${config.db.kind === "sqlite" ? config.db.path : ""}: ${(e as Error).message}`);
      }
      const r = new Recorder(store, { instanceId, brokerVersion: s.version, log: logFn, replayOf: (id) => replays?.fileOf(id) ?? null });
      recorder = r;
      if (store.kind === "sqlite") {
        // Local and quick: ready before the broker listens, or a clear error now.
        await r.start(false).catch((e: unknown) => {
          throw new RecordsStartError(`BROKER_DB: ${config.db.kind === "sqlite" ? config.db.path : ""}: ${(e as Error).message}`);
        });
      } else {
        // Remote: the broker serves at once; records wait in the spool until the database answers.
        r.start().catch((e: unknown) => s.fatal(`BROKER_DB: ${store?.label}: ${e instanceof StoreError ? e.message : (e as Error).message}`));
      }
    }

    const retention =
      config.recordsKeep === null ? null : new Retention(config.recordsKeep, store, replays ? config.recordDir : null, (name) => replays !== null && isWriting(replays, name), logFn);
    retention?.start();
    const http = new MatchesHttp({
      running: s.running,
      store,
      leaderboard: store ? new Leaderboard(store) : null,
      recent: s.recent,
      replayDir: config.recordDir,
      replayState: (id) => replays?.state(id) ?? "none",
    });
    return new Records(recorder, replays, http, retention);
  }

  onEvent(e: BrokerEvent): void {
    // The recorder first: at a match's end it asks the replay writer for the file's name.
    this.recorder?.onEvent(e);
    this.replays?.onEvent(e);
  }

  owns(pathname: string): boolean {
    return this.http.owns(pathname);
  }

  handle(url: URL): Promise<Response> {
    return this.http.handle(url);
  }

  /** The `records` field of GET /health. */
  health(): Record<string, unknown> {
    return { ...(this.recorder?.stats() ?? { store: "off" }), ...(this.replays?.stats() ?? {}) };
  }

  /** At exit: replays and spooled records written (bounded), the database closed. */
  async close(timeoutMs: number): Promise<void> {
    this.retention?.stop();
    await Promise.all([this.replays?.close(timeoutMs), this.recorder?.close(timeoutMs)]);
  }
}

function isWriting(replays: ReplayWriter, name: string): boolean {
  const id = name.replace(/\.bbr$/, "");
  return replays.fileOf(id) === replayName(id);
}
