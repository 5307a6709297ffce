// Another broker to play on (--broker HOST:PORT): the arena follows its rooms through its HTTP
// port, GET /matches (running and ended matches) and, where the broker keeps records (BROKER_DB),
// GET /matches/{id} for the result, the seats' think times and who was at fault. A broker
// without records gives each match's end but no result. Only this file polls.
import type { BrokerEvent, ThinkStats } from "../broker/events.ts";
import type { MatchResult } from "../protocol/index.ts";
import type { BrokerAccess } from "./match.ts";

interface Listed {
  readonly id: string;
  readonly room: string;
  readonly bots?: readonly string[];
  readonly code?: string;
  readonly reason?: string;
  readonly turns?: number;
}

/** The fields of a record (GET /matches/{id}) the arena reads. */
interface Record_ {
  readonly code?: string | null;
  readonly reason?: string | null;
  readonly culprit?: number | null;
  readonly turns?: number | null;
  readonly result?: MatchResult | null;
  readonly seats?: ReadonlyArray<{ readonly index: number; readonly think?: { moves: number; totalMs: number | null; maxMs: number | null } | null }>;
}

const POLL_MS = 100;
/** What the arena cannot see of another broker's peers: the arena reads names and results only. */
const UNKNOWN_PEER = { peer: "", client: "", clientVersion: "", transport: "tcp" } as const;

export class ExternalBroker implements BrokerAccess {
  private readonly rooms = new Map<string, { listener: (e: BrokerEvent) => void; started: string | null; ended: boolean }>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private warned = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly http: string,
    private readonly note: (text: string) => void,
  ) {}

  follow(room: string, listener: (e: BrokerEvent) => void): () => void {
    this.rooms.set(room, { listener, started: null, ended: false });
    this.timer ??= setTimeout(() => void this.poll(), POLL_MS);
    return () => {
      this.rooms.delete(room);
    };
  }

  async sync(room: string): Promise<void> {
    await this.check(room);
  }

  private async poll(): Promise<void> {
    try {
      await Promise.all([...this.rooms.keys()].map((room) => this.check(room)));
    } finally {
      this.timer = this.rooms.size > 0 ? setTimeout(() => void this.poll(), POLL_MS) : null;
    }
  }

  private async check(room: string): Promise<void> {
    const list = await this.get<{ running?: Listed[]; ended?: Listed[] }>(`/matches?room=${encodeURIComponent(room)}`);
    const st = this.rooms.get(room);
    if (!list || !st || st.ended) return;
    const running = list.running?.find((m) => m.room === room);
    const ended = list.ended?.find((m) => m.room === room);
    const id = running?.id ?? ended?.id;
    if (id !== undefined && st.started === null) {
      st.started = id;
      const bots = (running ?? ended)!.bots ?? [];
      st.listener({
        type: "match_started",
        match: { id, room, startedAtMs: 0, recorded: false, game: { ...UNKNOWN_PEER }, bots: bots.map((name, index) => ({ index, name, human: false, ...UNKNOWN_PEER })) },
      });
    }
    if (!ended) return;
    st.ended = true;
    const record = await this.get<Record_>(`/matches/${encodeURIComponent(ended.id)}`);
    if (!record?.seats && !this.warned) {
      this.warned = true;
      this.note(`arena: the broker at ${this.http} keeps no records (GET /matches/{id}): matches have no result and no think times; run it with records (BROKER_DB)`);
    }
    const think: ThinkStats[] = (record?.seats ?? []).map((s) => ({ moves: s.think?.moves ?? 0, totalMs: s.think?.totalMs ?? 0, maxMs: s.think?.maxMs ?? 0 }));
    st.listener({
      type: "match_ended",
      matchId: ended.id,
      room,
      startedAtMs: 0,
      endedAtMs: 0,
      code: record?.code ?? ended.code ?? "normal",
      reason: record?.reason ?? ended.reason ?? "",
      culprit: record?.culprit ?? null,
      turns: record?.turns ?? ended.turns ?? 0,
      bytesRelayed: 0,
      think,
      result: record?.result ?? null,
    });
  }

  private async get<T>(path: string): Promise<T | null> {
    try {
      const r = await fetch(`${this.http}${path}`, { signal: AbortSignal.timeout(5000) });
      return r.ok ? ((await r.json()) as T) : null;
    } catch {
      return null;
    }
  }

  async stop(): Promise<void> {
    this.rooms.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
