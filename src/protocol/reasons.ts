// The reasons of 00 FF: "code: text", the code stable, the text for people (PROTOCOL.md §6.1).
// Pure. The broker builds them here; the SDK reads them here.

/** Codes of an abnormal match end, sent to everyone of the match. */
export type MatchEndCode =
  | "bot_disconnected"
  | "game_disconnected"
  | "move_timeout"
  | "bot_misbehaved"
  | "game_misbehaved"
  | "slow_consumer";

/** Codes of a connection turned away before a match. */
export type RefusalCode =
  | "hello_timeout"
  | "bad_handshake"
  | "protocol_error"
  | "unexpected_message"
  | "lobby_full"
  | "queue_full"
  | "bad_hello"
  | "unknown_room"
  | "unauthorized"
  | "limit_exceeded";

/** Codes of the broker going away. */
export type ShutdownCode = "broker_shutdown" | "broker_finished";

export type ReasonCode = MatchEndCode | RefusalCode | ShutdownCode;

/** How a client reads a reason (PROTOCOL.md §10): an unknown or missing code is an aborted match. */
export type ReasonKind = "match_aborted" | "refused" | "broker_shutdown";

const KIND: Readonly<Record<ReasonCode, ReasonKind>> = {
  bot_disconnected: "match_aborted",
  game_disconnected: "match_aborted",
  move_timeout: "match_aborted",
  bot_misbehaved: "match_aborted",
  game_misbehaved: "match_aborted",
  slow_consumer: "match_aborted",
  hello_timeout: "refused",
  bad_handshake: "refused",
  protocol_error: "refused",
  unexpected_message: "refused",
  lobby_full: "refused",
  queue_full: "refused",
  bad_hello: "refused",
  unknown_room: "refused",
  unauthorized: "refused",
  limit_exceeded: "refused",
  broker_shutdown: "broker_shutdown",
  broker_finished: "broker_shutdown",
};

/** A reason as the broker holds it: code and text apart. */
export interface Reason {
  readonly code: ReasonCode;
  readonly text: string;
  /** Who of the match is at fault: -1 the game, else a bot's index; absent when no one is (shutdown, refusals). */
  readonly party?: number;
}

export function reason(code: ReasonCode, text: string, party?: number): Reason {
  return party === undefined ? { code, text } : { code, text, party };
}

/** The wire form: "code: text". */
export function formatReason(r: Reason): string {
  return `${r.code}: ${r.text}`;
}

/** A received reason: its code ("" when it has none) and the kind of error it means. */
export interface ParsedReason {
  readonly code: string;
  readonly kind: ReasonKind;
  readonly text: string;
}

const CODE = /^([a-z_]+): /;

export function parseReason(text: string): ParsedReason {
  const code = CODE.exec(text)?.[1] ?? "";
  const kind = Object.hasOwn(KIND, code) ? KIND[code as ReasonCode] : "match_aborted";
  return { code, kind, text };
}
