// The extension bodies of proto/arena.proto (PROTOCOL.md §9): Hello (in a hello's body) and
// Welcome (00 03). The schema text is bundled at build time. Pure.
import protobuf from "protobufjs";
import schema from "../../proto/arena.proto" with { type: "text" };
import { ProtocolError, decodeOrThrow } from "./errors.ts";
import { Control, Opcode, message, type Message } from "./message.ts";

export interface Hello {
  readonly room: string;
  readonly client: string;
  readonly clientVersion: string;
  readonly features: readonly string[];
  /** Game only: bots per match; 0 = the room's line-up size. */
  readonly bots: number;
  /** Game only: the time rules it asks for (PROTOCOL.md §9.5); null = none asked. */
  readonly time: AskedTime | null;
  /** An access token (PROTOCOL.md §9.6); "" = none. */
  readonly token: string;
  /** Bot only: its seat ticket (PROTOCOL.md §9.7); null = seated by arrival. */
  readonly seat: number | null;
  /** Bot only: a person plays this seat (PROTOCOL.md §12.2). */
  readonly human: boolean;
}

/** Time rules as a Hello asks them: an absent field takes the room's or the broker's value. */
export interface AskedTime {
  readonly moveMs?: number;
  readonly firstMoveMs?: number;
  readonly bankMs?: number;
  readonly onMiss?: "end" | "skip";
}

/** Time rules in force (every field set). 0 ms = no deadline. */
export interface TimeRules {
  readonly moveMs: number;
  readonly firstMoveMs: number;
  readonly bankMs: number;
  readonly onMiss: "end" | "skip";
}

export interface Welcome {
  readonly brokerVersion: string;
  readonly features: readonly string[];
  readonly room: string;
  readonly queuePosition: number;
  readonly bots: number;
  /** A game's time rules, when it asked for "timing"; else null. */
  readonly time?: TimeRules | null;
}

/** proto/arena.proto, parsed once (also used by timing.ts). */
export const arenaRoot = protobuf.parse(schema, { keepCase: true }).root;
const root = arenaRoot;
const HelloType = root.lookupType("bitbroker.arena.Hello");
const WelcomeType = root.lookupType("bitbroker.arena.Welcome");

interface TimeFields {
  move_ms?: number;
  first_move_ms?: number;
  bank_ms?: number;
  on_miss?: number;
}

interface HelloFields {
  room?: string;
  client?: string;
  client_version?: string;
  features?: string[];
  bots?: number;
  time?: TimeFields;
  token?: string;
  seat?: number;
  human?: boolean;
}

interface WelcomeFields {
  broker_version?: string;
  features?: string[];
  room?: string;
  queue_position?: number;
  bots?: number;
  time?: TimeFields;
}

const MISS = { end: 1, skip: 2 } as const;

function timeFields(t: AskedTime): TimeFields {
  const f: TimeFields = {};
  if (t.moveMs !== undefined) f.move_ms = t.moveMs;
  if (t.firstMoveMs !== undefined) f.first_move_ms = t.firstMoveMs;
  if (t.bankMs !== undefined) f.bank_ms = t.bankMs;
  if (t.onMiss !== undefined) f.on_miss = MISS[t.onMiss];
  return f;
}

function askedTime(f: TimeFields): AskedTime {
  return {
    ...(f.move_ms !== undefined ? { moveMs: f.move_ms } : {}),
    ...(f.first_move_ms !== undefined ? { firstMoveMs: f.first_move_ms } : {}),
    ...(f.bank_ms !== undefined ? { bankMs: f.bank_ms } : {}),
    ...(f.on_miss === 1 ? { onMiss: "end" as const } : f.on_miss === 2 ? { onMiss: "skip" as const } : {}),
  };
}

export const EMPTY_HELLO: Hello = { room: "", client: "", clientVersion: "", features: [], bots: 0, time: null, token: "", seat: null, human: false };

