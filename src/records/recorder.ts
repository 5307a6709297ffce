// A projection of the broker's events into match records (README "Records"): a row when a match
// starts (batched), the whole record when it ends. On SQLite the end is committed at once, inside
// the event, so it is on disk before the match's 00 FF is written; on PostgreSQL (remote) it goes
// through the spool. Per-turn events cost nothing here: the broker aggregates think times.
import type { BrokerEvent, MatchInfo } from "../broker/events.ts";
import { StoreError } from "../store/sql.ts";
import type { MatchRecord, Store, Write } from "../store/types.ts";
import { Spool } from "./spool.ts";

type LogFn = (level: "debug" | "info" | "warn" | "error", event: string, fields: Record<string, string | number>) => void;

export interface RecorderOptions {
  readonly instanceId: string;
  readonly brokerVersion: string;
  readonly log: LogFn;
  /** The replay file of a match being recorded, asked at its end (null: none). */
  readonly replayOf?: (matchId: string) => string | null;
  /** Writes the spool may hold while the database is slow or gone. */
  readonly spoolMax?: number;
  readonly gatherMs?: number;
}

/** The broker's clock (monotonic ms) as whole milliseconds since the epoch. */
export const wallMs = (brokerMs: number): number => Math.floor(performance.timeOrigin + brokerMs);
const micros = (ms: number): number => Math.round(ms * 1000) / 1000;

export class Recorder {
  private readonly running = new Map<string, MatchRecord>();
  private readonly spool: Spool;
  private ready = false;
  private syncWrites = 0;

  constructor(
    readonly store: Store,
    private readonly o: RecorderOptions,
  ) {
    this.spool = new Spool({
      write: (batch) => store.write(batch),
      ping: async () => void (await store.getMatch("")),
      log: o.log,
      max: o.spoolMax ?? 10_000,
      batchMax: 200,
      gatherMs: o.gatherMs ?? 10,
    });
  }

  /**
   * Migrates, marks this instance's matches left running as interrupted, then lets writes go.
   * An unreachable database is retried (writes wait in the spool); a StoreError (a schema newer
   * than this broker) is thrown: the caller must not go on.
   */
  async start(retry = true): Promise<void> {
    for (let delayMs = 200; ; delayMs = Math.min(5000, delayMs * 2)) {
      try {
        const version = await this.store.migrate();
        const interrupted = await this.store.markInterrupted(this.o.instanceId, Date.now());
        this.o.log("info", "records ready", { store: this.store.kind, db: this.store.label, schemaVersion: version, instance: this.o.instanceId, interrupted });
        break;
      } catch (e) {
        if (e instanceof StoreError || !retry) throw e;
        this.o.log("warn", "records database unreachable; retrying", { db: this.store.label, error: (e as Error).message, retryMs: delayMs });
        await Bun.sleep(delayMs);
      }
    }
    this.ready = true;
    this.spool.open();
  }

  onEvent(e: BrokerEvent): void {
    if (e.type === "match_started") this.started(e.match);
    else if (e.type === "match_ended") this.ended(e);
  }

  /** Counters for GET /health. */
  stats(): { store: string; written: number; spooled: number; dropped: number; failures: number } {
    const c = this.spool.counts;
    return { store: this.store.kind, written: c.written + this.syncWrites, spooled: this.spool.size, dropped: c.dropped, failures: c.failures };
  }

  /** At exit: writes what the spool holds, for up to `timeoutMs`, then closes the store. */
  async close(timeoutMs: number): Promise<void> {
    const left = await this.spool.drain(timeoutMs);
    if (left > 0) this.o.log("error", "records not written at exit", { records: left, db: this.store.label });
    await this.store.close().catch(() => {});
  }

  private started(m: MatchInfo): void {
    const record: MatchRecord = {
      id: m.id,
      instanceId: this.o.instanceId,
      room: m.room,
      brokerVersion: this.o.brokerVersion,
      status: "running",
      startedAtMs: wallMs(m.startedAtMs),
      endedAtMs: null,
      code: null,
      reason: null,
      culprit: null,
      turns: null,
      bytesRelayed: null,
      game: { peer: m.game.peer, client: m.game.client, clientVersion: m.game.clientVersion },
      seats: m.bots.map((b) => ({ index: b.index, name: b.name, peer: b.peer, client: b.client, clientVersion: b.clientVersion, moves: null, thinkTotalMs: null, thinkMaxMs: null, human: b.human })),
      result: null,
      replay: null,
    };
    this.running.set(m.id, record);
    this.spool.push({ kind: "start", record });
  }

  private ended(e: Extract<BrokerEvent, { type: "match_ended" }>): void {
    const start = this.running.get(e.matchId);
    this.running.delete(e.matchId);
    if (!start) return; // started before this recorder existed: nothing to complete
    const record: MatchRecord = {
      ...start,
      status: "ended",
      endedAtMs: wallMs(e.endedAtMs),
      code: e.code,
      reason: e.reason,
      culprit: e.culprit ?? null,
      turns: e.turns,
      bytesRelayed: e.bytesRelayed,
      seats: start.seats.map((s, i) => {
        const t = e.think[i];
        return { ...s, moves: t?.moves ?? 0, thinkTotalMs: micros(t?.totalMs ?? 0), thinkMaxMs: micros(t?.maxMs ?? 0) };
      }),
      result: e.result,
      replay: this.o.replayOf?.(e.matchId) ?? null,
    };
    const w: Write = { kind: "end", record };
    const writeSync = this.store.writeSync;
    // Committed here, before the transport writes this match's 00 FF (README "Records"), unless
    // the database is failing: then the spool keeps it, and the relay does not wait.
    if (writeSync && this.ready && !this.spool.failing) {
      try {
        writeSync([w]);
        this.syncWrites++;
        return;
      } catch (err) {
        this.spool.counts.failures++;
        this.o.log("warn", "record write failed; spooled", { match: e.matchId, error: (err as Error).message });
      }
    }
    this.spool.push(w);
  }
}
