// The replay format (docs/REPLAY.md) as bytes: round trips, any split of the stream, and damage of
// every kind — a cut at every byte, a flipped byte anywhere, random bytes — gives records or a
// ReplayError with its code, never anything else.
import { describe, expect, test } from "bun:test";
import { ReplayDecoder, decodeReplay } from "../../src/replay/decode.ts";
import { replayView, VIEW_BODY_BYTES_MAX } from "../../src/records/replay-view.ts";
import { ReplayError, encodeEndRecord, encodeHeader, encodeMessageRecord, type ReplayHeader, type ReplayRecord } from "../../src/replay/format.ts";

const HEADER: ReplayHeader = {
  matchId: "01900000-0000-7000-8000-000000000001",
  room: "default",
  brokerVersion: "0.1.0 (abc)",
  instanceId: "host:7878",
  startedAt: "2026-01-01T00:00:00.000Z",
  game: { peer: "127.0.0.1:1", client: "bitbroker-typescript", clientVersion: "0.1.0" },
  seats: [
    { index: 0, name: "Ünï ♞", peer: "127.0.0.1:2", client: "", clientVersion: "" },
    { index: 1, name: "B", peer: "127.0.0.1:3", client: "", clientVersion: "" },
  ],
};
const bytes = (...b: number[]) => new Uint8Array(b);
const MESSAGES = [
  { dir: "out", party: -1, atUs: 0, opcode: 0x00, operand: 0x11, body: bytes(0x0a, 0x03, 0x52, 0x01, 0x41) },
  { dir: "in", party: -1, atUs: 150, opcode: 0x01, operand: 0x01, body: new TextEncoder().encode("state") },
  { dir: "out", party: 1, atUs: 151, opcode: 0x02, operand: 0x05, body: new Uint8Array(70_000).map((_, i) => i % 251) },
  { dir: "in", party: 1, atUs: 3_600_000_000, opcode: 0x02, operand: 0x00, body: bytes() },
] as const;
const END = { code: "normal", reason: "", turns: 1, bytesRelayed: 70_005, endedAt: "2026-01-01T01:00:00.000Z", result: { seats: [{ index: 1, rank: 1 }], summary: "B" } };

