// A projection of the broker's `traced` events into replay files (docs/REPLAY.md), one per
// recorded match in BROKER_RECORD_DIR. Records are copied into chunk buffers at once and written
// by async appends a little later: the relay never waits for the disk. Buffers are bounded; a
// file that cannot keep up or be written (disk full) is abandoned, logged and counted: never a crash.
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { BrokerEvent, MatchInfo } from "../broker/events.ts";
import { encodeEndRecord, encodeHeader, messageHeadLength, messageRecordLength, putMessageHead, putMessageRecord, putU32 } from "./format.ts";

type LogFn = (level: "debug" | "info" | "warn" | "error", event: string, fields: Record<string, string | number>) => void;

export interface ReplayWriterOptions {
  readonly dir: string;
  readonly instanceId: string;
  readonly brokerVersion: string;
  readonly log: LogFn;
  /** Bytes waiting for the disk, all files together, past which a file is abandoned. */
  readonly bufferBytesMax?: number;
  readonly flushEveryMs?: number;
}

const CHUNK_BYTES = 64 * 1024;
/** Bodies this large are written by reference, not copied into a chunk. */
const BIG_BODY_BYTES = 16 * 1024;
const isoTime = (brokerMs: number): string => new Date(performance.timeOrigin + brokerMs).toISOString();
/** A file with this much waiting is written at once rather than at the next timer. */
const EAGER_FLUSH_BYTES = 256 * 1024;

interface ReplayFile {
  readonly name: string;
  readonly matchId: string;
  readonly startedAtMs: number;
  readonly handle: Promise<FileHandle>;
  /** Full chunks waiting for the disk, and the one being filled. */
  full: Uint8Array[];
  chunk: Uint8Array;
  /** Bytes of `chunk` in use, and where the part not yet handed to `full` starts. */
  used: number;
  segment: number;
  /** Bytes appended and not yet on disk (those being written included). */
  pendingBytes: number;
  inflightBytes: number;
  writing: Promise<void> | null;
  ended: boolean;
  closed: boolean;
  failed: boolean;
  /** The body of the last message record written. */
  lastBody: Uint8Array | null;
}

/** The file name of a match's replay. */
export const replayName = (matchId: string): string => `${matchId}.bbr`;

export class ReplayWriter {
  private readonly started = new Map<string, MatchInfo>();
  private readonly files = new Map<string, ReplayFile>();
  private pendingBytes = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  readonly counts = { written: 0, failed: 0, bytes: 0 };

  constructor(private readonly o: ReplayWriterOptions) {
    this.timer = setInterval(() => {
      for (const f of this.files.values()) if (f.pendingBytes > 0) this.flush(f);
    }, o.flushEveryMs ?? 100);
    this.timer.unref();
  }

  onEvent(e: BrokerEvent): void {
    switch (e.type) {
      case "match_started":
        // Only recorded matches get a file: a match someone merely watches is traced too.
        if (e.match.recorded) this.started.set(e.match.id, e.match);
        return;
      case "traced": {
        const f = this.files.get(e.matchId) ?? this.create(e.matchId);
        if (!f || f.failed) return;
        const atUs = Math.max(0, Math.round((e.atMs - f.startedAtMs) * 1000));
        // A relayed state or reply is the very body just read: written once (docs/REPLAY.md).
        const same = e.body === f.lastBody && e.body.length > 0;
        const m = { dir: e.dir, party: e.party, atUs, opcode: e.opcode, operand: e.operand, body: e.body };
        f.lastBody = e.body;
        if (same || e.body.length < BIG_BODY_BYTES) {
          const length = messageRecordLength(e.party, atUs, e.body.length, same);
          const buf = this.room(f, length, 0);
          if (!buf) return;
          f.used = putMessageRecord(buf, f.used, m, same);
          this.added(f, length);
          return;
        }
        // A large body is written from where it is (the broker never reuses it), not copied.
        const head = messageHeadLength(e.party, atUs, e.body.length);
        const buf = this.room(f, head + 4, e.body.length);
        if (!buf) return;
        const start = f.used;
        f.used = putMessageHead(buf, f.used, m);
        const crc = Bun.hash.crc32(e.body, Bun.hash.crc32(buf.subarray(start, f.used)));
        f.full.push(buf.subarray(f.segment, f.used), e.body);
        f.segment = f.used;
        f.used = putU32(buf, f.used, crc >>> 0);
        this.added(f, head + e.body.length + 4);
        return;
      }
      case "match_ended": {
        this.started.delete(e.matchId);
        const f = this.files.get(e.matchId);
        if (f?.failed) this.files.delete(e.matchId);
        if (!f || f.failed) return;
        const info = { code: e.code, reason: e.reason, turns: e.turns, bytesRelayed: e.bytesRelayed, endedAt: isoTime(e.endedAtMs), result: e.result };
        this.append(f, encodeEndRecord(Math.max(0, Math.round((e.endedAtMs - f.startedAtMs) * 1000)), info));
        f.ended = true;
        this.flush(f);
        return;
      }
    }
  }

  /**
   * Where a match's file stands: "running" while its match runs, a promise that settles once the
   * file is whole on disk (or abandoned) while the match's end is still being written, else "none".
   */
  state(matchId: string): "none" | "running" | Promise<void> {
    const f = this.files.get(matchId);
    if (!f || f.failed) return "none";
    return f.ended ? this.flush(f) : "running";
  }