export function encodeHello(h: Partial<Hello>): Uint8Array {
  const fields: HelloFields = {
    room: h.room ?? "",
    client: h.client ?? "",
    client_version: h.clientVersion ?? "",
    features: [...(h.features ?? [])],
    bots: h.bots ?? 0,
    token: h.token ?? "",
  };
  if (h.time) fields.time = timeFields(h.time);
  if (h.seat !== undefined && h.seat !== null) fields.seat = h.seat;
  if (h.human) fields.human = true;
  return HelloType.encode(HelloType.create(fields)).finish();
}

/** A hello's body: null when empty (a v1 client). Throws ProtocolError("bad_protobuf"). */
export function decodeHello(body: Uint8Array): Hello | null {
  if (body.length === 0) return null;
  const f = decodeOrThrow(() => HelloType.toObject(HelloType.decode(body), { arrays: true }) as HelloFields, "Hello");
  return {
    room: f.room ?? "",
    client: f.client ?? "",
    clientVersion: f.client_version ?? "",
    features: f.features ?? [],
    bots: f.bots ?? 0,
    time: f.time ? askedTime(f.time) : null,
    token: f.token ?? "",
    seat: f.seat ?? null,
    human: f.human ?? false,
  };
}

export function encodeWelcome(w: Welcome): Uint8Array {
  const fields: WelcomeFields = {
    broker_version: w.brokerVersion,
    features: [...w.features],
    room: w.room,
    queue_position: w.queuePosition,
    bots: w.bots,
  };
  if (w.time) fields.time = timeFields(w.time);
  return WelcomeType.encode(WelcomeType.create(fields)).finish();
}

export function decodeWelcome(body: Uint8Array): Welcome {
  const f = decodeOrThrow(() => WelcomeType.toObject(WelcomeType.decode(body), { arrays: true }) as WelcomeFields, "Welcome");
  return {
    brokerVersion: f.broker_version ?? "",
    features: f.features ?? [],
    room: f.room ?? "",
    queuePosition: f.queue_position ?? 0,
    bots: f.bots ?? 0,
    time: f.time ? (askedTime(f.time) as TimeRules) : null,
  };
}

/** Broker → client: the Welcome (00 03), first line to a client that sent a Hello. */
export function welcome(w: Welcome): Message {
  return message(Opcode.control, Control.welcome, encodeWelcome(w));
}

/** A match's result (PROTOCOL.md §9.4): per bot index a score and/or a rank, and a summary. */
export interface MatchResult {
  readonly seats: ReadonlyArray<{ readonly index: number; readonly score?: number; readonly rank?: number }>;
  readonly summary: string;
}

const ResultType = root.lookupType("bitbroker.arena.MatchResult");
const SUMMARY_MAX = 256;

export function encodeResult(r: MatchResult): Uint8Array {
  return ResultType.encode(ResultType.create({ seats: r.seats.map((s) => ({ ...s })), summary: r.summary })).finish();
}

/**
 * A game's result, checked against the match's `bots` (indices in range, each once, a score
 * that is a finite number, a summary of at most 256 characters). Throws ProtocolError.
 */
export function decodeResult(body: Uint8Array, bots: number): MatchResult {
  const raw = decodeOrThrow(() => ResultType.toObject(ResultType.decode(body), { arrays: true }), "MatchResult") as {
    seats: Array<{ index?: number; score?: number; rank?: number }>;
    summary?: string;
  };
  const seen = new Set<number>();
  const seats = raw.seats.map((s) => {
    const index = s.index ?? 0;
    if (index >= bots) throw new ProtocolError("bad_protobuf", `MatchResult names bot ${index}; bots are 0..${bots - 1}`);
    if (seen.has(index)) throw new ProtocolError("bad_protobuf", `MatchResult names bot ${index} twice`);
    seen.add(index);
    if (s.score !== undefined && !Number.isFinite(s.score)) throw new ProtocolError("bad_protobuf", `MatchResult gives bot ${index} the score ${s.score}`);
    return { index, ...(s.score !== undefined ? { score: s.score } : {}), ...(s.rank !== undefined ? { rank: s.rank } : {}) };
  });
  const summary = raw.summary ?? "";
  if (summary.length > SUMMARY_MAX) throw new ProtocolError("bad_protobuf", `MatchResult summary of ${summary.length} characters; at most ${SUMMARY_MAX}`);
  return { seats: seats.sort((a, b) => a.index - b.index), summary };
}
