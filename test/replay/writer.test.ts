// The replay writer on real files: what it writes decodes to exactly the messages it was given;
// a disk that fills up (a 64 KiB tmpfs, root only) or buffers that overflow abandon that replay,
// logged and counted, and the writer goes on with the next match.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { BrokerEvent } from "../../src/broker/events.ts";
import { decodeReplay } from "../../src/replay/decode.ts";
import { ReplayWriter } from "../../src/replay/writer.ts";
import { tempDir } from "../records/helpers.ts";

const ID = (n: number) => `01900000-0000-7000-8000-${String(n).padStart(12, "0")}`;

function started(n: number, atMs = 1000): BrokerEvent {
  return {
    type: "match_started",
    match: {
      id: ID(n),
      room: "r",
      startedAtMs: atMs,
      recorded: true,
      game: { peer: "127.0.0.1:1", client: "g", clientVersion: "1", transport: "tcp" },
      bots: [{ index: 0, name: "A", peer: "127.0.0.1:2", client: "", clientVersion: "", human: false, transport: "tcp" }],
    },
  };
}
function traced(n: number, atMs: number, body: Uint8Array, dir: "in" | "out" = "out"): BrokerEvent {
  return { type: "traced", matchId: ID(n), atMs, dir, party: dir === "out" ? 0 : -1, opcode: 2, operand: dir === "out" ? 5 : 0, body };
}
function ended(n: number, atMs: number): BrokerEvent {
  return { type: "match_ended", matchId: ID(n), room: "r", startedAtMs: 1000, endedAtMs: atMs, code: "normal", reason: "", turns: 1, bytesRelayed: 0, think: [], result: null };
}

function collectLogs(): { log: (level: string, event: string, fields: Record<string, string | number>) => void; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: (level, event, fields) => lines.push({ level, event, ...fields }) };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await Bun.sleep(10);
  expect(cond()).toBe(true);
}