function file(): Uint8Array {
  const parts = [encodeHeader(HEADER), ...MESSAGES.map((m) => encodeMessageRecord(m)), encodeEndRecord(3_600_000_100, END)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

const expected: ReplayRecord[] = [...MESSAGES.map((m) => ({ kind: "message" as const, ...m })), { kind: "end", atUs: 3_600_000_100, info: END }];

describe("a replay file", () => {
  test("starts with BBREPLAY and version 1, and decodes to its header and every record", () => {
    const f = file();
    expect(new TextDecoder().decode(f.subarray(0, 8))).toBe("BBREPLAY");
    expect(f[8]).toBe(1);
    const { header, records } = decodeReplay(f);
    expect(header).toMatchObject(HEADER);
    expect(records).toEqual(expected);
  });

  test("decodes the same however the stream is split (every split point of the small part, chunks of the rest)", () => {
    const f = file();
    for (let cut = 0; cut < 400; cut++) {
      const d = new ReplayDecoder();
      const records = [...d.push(f.subarray(0, cut)), ...d.push(f.subarray(cut))];
      d.finish();
      expect(records).toEqual(expected);
    }
    const d = new ReplayDecoder();
    const records: ReplayRecord[] = [];
    for (let at = 0; at < f.length; at += 997) records.push(...d.push(f.subarray(at, at + 997)));
    d.finish();
    expect(records).toEqual(expected);
  });

  test("cut short at any byte: a truncated error that says where, never a crash", () => {
    const f = file();
    for (let len = 0; len < f.length; len += len < 600 ? 1 : 211) {
      const e = (() => {
        try {
          decodeReplay(f.subarray(0, len));
          return null;
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(ReplayError);
      expect((e as ReplayError).code).toBe("truncated");
    }
  });

  test("a changed byte anywhere is found: a checksum, magic, version or record error", () => {
    const f = file();
    const codes = new Set<string>();
    for (let at = 0; at < f.length; at += at < 600 ? 1 : 307) {
      const damaged = f.slice();
      damaged[at] = damaged[at]! ^ 0x5a;
      try {
        decodeReplay(damaged);
        throw new Error(`byte ${at} changed and nothing noticed`);
      } catch (e) {
        expect(e).toBeInstanceOf(ReplayError);
        codes.add((e as ReplayError).code);
      }
    }
    expect([...codes].sort()).toEqual(expect.arrayContaining(["bad_magic", "checksum", "unsupported_version"]));
  });

  test("random bytes, with or without a valid header, give records or a ReplayError and nothing else", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const head = encodeHeader(HEADER);
    for (let i = 0; i < 300; i++) {
      const noise = new Uint8Array(1 + (i % 97)).map(rnd);
      for (const input of [noise, new Uint8Array([...head, ...noise])]) {
        try {
          decodeReplay(input);
        } catch (e) {
          expect(e).toBeInstanceOf(ReplayError);
        }
      }
    }
  });

  test("bytes after the end record are damage", () => {
    const f = file();
    expect(() => decodeReplay(new Uint8Array([...f, ...encodeMessageRecord(MESSAGES[1])]))).toThrow(expect.objectContaining({ code: "after_end" }));
  });
});

test("a record that repeats the previous body stores it once and decodes to the same bytes", () => {
  const state = new Uint8Array(1000).fill(3);
  const parts = [
    encodeHeader(HEADER),
    encodeMessageRecord({ dir: "in", party: -1, atUs: 1, opcode: 1, operand: 0, body: state }),
    encodeMessageRecord({ dir: "out", party: 0, atUs: 1, opcode: 2, operand: 5, body: state }, true),
    encodeEndRecord(2, END),
  ];
  expect(parts[2]!.length).toBeLessThan(16);
  const { records } = decodeReplay(new Uint8Array(parts.flatMap((p) => [...p])));
  expect(records[1]).toMatchObject({ kind: "message", dir: "out", party: 0, opcode: 2, operand: 5, body: state });
  const orphan = [encodeHeader(HEADER), encodeMessageRecord({ dir: "out", party: 0, atUs: 1, opcode: 2, operand: 5, body: state }, true)];
  expect(() => decodeReplay(new Uint8Array(orphan.flatMap((p) => [...p])))).toThrow(expect.objectContaining({ code: "bad_record" }));
});

describe("the dashboard's JSON view of a replay (GET /matches/{id}/replay?format=json)", () => {
  test("carries the header's match, every message in the live stream's shape (bodies cut at 64 KiB), and the end", () => {
    const view = replayView("ignored", file());
    expect(view.match).toEqual({ id: HEADER.matchId, room: "default", bots: ["Ünï ♞", "B"], gameClient: "bitbroker-typescript", startedAt: HEADER.startedAt });
    const start = Date.parse(HEADER.startedAt);
    expect(view.messages.map((m) => [Math.round((m.t - start) * 1000), m.dir, m.party, m.op, m.size, m.cut])).toEqual([
      [0, "out", -1, [0x00, 0x11], 5, false],
      [150, "in", -1, [0x01, 0x01], 5, false],
      [151, "out", 1, [0x02, 0x05], 70_000, true],
      [3_600_000_000, "in", 1, [0x02, 0x00], 0, false],
    ]);
    expect(atob(view.messages[1]!.body)).toBe("state");
    expect(atob(view.messages[2]!.body).length).toBe(VIEW_BODY_BYTES_MAX);
    expect(view.end).toEqual(END);
    expect(view.damage).toBeNull();
  });

  test("a cut file shows what it holds and says it is cut", () => {
    const whole = file();
    const view = replayView("01900000-0000-7000-8000-000000000009", whole.subarray(0, whole.length - 30));
    expect(view.messages.length).toBe(4);
    expect(view.end).toBeNull();
    expect(view.damage).toMatch(/trunc|ends|cut/i);
    expect(replayView("01900000-0000-7000-8000-000000000009", new Uint8Array(0))).toMatchObject({ match: { id: "01900000-0000-7000-8000-000000000009", bots: [] }, messages: [], end: null });
  });
});
