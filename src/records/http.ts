// GET /matches (running from the broker, ended from the records), /matches/{id},
// /matches/{id}/replay and /leaderboard (README "Reading records back"). Thin: it checks the
// query, asks the store, the leaderboard or the replay folder, and shapes JSON.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { RunningMatch } from "../broker/types.ts";
import type { EndedMatch } from "../matches/recent.ts";
import { replayName } from "../replay/writer.ts";
import type { Cursor, ListQuery, MatchRecord, Store } from "../store/types.ts";
import { endedJson, recordJson } from "./json.ts";
import type { Leaderboard } from "./leaderboard.ts";
import { wallMs } from "./recorder.ts";
import { replayView } from "./replay-view.ts";

export interface MatchesHttpOptions {
  readonly running: () => RunningMatch[];
  /** The records, or null when BROKER_DB=off (then `recent` answers GET /matches). */
  readonly store: Store | null;
  readonly leaderboard: Leaderboard | null;
  readonly recent: { list(room?: string): EndedMatch[] };
  /** This broker's replay folder, and where a match's replay stands (ReplayWriter.state). */
  readonly replayDir: string;
  readonly replayState: (matchId: string) => "none" | "running" | Promise<void>;
}

const ROOM = /^[A-Za-z0-9._-]{1,64}$/;
const MATCH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ONE_MATCH = /^\/matches\/([^/]+)(\/replay)?$/;
const LIMIT_MAX = 1000;
const LIMIT_DEFAULT = 100;
/** How long GET /matches/{id}/replay waits for the file of a match that has just ended. */
const FINISH_WAIT_MS = 5_000;
/** The largest replay file GET /matches/{id}/replay?format=json reads whole for the dashboard. */
const VIEW_FILE_BYTES_MAX = 64 * 1024 * 1024;

/** Whether `p` settles within `ms` (a timer that keeps nothing alive). */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    p.then(done, done);
  });
}

const bad = (error: string): Response => Response.json({ error }, { status: 400 });
const notFound = (error: string): Response => Response.json({ error }, { status: 404 });
const tooLarge = (error: string): Response => Response.json({ error }, { status: 413 });
const unavailable = (e: unknown): Response => Response.json({ error: `records database unavailable: ${(e as Error).message}` }, { status: 503 });

/** The query of GET /matches, checked: every problem named. */
export function parseListParams(params: URLSearchParams): { room?: string; limit: number; before?: string } | { error: string } {
  const problems: string[] = [];
  for (const key of new Set(params.keys())) {
    if (!["room", "limit", "before"].includes(key)) problems.push(`unknown parameter "${key}" (known: room, limit, before)`);
    else if (params.getAll(key).length > 1) problems.push(`"${key}" is given more than once`);
  }
  const room = params.get("room") ?? undefined;
  if (room !== undefined && !ROOM.test(room)) problems.push(`room must be 1-64 characters of A-Z a-z 0-9 . _ -; got ${JSON.stringify(room)}`);
  const limitText = params.get("limit");
  const limit = limitText === null ? LIMIT_DEFAULT : Number(limitText);
  if (limitText !== null && (!/^\d+$/.test(limitText) || limit < 1 || limit > LIMIT_MAX)) problems.push(`limit must be a whole number from 1 to ${LIMIT_MAX}; got ${JSON.stringify(limitText)}`);
  const before = params.get("before") ?? undefined;
  if (before !== undefined && !MATCH_ID.test(before) && Number.isNaN(Date.parse(before))) {
    problems.push(`before must be a match id (the last of the previous page) or an ISO 8601 time; got ${JSON.stringify(before)}`);
  }
  if (problems.length > 0) return { error: problems.join("; ") };
  return { limit, ...(room !== undefined ? { room } : {}), ...(before !== undefined ? { before } : {}) };
}

export class MatchesHttp {
  constructor(private readonly o: MatchesHttpOptions) {}

  owns(path: string): boolean {
    return path === "/matches" || path === "/leaderboard" || ONE_MATCH.test(path);
  }

  /** Answers a GET of a path it owns. */
  async handle(url: URL): Promise<Response> {
    const path = url.pathname;
    if (path === "/matches") return await this.list(url);
    if (path === "/leaderboard") return await this.leaderboard(url);
    const m = ONE_MATCH.exec(path)!;
    let id: string;
    try {
      id = decodeURIComponent(m[1]!);
    } catch {
      return notFound(`no match has the id ${JSON.stringify(m[1])}`);
    }
    return m[2] ? await this.replay(id, url) : await this.match(id);
  }

  private async list(url: URL): Promise<Response> {
    const q = parseListParams(url.searchParams);
    if ("error" in q) return bad(q.error);
    const nowMs = performance.now();
    const running = this.o
      .running()
      .filter((m) => q.room === undefined || m.room === q.room)
      .map((m) => {
        const seconds = (nowMs - m.startedAtMs) / 1000;
        return { id: m.id, room: m.room, bots: m.bots, turn: m.turn, startedAt: new Date(wallMs(m.startedAtMs)).toISOString(), turnsPerSecond: seconds > 0 ? Math.round((m.turn / seconds) * 10) / 10 : 0 };
      });
    let ended: MatchRecord[];
    try {
      ended = await this.ended(q);
    } catch (e) {
      if (e instanceof CursorError) return bad(e.message);
      return unavailable(e);
    }
    const last = ended.at(-1);
    const params = new URLSearchParams({ ...(q.room ? { room: q.room } : {}), limit: String(q.limit), ...(last ? { before: last.id } : {}) });
    const next = ended.length === q.limit && last ? `/matches?${params}` : null;
    return Response.json({ running, ended: ended.map(endedJson), next });
  }

