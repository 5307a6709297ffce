// The records schema, its migrations and every query, as SQL that SQLite and PostgreSQL both run
// (placeholders `?`, the PostgreSQL driver numbers them), and rows → records. One Store over a
// Driver: the drivers (sqlite.ts, postgres.ts) only execute; they never write SQL of their own.
import type { MatchResult } from "../protocol/index.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "./schema.ts";
import type { Cursor, Keep, ListQuery, MatchRecord, RatedMatch, SeatRecord, Store, Write } from "./types.ts";

export { SCHEMA_VERSION };

export type Param = string | number | null;
export type Row = Record<string, unknown>;
export interface Stmt {
  readonly text: string;
  readonly params: readonly Param[];
}

/** What the engines do differently: how to run a statement, a transaction, the migration lock. */
export interface Driver {
  readonly kind: "sqlite" | "postgres";
  readonly label: string;
  all(text: string, params?: readonly Param[]): Promise<Row[]>;
  /** Runs the statements in one transaction; returns the rows each changed. */
  exec(stmts: readonly Stmt[]): Promise<number[]>;
  /** The same, committed before it returns; null where the engine is remote. */
  readonly execSync: ((stmts: readonly Stmt[]) => number[]) | null;
  /** Runs `fn` in one transaction that no other broker's migration runs beside. */
  locked(fn: (all: (text: string, params?: readonly Param[]) => Promise<Row[]>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** A problem with the database itself (not its reachability): the broker must not go on with it. */
export class StoreError extends Error {
  constructor(
    readonly code: "schema_too_new" | "bad_database",
    message: string,
  ) {
    super(message);
  }
}

const MATCH_COLUMNS =
  "id, instance_id, room, broker_version, status, started_at_ms, ended_at_ms, end_code, end_reason, turns, bytes_relayed, game_peer, game_client, game_client_version, result, replay, culprit";
const SEAT_COLUMNS = "match_id, seat, name, peer, client, client_version, moves, think_total_ms, think_max_ms, human";
const placeholders = (n: number) => `(${Array.from({ length: n }, () => "?").join(", ")})`;
const ENDED_BEFORE = "(ended_at_ms < ? OR (ended_at_ms = ? AND id < ?))";

/** The statements of one write: a start never overwrites what an end already wrote. */
export function writeStatements(w: Write): Stmt[] {
  const r = w.record;
  const match: Param[] = [
    r.id, r.instanceId, r.room, r.brokerVersion, r.status, r.startedAtMs, r.endedAtMs, r.code, r.reason, r.turns, r.bytesRelayed,
    r.game.peer, r.game.client, r.game.clientVersion, r.result === null ? null : JSON.stringify(r.result), r.replay, r.culprit,
  ];
  const onMatch =
    w.kind === "start"
      ? "DO NOTHING"
      : "DO UPDATE SET status = excluded.status, ended_at_ms = excluded.ended_at_ms, end_code = excluded.end_code, end_reason = excluded.end_reason, turns = excluded.turns, bytes_relayed = excluded.bytes_relayed, result = excluded.result, replay = excluded.replay, culprit = excluded.culprit";
  const stmts: Stmt[] = [{ text: `INSERT INTO matches (${MATCH_COLUMNS}) VALUES ${placeholders(17)} ON CONFLICT (id) ${onMatch}`, params: match }];
  if (r.seats.length > 0) {
    const onSeat = w.kind === "start" ? "DO NOTHING" : "DO UPDATE SET moves = excluded.moves, think_total_ms = excluded.think_total_ms, think_max_ms = excluded.think_max_ms";
    const params = r.seats.flatMap((s): Param[] => [r.id, s.index, s.name, s.peer, s.client, s.clientVersion, s.moves, s.thinkTotalMs, s.thinkMaxMs, s.human ? 1 : 0]);
    const values = r.seats.map(() => placeholders(10)).join(", ");
    stmts.push({ text: `INSERT INTO seats (${SEAT_COLUMNS}) VALUES ${values} ON CONFLICT (match_id, seat) ${onSeat}`, params });
  }
  return stmts;
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toSeat(row: Row): SeatRecord {
  return {
    index: num(row.seat),
    name: String(row.name),
    peer: String(row.peer),
    client: String(row.client),
    clientVersion: String(row.client_version),
    moves: numOrNull(row.moves),
    thinkTotalMs: numOrNull(row.think_total_ms),
    thinkMaxMs: numOrNull(row.think_max_ms),
    human: num(row.human) === 1,
  };
}

function toMatch(row: Row, seats: readonly SeatRecord[]): MatchRecord {
  return {
    id: String(row.id),
    instanceId: String(row.instance_id),
    room: String(row.room),
    brokerVersion: String(row.broker_version),
    status: String(row.status) as MatchRecord["status"],
    startedAtMs: num(row.started_at_ms),
    endedAtMs: numOrNull(row.ended_at_ms),
    code: strOrNull(row.end_code),
    reason: strOrNull(row.end_reason),
    culprit: numOrNull(row.culprit),
    turns: numOrNull(row.turns),
    bytesRelayed: numOrNull(row.bytes_relayed),
    game: { peer: String(row.game_peer), client: String(row.game_client), clientVersion: String(row.game_client_version) },
    seats,
    result: row.result === null || row.result === undefined ? null : (JSON.parse(String(row.result)) as MatchResult),
    replay: strOrNull(row.replay),
  };
}

/** The store every engine shares: the SQL above, run by the engine's driver. */
export class SqlStore implements Store {
  readonly kind: "sqlite" | "postgres";
  readonly label: string;
  readonly writeSync: ((batch: readonly Write[]) => void) | null;

  constructor(private readonly driver: Driver) {
    this.kind = driver.kind;
    this.label = driver.label;
    const execSync = driver.execSync;
    this.writeSync = execSync ? (batch) => void execSync(batch.flatMap(writeStatements)) : null;
  }

  async migrate(): Promise<number> {
    let version = 0;
    await this.driver.locked(async (all) => {
      await all("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)");
      const [row] = await all("SELECT max(version) AS v FROM schema_migrations");
      version = numOrNull(row?.v) ?? 0;
      if (version > SCHEMA_VERSION) {
        throw new StoreError("schema_too_new", `the records database has schema version ${version}; this broker knows up to ${SCHEMA_VERSION}: run a newer broker`);
      }
      for (const m of MIGRATIONS.filter((m) => m.version > version)) {
        for (const text of m.statements) await all(text);
        await all("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)", [m.version, m.name, Date.now()]);
        version = m.version;
      }
    });
    return version;
  }

  async markInterrupted(instanceId: string, atMs: number): Promise<number> {
    const why = `the broker (instance ${instanceId}) stopped while the match ran; marked when it started again`;
    let n = 0;
    // At start-up, like the migrations: under the lock, so it waits out another broker's write.
    await this.driver.locked(async (all) => {
      const running = "SELECT count(*) AS n FROM matches WHERE instance_id = ? AND status = 'running'";
      n = num((await all(running, [instanceId]))[0]?.n ?? 0);
      await all("UPDATE matches SET status = 'interrupted', end_code = 'interrupted', end_reason = ?, ended_at_ms = ? WHERE instance_id = ? AND status = 'running'", [why, atMs, instanceId]);
    });
    return n;
  }

  async write(batch: readonly Write[]): Promise<void> {
    await this.driver.exec(batch.flatMap(writeStatements));
  }

  async getMatch(id: string): Promise<MatchRecord | null> {
    const [row] = await this.driver.all(`SELECT ${MATCH_COLUMNS} FROM matches WHERE id = ?`, [id]);
    return row ? (await this.withSeats([row]))[0]! : null;
  }

  async listEnded(q: ListQuery): Promise<MatchRecord[]> {
    const where = ["ended_at_ms IS NOT NULL"];
    const params: Param[] = [];
    if (q.room !== undefined) {
      where.push("room = ?");
      params.push(q.room);
    }
    if (q.before) {
      where.push(ENDED_BEFORE);
      params.push(q.before.endedAtMs, q.before.endedAtMs, q.before.id);
    }
    params.push(q.limit);
    const rows = await this.driver.all(`SELECT ${MATCH_COLUMNS} FROM matches WHERE ${where.join(" AND ")} ORDER BY ended_at_ms DESC, id DESC LIMIT ?`, params);
    return await this.withSeats(rows);
  }

  async ratedAfter(room: string, after: Cursor | null, limit: number): Promise<RatedMatch[]> {
    const params: Param[] = [room];
    let where = "room = ? AND result IS NOT NULL";
    if (after) {
      where += " AND (ended_at_ms > ? OR (ended_at_ms = ? AND id > ?))";
      params.push(after.endedAtMs, after.endedAtMs, after.id);
    }
    params.push(limit);
    const rows = await this.driver.all(`SELECT id, ended_at_ms, result FROM matches WHERE ${where} ORDER BY ended_at_ms, id LIMIT ?`, params);
    const seats = await this.seatNames(rows.map((r) => String(r.id)));
    return rows.map((r) => ({
      id: String(r.id),
      endedAtMs: num(r.ended_at_ms),
      names: seats.get(String(r.id))?.names ?? [],
      humans: seats.get(String(r.id))?.humans ?? [],
      result: JSON.parse(String(r.result)) as MatchResult,
    }));
  }

  async countRatedUpTo(room: string, upTo: Cursor): Promise<number> {
    const [row] = await this.driver.all(
      "SELECT count(*) AS n FROM matches WHERE room = ? AND result IS NOT NULL AND (ended_at_ms < ? OR (ended_at_ms = ? AND id <= ?))",
      [room, upTo.endedAtMs, upTo.endedAtMs, upTo.id],
    );
    return num(row?.n ?? 0);
  }

  async exportPage(afterId: string | null, limit: number, room?: string): Promise<MatchRecord[]> {
    const where: string[] = [];
    const params: Param[] = [];
    if (afterId !== null) {
      where.push("id > ?");
      params.push(afterId);
    }
    if (room !== undefined) {
      where.push("room = ?");
      params.push(room);
    }
    params.push(limit);
    const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    return await this.withSeats(await this.driver.all(`SELECT ${MATCH_COLUMNS} FROM matches ${filter} ORDER BY id LIMIT ?`, params));
  }

  async prune(keep: Keep, nowMs: number, limit: number): Promise<number> {
    let cutoff: Cursor | null = keep.maxAgeMs === null ? null : { endedAtMs: nowMs - keep.maxAgeMs, id: "" };
    if (keep.count !== null) {
      // The oldest match to keep: everything that ended before it goes.
      const [row] = await this.driver.all("SELECT ended_at_ms, id FROM matches WHERE ended_at_ms IS NOT NULL ORDER BY ended_at_ms DESC, id DESC LIMIT 1 OFFSET ?", [keep.count - 1]);
      const byCount = row ? { endedAtMs: num(row.ended_at_ms), id: String(row.id) } : null;
      if (byCount && (cutoff === null || byCount.endedAtMs > cutoff.endedAtMs)) cutoff = byCount;
    }
    if (cutoff === null) return 0;
    const doomed = `SELECT id FROM matches WHERE ended_at_ms IS NOT NULL AND ${ENDED_BEFORE} ORDER BY ended_at_ms, id LIMIT ?`;
    const ids = (await this.driver.all(doomed, [cutoff.endedAtMs, cutoff.endedAtMs, cutoff.id, limit])).map((r) => String(r.id));
    if (ids.length === 0) return 0;
    const [, n] = await this.driver.exec([
      { text: `DELETE FROM seats WHERE match_id IN ${placeholders(ids.length)}`, params: ids },
      { text: `DELETE FROM matches WHERE id IN ${placeholders(ids.length)}`, params: ids },
    ]);
    return n ?? 0;
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private async withSeats(rows: readonly Row[]): Promise<MatchRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => String(r.id));
    const seats = new Map<string, SeatRecord[]>();
    const seatRows = await this.driver.all(`SELECT ${SEAT_COLUMNS} FROM seats WHERE match_id IN ${placeholders(ids.length)} ORDER BY match_id, seat`, ids);
    for (const s of seatRows) {
      const list = seats.get(String(s.match_id)) ?? [];
      list.push(toSeat(s));
      seats.set(String(s.match_id), list);
    }
    return rows.map((r) => toMatch(r, seats.get(String(r.id)) ?? []));
  }

  private async seatNames(ids: readonly string[]): Promise<Map<string, { names: string[]; humans: boolean[] }>> {
    const out = new Map<string, { names: string[]; humans: boolean[] }>();
    if (ids.length === 0) return out;
    const rows = await this.driver.all(`SELECT match_id, seat, name, human FROM seats WHERE match_id IN ${placeholders(ids.length)} ORDER BY match_id, seat`, ids);
    for (const r of rows) {
      const seats = out.get(String(r.match_id)) ?? { names: [], humans: [] };
      seats.names[num(r.seat)] = String(r.name);
      seats.humans[num(r.seat)] = num(r.human) === 1;
      out.set(String(r.match_id), seats);
    }
    return out;
  }
}
