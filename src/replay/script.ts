// What a play-back server does, from a replay: the messages to send one party (the game, or one
// bot) and the ones it must send back, in the recorded order, with the turn of each; and how a
// live message compares with the recorded one. Pure: records in, steps and verdicts out.
import { Control, Opcode, decodeResult, hex, type Message } from "../protocol/index.ts";
import type { ReplayRecord } from "./format.ts";
import { bodyText, cut } from "./timeline.ts";

export type Step =
  | { readonly kind: "send"; readonly message: Message; readonly turn: number }
  /** The party's next message must match `message` (it answered, or acted, this way in the record). */
  | { readonly kind: "expect"; readonly message: Message; readonly turn: number };

/** The steps of `party` (-1 the game, else a bot's index), in order. */
export function stepsOf(records: readonly ReplayRecord[], party: number): Step[] {
  const steps: Step[] = [];
  let turn = 0;
  for (const r of records) {
    if (r.kind !== "message") continue;
    if (r.dir === "in" && r.party === -1 && r.opcode === Opcode.trigger) turn++;
    if (r.party !== party) continue;
    const message: Message = { opcode: r.opcode, operand: r.operand, body: r.body };
    steps.push({ kind: r.dir === "out" ? "send" : "expect", message, turn });
  }
  return steps;
}

/** A message for people: codes, size, and the start of its body. */
export function show(m: Message, width = 120): string {
  const body = bodyText(m.body);
  return `${hex(m.opcode)} ${hex(m.operand)} (${m.body.length} bytes)${body ? ` ${cut(body, width)}` : ""}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * Null if `live` is what the record has, else how it differs. A game's result (00 FE body) is
 * compared by meaning, not bytes: two protobuf encoders may order the same fields differently.
 */
export function difference(recorded: Message, live: Message): string | null {
  if (recorded.opcode !== live.opcode || recorded.operand !== live.operand) {
    return `it sent ${show(live)}; the record has ${show(recorded)}`;
  }
  if (recorded.opcode === Opcode.control && recorded.operand === Control.endGame && recorded.body.length > 0 && live.body.length > 0) {
    try {
      const [a, b] = [decodeResult(recorded.body, 256), decodeResult(live.body, 256)];
      return JSON.stringify(a) === JSON.stringify(b) ? null : `its result is ${JSON.stringify(b)}; the record has ${JSON.stringify(a)}`;
    } catch {
      // not both valid results: compared as bytes below
    }
  }
  const at = sameBytes(recorded.body, live.body);
  if (at === -1) return null;
  return `it sent ${show(live)}; the record has ${show(recorded)} (they differ from byte ${at})`;
}