  /** The replay file of a running match, or null if it is not recorded (or was abandoned). */
  fileOf(matchId: string): string | null {
    const f = this.files.get(matchId);
    return f && !f.failed ? f.name : null;
  }

  /** Counters for GET /health. */
  stats(): { replaysWritten: number; replaysFailed: number; replayBytesWaiting: number } {
    return { replaysWritten: this.counts.written, replaysFailed: this.counts.failed, replayBytesWaiting: this.pendingBytes };
  }

  /** At exit: writes what is buffered, for up to `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    clearInterval(this.timer);
    const all = [...this.files.values()].map((f) => this.flush(f));
    await Promise.race([Promise.all(all), Bun.sleep(timeoutMs)]);
  }

  private create(matchId: string): ReplayFile | null {
    const m = this.started.get(matchId);
    if (!m) return null; // started before this writer existed
    const name = replayName(matchId);
    const handle = open(join(this.o.dir, name), "wx");
    const f: ReplayFile = {
      name,
      matchId,
      startedAtMs: m.startedAtMs,
      handle,
      full: [],
      chunk: new Uint8Array(CHUNK_BYTES),
      used: 0,
      segment: 0,
      pendingBytes: 0,
      inflightBytes: 0,
      writing: null,
      ended: false,
      closed: false,
      failed: false,
      lastBody: null,
    };
    handle.catch((e: unknown) => this.fail(f, e));
    this.files.set(matchId, f);
    const client = (c: { client: string; clientVersion: string }) => ({ client: c.client, clientVersion: c.clientVersion });
    this.append(
      f,
      encodeHeader({
        matchId,
        room: m.room,
        brokerVersion: this.o.brokerVersion,
        instanceId: this.o.instanceId,
        startedAt: isoTime(m.startedAtMs),
        game: { peer: m.game.peer, ...client(m.game) },
        seats: m.bots.map((b) => ({ index: b.index, name: b.name, peer: b.peer, ...client(b) })),
      }),
    );
    return f;
  }

  private append(f: ReplayFile, bytes: Uint8Array): void {
    const buf = this.room(f, bytes.length, 0);
    if (!buf) return;
    buf.set(bytes, f.used);
    f.used += bytes.length;
    this.added(f, bytes.length);
  }

  /**
   * The chunk to write `length` more bytes into at `f.used` (and `held` more bytes waiting by
   * reference), or null if that would pass the buffers' bound (the replay is then abandoned).
   */
  private room(f: ReplayFile, length: number, held: number): Uint8Array | null {
    if (this.pendingBytes + length + held > (this.o.bufferBytesMax ?? 64 * 1024 * 1024)) {
      this.fail(f, new Error(`replay buffers full (${this.pendingBytes} bytes wait for the disk)`));
      return null;
    }
    if (f.used + length > f.chunk.length) {
      if (f.used > f.segment) f.full.push(f.chunk.subarray(f.segment, f.used));
      f.chunk = new Uint8Array(Math.max(CHUNK_BYTES, length));
      f.used = 0;
      f.segment = 0;
    }
    return f.chunk;
  }

  private added(f: ReplayFile, length: number): void {
    f.pendingBytes += length;
    this.pendingBytes += length;
    if (f.pendingBytes >= EAGER_FLUSH_BYTES) this.flush(f);
  }

  /** Starts writing what `f` holds (one write in flight per file); resolves once it is on disk. */
  private flush(f: ReplayFile): Promise<void> {
    if (f.writing) return f.writing.then(() => this.flush(f));
    if (f.failed || f.closed) return Promise.resolve();
    if (f.used > f.segment) {
      // The rest of the chunk stays in use: writes go on after the part handed to the disk.
      f.full.push(f.chunk.subarray(f.segment, f.used));
      f.segment = f.used;
    }
    if (f.full.length === 0 && !f.ended) return Promise.resolve();
    const chunks = f.full;
    f.full = [];
    const bytes = chunks.reduce((n, c) => n + c.length, 0);
    f.inflightBytes += bytes;
    f.writing = (async () => {
      try {
        const h = await f.handle;
        if (bytes > 0) {
          const { bytesWritten } = await h.writev(chunks);
          if (bytesWritten !== bytes) throw new Error(`wrote ${bytesWritten} of ${bytes} bytes (is the disk full?)`);
          this.counts.bytes += bytes;
        }
        if (f.ended && f.full.length === 0 && f.used === f.segment && !f.closed) {
          f.closed = true;
          this.files.delete(f.matchId);
          await h.close();
          this.counts.written++;
        }
      } catch (e) {
        this.fail(f, e);
      } finally {
        f.inflightBytes -= bytes;
        f.pendingBytes -= bytes;
        this.pendingBytes -= bytes;
        f.writing = null;
      }
    })();
    return f.writing;
  }

  private fail(f: ReplayFile, e: unknown): void {
    if (f.failed) return;
    f.failed = true;
    this.counts.failed++;
    // What is being written is counted off when that write ends.
    this.pendingBytes -= f.pendingBytes - f.inflightBytes;
    f.pendingBytes = f.inflightBytes;
    f.full = [];
    f.segment = f.used;
    this.o.log("error", "replay abandoned", { match: f.matchId, file: join(this.o.dir, f.name), error: (e as Error).message ?? String(e) });
    if (f.ended || !this.started.has(f.matchId)) this.files.delete(f.matchId);
    void f.handle.then((h) => h.close()).catch(() => {});
  }
}
