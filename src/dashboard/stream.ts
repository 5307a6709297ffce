// Live updates for the dashboard page over server-sent events (GET /ui/events): a summary once a
// second (rooms, running and ended matches), and for a page that follows a match its messages in
// batches (every 250 ms) and its end. Everything is built once per tick for every page alike, and
// only while a page is connected; a page that stops reading is dropped, never buffered for.
import type { Snapshot } from "../broker/types.ts";
import type { EndedMatch, Follower, LiveModel, TracedMessage } from "./live.ts";

const TICK_MS = 250;
const SUMMARY_EVERY = 4; // ticks: once a second
/** Running matches listed in a summary (the newest); the total is always given. */
export const ROWS_MAX = 100;
/** Messages of a followed match kept between two ticks; older ones are counted as dropped. */
const BATCH_MAX = 500;
/** Bytes of a body sent to the page; the rest is cut (its size is still given). */
const BODY_BYTES_MAX = 64 * 1024;
/** A page that leaves this much unread is dropped. */
const UNREAD_BYTES_MAX = 8 * 1024 * 1024;

export interface StreamDeps {
  readonly live: LiveModel;
  readonly snapshot: () => Snapshot;
  /** Starts or stops the broker's tracing of a running match (its `watch` event). */
  readonly watch: (matchId: string, on: boolean) => void;
  /** The broker's clock (monotonic ms) → Unix ms. */
  readonly wallMs: (ms: number) => number;
  readonly now: () => number;
}

const encoder = new TextEncoder();

class Page implements Follower {
  batch: TracedMessage[] = [];
  dropped = 0;
  closed = false;
  constructor(
    readonly controller: ReadableStreamDefaultController<Uint8Array>,
    readonly follow: string | null,
    private readonly onEnded: (p: Page, e: EndedMatch) => void,
  ) {}
  message(m: TracedMessage): void {
    if (this.batch.length >= BATCH_MAX) {
      this.batch.shift();
      this.dropped++;
    }
    this.batch.push(m);
  }
  ended(e: EndedMatch): void {
    this.onEnded(this, e);
  }
}

export class DashboardStream {
  private readonly pages = new Set<Page>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticks = 0;

  constructor(private readonly deps: StreamDeps) {}

  get pageCount(): number {
    return this.pages.size;
  }

  /** The response of GET /ui/events[?follow=ID]. */
  open(follow: string | null): Response {
    let page!: Page;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          page = new Page(controller, follow, (p, e) => this.followedEnded(p, e));
          this.pages.add(page);
          this.send(page, "summary", this.summary());
          if (follow !== null) this.startFollowing(page, follow);
          this.timer ??= setInterval(() => this.tick(), TICK_MS);
        },
        cancel: () => this.close(page),
      },
      { highWaterMark: UNREAD_BYTES_MAX, size: (chunk) => chunk?.byteLength ?? 0 },
    );
    return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no" } });
  }

  /** Ends every stream (the broker stops). */
  closeAll(): void {
    for (const p of [...this.pages]) {
      this.close(p);
      try {
        p.controller.close();
      } catch {
        // already closed by the peer
      }
    }
  }

  private startFollowing(page: Page, id: string): void {
    const m = this.deps.live.running.get(id);
    const { following, first } = this.deps.live.follow(id, page);
    if (!following || !m) {
      const ended = this.deps.live.ended.find((e) => e.id === id);
      this.send(page, "gone", ended ? this.endedView(ended) : { id });
      return;
    }
    if (first) this.deps.watch(id, true);
    this.send(page, "match", { id, room: m.room, bots: m.bots, gameClient: m.gameClient, startedAt: this.deps.wallMs(m.startedAtMs), turns: m.turns });
  }

  private followedEnded(page: Page, e: EndedMatch): void {
    this.flush(page);
    this.send(page, "ended", this.endedView(e));
  }

  private close(page: Page): void {
    if (page.closed) return;
    page.closed = true;
    this.pages.delete(page);
    if (page.follow !== null && this.deps.live.unfollow(page.follow, page)) this.deps.watch(page.follow, false);
    if (this.pages.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private tick(): void {
    this.ticks++;
    const summary = this.ticks % SUMMARY_EVERY === 0 ? this.summary() : null;
    for (const p of [...this.pages]) {
      if (p.batch.length > 0) this.flush(p);
      if (summary) this.send(p, "summary", summary);
    }
  }

  private flush(page: Page): void {
    if (page.batch.length === 0) return;
    const wall = this.deps.wallMs;
    const messages = page.batch.map((m) => {
      const cut = m.body.length > BODY_BYTES_MAX;
      const body = cut ? m.body.subarray(0, BODY_BYTES_MAX) : m.body;
      return { t: wall(m.atMs), dir: m.dir, party: m.party, op: [m.opcode, m.operand], size: m.body.length, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("base64"), cut };
    });
    this.send(page, "messages", { dropped: page.dropped, messages });
    page.batch = [];
    page.dropped = 0;
  }

  /** The once-a-second view, shared by every page. */
  summary(): string {
    const { live, snapshot, wallMs, now } = this.deps;
    const nowMs = now();
    const s = snapshot();
    const rooms = Object.entries(s.rooms).map(([name, r]) => ({ name, ...r }));
    const all = [...live.running.values()];
    const rows = all.slice(-ROWS_MAX).reverse().map((m) => {
      const seconds = (nowMs - m.viewAtMs) / 1000;
      const turnsPerSecond = seconds > 0 ? Math.round(((m.turns - m.turnsAtView) / seconds) * 10) / 10 : 0;
      m.turnsAtView = m.turns;
      m.viewAtMs = nowMs;
      const think = m.bots.map((_, i) => live.thinkOf(m, i).map((ms) => Math.round(ms * 1000) / 1000));
      return { id: m.id, room: m.room, bots: m.bots, humans: m.humans, turns: m.turns, startedAt: wallMs(m.startedAtMs), turnsPerSecond, recorded: m.recorded, think };
    });
    const { phase, connections, matchesRunning, matchesPlayed, matchesAborted, gamesWaiting, botsWaiting } = s;
    return JSON.stringify({
      at: Date.now(),
      status: { phase, connections, matchesRunning, matchesPlayed, matchesAborted, gamesWaiting, botsWaiting },
      rooms,
      running: { total: all.length, rows },
      ended: live.ended.map((e) => this.endedView(e)),
    });
  }

  private endedView(e: EndedMatch): Record<string, unknown> {
    const { wallMs } = this.deps;
    return { id: e.id, room: e.room, bots: e.bots, code: e.code, reason: e.reason, turns: e.turns, startedAt: wallMs(e.startedAtMs), endedAt: wallMs(e.endedAtMs), result: e.result };
  }

  private send(page: Page, event: string, data: unknown): void {
    if (page.closed) return;
    const text = typeof data === "string" ? data : JSON.stringify(data);
    const desired = page.controller.desiredSize;
    if (desired !== null && desired <= 0) {
      // It has not read the last 8 MiB: drop it rather than hold more for it.
      this.close(page);
      try {
        page.controller.close();
      } catch {
        // gone already
      }
      return;
    }
    try {
      page.controller.enqueue(encoder.encode(`event: ${event}\ndata: ${text}\n\n`));
    } catch {
      this.close(page);
    }
  }
}