describe("the replay writer", () => {
  test("writes each traced message, across chunk boundaries, as a file that decodes back to them", async () => {
    const dir = tempDir();
    const logs = collectLogs();
    const w = new ReplayWriter({ dir, instanceId: "i", brokerVersion: "v", log: logs.log });
    const bodies = [new Uint8Array(10).fill(1), new Uint8Array(300_000).map((_, i) => i % 256), new Uint8Array(0), new Uint8Array(70_000).fill(9)];
    w.onEvent(started(1));
    w.onEvent(started(2));
    bodies.forEach((b, i) => w.onEvent(traced(1, 1000 + i, b, i % 2 === 0 ? "out" : "in")));
    w.onEvent(traced(2, 1001, new Uint8Array([7])));
    expect(w.fileOf(ID(1))).toBe(`${ID(1)}.bbr`);
    w.onEvent(ended(1, 1010.5));
    w.onEvent(ended(2, 1002));
    await until(() => w.counts.written === 2);
    const { header, records } = decodeReplay(readFileSync(join(dir, `${ID(1)}.bbr`)));
    expect(header).toMatchObject({ matchId: ID(1), room: "r", instanceId: "i", seats: [{ index: 0, name: "A" }] });
    expect(records.slice(0, 4).map((r) => (r.kind === "message" ? [r.dir, r.atUs, r.body.length, r.body[r.body.length - 1] ?? -1] : []))).toEqual(
      bodies.map((b, i) => [i % 2 === 0 ? "out" : "in", i * 1000, b.length, b[b.length - 1] ?? -1]),
    );
    expect(records[4]).toMatchObject({ kind: "end", atUs: 10_500, info: { code: "normal" } });
    expect(w.fileOf(ID(1))).toBeNull();
    expect(logs.lines).toEqual([]);
    await w.close(1000);
  });

  test("state: running while its match runs; once it has ended, a promise that settles when the file is whole; then none", async () => {
    const dir = tempDir();
    const w = new ReplayWriter({ dir, instanceId: "i", brokerVersion: "v", log: collectLogs().log });
    w.onEvent(started(3));
    w.onEvent(traced(3, 1000, new Uint8Array(300_000).fill(3)));
    expect(w.state(ID(3))).toBe("running");
    w.onEvent(ended(3, 1001));
    const finishing = w.state(ID(3));
    expect(finishing).toBeInstanceOf(Promise);
    await finishing;
    // Whole on disk the moment it settles: it decodes to its end record.
    expect(decodeReplay(readFileSync(join(dir, `${ID(3)}.bbr`))).records.at(-1)).toMatchObject({ kind: "end" });
    expect(w.state(ID(3))).toBe("none");
    expect(w.state(ID(4))).toBe("none");
    await w.close(1000);
  });

  test("buffers that would pass their bound abandon that replay, logged and counted; the next match is recorded", async () => {
    const dir = tempDir();
    const logs = collectLogs();
    const w = new ReplayWriter({ dir, instanceId: "i", brokerVersion: "v", log: logs.log, bufferBytesMax: 100_000 });
    w.onEvent(started(1));
    for (let i = 0; i < 10; i++) w.onEvent(traced(1, 1000, new Uint8Array(20_000)));
    expect(w.fileOf(ID(1))).toBeNull();
    w.onEvent(ended(1, 1001));
    expect(logs.lines[0]).toMatchObject({ level: "error", event: "replay abandoned", match: ID(1), error: expect.stringContaining("replay buffers full") });
    w.onEvent(started(2));
    w.onEvent(traced(2, 1000, new Uint8Array(10)));
    w.onEvent(ended(2, 1001));
    await until(() => w.counts.written === 1);
    expect(w.counts.failed).toBe(1);
    expect(w.stats().replayBytesWaiting).toBe(0);
    await w.close(1000);
  });

  const root = process.getuid?.() === 0;
  if (!root) console.warn("SKIPPED the full-disk replay test: it mounts a 64 KiB tmpfs, which needs root (CI runs as root)");
  test.skipIf(!root)("a full disk abandons the replay being written, logged and counted, never a crash", async () => {
    const dir = join(tempDir(), "small");
    mkdirSync(dir);
    const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stderr: "pipe" });
    if (mount.exitCode !== 0) throw new Error(`mount tmpfs failed: ${mount.stderr}`);
    try {
      const logs = collectLogs();
      const w = new ReplayWriter({ dir, instanceId: "i", brokerVersion: "v", log: logs.log });
      w.onEvent(started(1));
      for (let i = 0; i < 20; i++) w.onEvent(traced(1, 1000 + i, new Uint8Array(30_000).fill(i)));
      w.onEvent(ended(1, 1100));
      await until(() => w.counts.failed === 1);
      expect(logs.lines[0]).toMatchObject({ event: "replay abandoned", match: ID(1), error: expect.stringMatching(/ENOSPC|disk full|no space/i) });
      expect(w.counts.written).toBe(0);
      expect(w.stats().replayBytesWaiting).toBe(0);
      expect(readdirSync(dir)).toEqual([`${ID(1)}.bbr`]); // what fitted stays: a reader says it is cut
      await w.close(1000);
    } finally {
      Bun.spawnSync(["umount", "-l", dir]);
    }
  });
});

test("a match that is only watched (traced for the dashboard), not recorded, gets no replay file", async () => {
  const dir = tempDir("replays-watched");
  mkdirSync(dir, { recursive: true });
  const w = new ReplayWriter({ dir, instanceId: "test", brokerVersion: "test", log: () => {} });
  const s = started(9);
  w.onEvent({ ...s, match: { ...(s as Extract<BrokerEvent, { type: "match_started" }>).match, recorded: false } } as BrokerEvent);
  w.onEvent(traced(9, 1001, new Uint8Array([1, 2, 3])));
  w.onEvent(ended(9, 1002));
  await w.close(1000);
  expect(readdirSync(dir)).toEqual([]);
});