  private async ended(q: { room?: string; limit: number; before?: string }): Promise<MatchRecord[]> {
    const { store } = this.o;
    if (store === null) return this.recentPage(q);
    let before: Cursor | undefined;
    if (q.before !== undefined) {
      if (MATCH_ID.test(q.before)) {
        const m = await store.getMatch(q.before);
        if (m?.endedAtMs == null) throw new CursorError(`before: no ended match has the id ${q.before}`);
        before = { endedAtMs: m.endedAtMs, id: m.id };
      } else {
        before = { endedAtMs: Date.parse(q.before), id: "" };
      }
    }
    const query: ListQuery = { limit: q.limit, ...(q.room !== undefined ? { room: q.room } : {}), ...(before ? { before } : {}) };
    return await store.listEnded(query);
  }

  /** BROKER_DB=off: the last matches this broker ended, paged the same way. */
  private recentPage(q: { room?: string; limit: number; before?: string }): MatchRecord[] {
    let list = this.o.recent.list(q.room);
    if (q.before !== undefined) {
      if (MATCH_ID.test(q.before)) {
        const at = list.findIndex((m) => m.id === q.before);
        if (at === -1) throw new CursorError(`before: no recent match has the id ${q.before}`);
        list = list.slice(at + 1);
      } else {
        const t = Date.parse(q.before);
        list = list.filter((m) => wallMs(m.endedAtMs) < t);
      }
    }
    return list.slice(0, q.limit).map((m) => ({
      id: m.id,
      instanceId: "",
      room: m.room,
      brokerVersion: "",
      status: "ended",
      startedAtMs: wallMs(m.startedAtMs),
      endedAtMs: wallMs(m.endedAtMs),
      code: m.code,
      reason: m.reason,
      culprit: null,
      turns: m.turns,
      bytesRelayed: null,
      game: { peer: "", client: "", clientVersion: "" },
      seats: m.bots.map((name, index) => ({ index, name, peer: "", client: "", clientVersion: "", moves: null, thinkTotalMs: null, thinkMaxMs: null, human: false })),
      result: null,
      replay: null,
    }));
  }

  private async match(id: string): Promise<Response> {
    if (this.o.store === null) return notFound("no match records: BROKER_DB is off");
    try {
      const m = await this.o.store.getMatch(id);
      return m ? Response.json(recordJson(m)) : notFound(`no match has the id ${JSON.stringify(id)}`);
    } catch (e) {
      return unavailable(e);
    }
  }

  private async replay(id: string, url: URL): Promise<Response> {
    const format = url.searchParams.get("format") ?? "bbr";
    const unknown = [...url.searchParams.keys()].filter((k) => k !== "format");
    if (unknown.length > 0) return bad(`unknown parameter "${unknown[0]}" (known: format)`);
    if (format !== "bbr" && format !== "json") return bad(`format must be bbr (the file) or json (the dashboard's view); got ${JSON.stringify(format)}`);
    if (!MATCH_ID.test(id)) return notFound(`no match has the id ${JSON.stringify(id)}`);
    const state = this.o.replayState(id);
    if (state === "running") return Response.json({ error: `match ${id} is still running: its replay is whole once it ends` }, { status: 409 });
    // The match has ended and its record says so; the file's last bytes may still be on their way.
    if (state !== "none" && !(await settlesWithin(state, FINISH_WAIT_MS))) {
      return Response.json({ error: `the replay of match ${id} is still being written: try again` }, { status: 503, headers: { "retry-after": "1" } });
    }
    const path = join(this.o.replayDir, replayName(id));
    const st = await stat(path).catch(() => null);
    if (!st?.isFile()) return notFound(`this broker keeps no replay of match ${id} (not recorded, pruned, or recorded by another broker)`);
    if (format === "json") {
      if (st.size > VIEW_FILE_BYTES_MAX) return tooLarge(`the replay of match ${id} has ${st.size} bytes, over the view's ${VIEW_FILE_BYTES_MAX}: download it (format=bbr) and read it with bitbroker replay`);
      return Response.json(replayView(id, new Uint8Array(await Bun.file(path).arrayBuffer())));
    }
    return new Response(Bun.file(path), {
      headers: { "content-type": "application/octet-stream", "content-disposition": `attachment; filename="${replayName(id)}"` },
    });
  }

  private async leaderboard(url: URL): Promise<Response> {
    const problems: string[] = [];
    for (const key of new Set(url.searchParams.keys())) if (key !== "room") problems.push(`unknown parameter "${key}" (known: room)`);
    const room = url.searchParams.get("room") ?? "default";
    if (!ROOM.test(room)) problems.push(`room must be 1-64 characters of A-Z a-z 0-9 . _ -; got ${JSON.stringify(room)}`);
    if (problems.length > 0) return bad(problems.join("; "));
    if (this.o.leaderboard === null) return notFound("no leaderboard: BROKER_DB is off");
    try {
      return Response.json({ ...(await this.o.leaderboard.standings(room)), ratingModel: "openskill Plackett-Luce; rating = mu - 3 sigma" });
    } catch (e) {
      return unavailable(e);
    }
  }
}

class CursorError extends Error {}
