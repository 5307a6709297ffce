// The time-rules notices (PROTOCOL.md §9.5): MoveTiming (00 30, to a bot before its state),
// TurnTiming (the body of a trigger, to a game) and MoveMissed (00 31, to a game). Pure.
import { arenaRoot } from "./arena.ts";
import { decodeOrThrow } from "./errors.ts";
import { Control, Opcode, message, type Message } from "./message.ts";

export interface MoveTiming {
  readonly moveMs: number;
  readonly bankMs: number;
  readonly deadlineMs: number;
}

export interface TurnTiming {
  readonly bot: number;
  readonly thinkMs: number;
  readonly bankMs: number;
  readonly missed: boolean;
}

export interface MoveMissed {
  readonly bot: number;
  readonly deadlineMs: number;
}

const MoveTimingType = arenaRoot.lookupType("bitbroker.arena.MoveTiming");
const TurnTimingType = arenaRoot.lookupType("bitbroker.arena.TurnTiming");
const MoveMissedType = arenaRoot.lookupType("bitbroker.arena.MoveMissed");

/** Broker → an opted-in bot: its time for the state that follows (00 30). */
export function moveTiming(t: MoveTiming): Message {
  const body = MoveTimingType.encode(MoveTimingType.create({ move_ms: t.moveMs, bank_ms: t.bankMs, deadline_ms: t.deadlineMs })).finish();
  return message(Opcode.control, Control.moveTiming, body);
}

/** Broker → an opted-in game: the trigger, carrying the last turn's timing. */
export function timedTrigger(t: TurnTiming): Message {
  const body = TurnTimingType.encode(TurnTimingType.create({ bot: t.bot, think_ms: t.thinkMs, bank_ms: t.bankMs, missed: t.missed })).finish();
  return message(Opcode.trigger, 0x00, body);
}

/** Broker → an opted-in game under SKIP: in place of a reply that did not come in time (00 31). */
export function moveMissed(t: MoveMissed): Message {
  const body = MoveMissedType.encode(MoveMissedType.create({ bot: t.bot, deadline_ms: t.deadlineMs })).finish();
  return message(Opcode.control, Control.moveMissed, body);
}

export function decodeMoveTiming(body: Uint8Array): MoveTiming {
  const f = decodeOrThrow(() => MoveTimingType.toObject(MoveTimingType.decode(body)), "MoveTiming") as { move_ms?: number; bank_ms?: number; deadline_ms?: number };
  return { moveMs: f.move_ms ?? 0, bankMs: f.bank_ms ?? 0, deadlineMs: f.deadline_ms ?? 0 };
}

/** A trigger's body: null when empty (a v1 trigger, or the first of a match). */
export function decodeTurnTiming(body: Uint8Array): TurnTiming | null {
  if (body.length === 0) return null;
  const f = decodeOrThrow(() => TurnTimingType.toObject(TurnTimingType.decode(body)), "TurnTiming") as { bot?: number; think_ms?: number; bank_ms?: number; missed?: boolean };
  return { bot: f.bot ?? 0, thinkMs: f.think_ms ?? 0, bankMs: f.bank_ms ?? 0, missed: f.missed ?? false };
}

export function decodeMoveMissed(body: Uint8Array): MoveMissed {
  const f = decodeOrThrow(() => MoveMissedType.toObject(MoveMissedType.decode(body)), "MoveMissed") as { bot?: number; deadline_ms?: number };
  return { bot: f.bot ?? 0, deadlineMs: f.deadline_ms ?? 0 };
}
