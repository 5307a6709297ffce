// A replay file (docs/REPLAY.md) as the dashboard's match view reads it: GET
// /matches/{id}/replay?format=json. The same message shape as the live stream (src/dashboard):
// wall time, direction, party, codes, size and the body in base64, cut at 64 KiB. Pure.
import { ReplayDecoder } from "../replay/decode.ts";
import { ReplayError, type ReplayEnd, type ReplayMessage, type ReplayRecord } from "../replay/format.ts";

/** Bytes of a body the view carries; its size is still given whole. */
export const VIEW_BODY_BYTES_MAX = 64 * 1024;

export interface ReplayView {
  readonly match: { id: string; room: string; bots: string[]; gameClient: string; startedAt: string };
  readonly messages: Array<{ t: number; dir: "in" | "out"; party: number; op: [number, number]; size: number; body: string; cut: boolean }>;
  /** The end record's information (cause, turns, result), or null when the file has none. */
  readonly end: ReplayEnd["info"] | null;
  /** Why the file could not be read to its end (cut or damaged), or null. */
  readonly damage: string | null;
}

export function replayView(id: string, bytes: Uint8Array): ReplayView {
  const decoder = new ReplayDecoder();
  let records: ReplayRecord[] = [];
  let damage: string | null = null;
  try {
    records = decoder.push(bytes);
    decoder.finish();
  } catch (e) {
    if (!(e instanceof ReplayError)) throw e;
    damage = e.message;
  }
  const h = decoder.header;
  const startMs = h ? Date.parse(h.startedAt) : 0;
  const messages = records.filter((r): r is ReplayMessage => r.kind === "message").map((m) => {
    const cut = m.body.length > VIEW_BODY_BYTES_MAX;
    const body = cut ? m.body.subarray(0, VIEW_BODY_BYTES_MAX) : m.body;
    return { t: startMs + m.atUs / 1000, dir: m.dir, party: m.party, op: [m.opcode, m.operand] as [number, number], size: m.body.length, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("base64"), cut };
  });
  const end = records.find((r): r is ReplayEnd => r.kind === "end")?.info ?? null;
  return {
    match: { id: h?.matchId ?? id, room: h?.room ?? "", bots: (h?.seats ?? []).map((s) => s.name), gameClient: h?.game.client ?? "", startedAt: h?.startedAt ?? "" },
    messages,
    end,
    damage,
  };
}
