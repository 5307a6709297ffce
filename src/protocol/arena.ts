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
}

export interface Welcome {
  readonly brokerVersion: string;
  readonly features: readonly string[];
  readonly room: string;
  readonly queuePosition: number;
  readonly bots: number;
}

const root = protobuf.parse(schema, { keepCase: true }).root;
const HelloType = root.lookupType("bitbroker.arena.Hello");
const WelcomeType = root.lookupType("bitbroker.arena.Welcome");

interface HelloFields {
  room?: string;
  client?: string;
  client_version?: string;
  features?: string[];
  bots?: number;
}

interface WelcomeFields {
  broker_version?: string;
  features?: string[];
  room?: string;
  queue_position?: number;
  bots?: number;
}

export const EMPTY_HELLO: Hello = { room: "", client: "", clientVersion: "", features: [], bots: 0 };

export function encodeHello(h: Partial<Hello>): Uint8Array {
  const fields: HelloFields = {
    room: h.room ?? "",
    client: h.client ?? "",
    client_version: h.clientVersion ?? "",
    features: [...(h.features ?? [])],
    bots: h.bots ?? 0,
  };
  return HelloType.encode(HelloType.create(fields)).finish();
}

/** A hello's body: null when empty (a v1 client). Throws ProtocolError("bad_protobuf"). */
export function decodeHello(body: Uint8Array): Hello | null {
  if (body.length === 0) return null;
  const f = decodeOrThrow(() => HelloType.toObject(HelloType.decode(body), { arrays: true }) as HelloFields, "Hello");
  return { room: f.room ?? "", client: f.client ?? "", clientVersion: f.client_version ?? "", features: f.features ?? [], bots: f.bots ?? 0 };
}

export function encodeWelcome(w: Welcome): Uint8Array {
  const fields: WelcomeFields = {
    broker_version: w.brokerVersion,
    features: [...w.features],
    room: w.room,
    queue_position: w.queuePosition,
    bots: w.bots,
  };
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
