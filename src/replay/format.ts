// The replay file format, version 1 (docs/REPLAY.md): a header, then one record per message of
// the match, then an end record; every part carries a CRC-32. Its types and the encoding (records
// → bytes); decode.ts reads them back. No files, no sockets.

export const MAGIC = new TextEncoder().encode("BBREPLAY");
export const FORMAT_VERSION = 1;
/** Record tags. */
export const Tag = { in: 0x01, out: 0x02, end: 0x03 } as const;
/** On an in/out tag: the body is the previous message record's (a relayed state or reply), not repeated. */
export const SAME_BODY = 0x10;
/** A header or end record larger than this is damage, not data. */
export const JSON_BYTES_MAX = 1 << 20;
/** No message is larger than the broker's largest line allows (1 GiB of base64). */
export const BODY_BYTES_MAX = 768 * (1 << 20);

export interface ReplayClient {
  readonly peer: string;
  readonly client: string;
  readonly clientVersion: string;
}

export interface ReplayHeader {
  readonly matchId: string;
  readonly room: string;
  readonly brokerVersion: string;
  readonly instanceId: string;
  /** ISO 8601, the broker's wall clock when the match started. */
  readonly startedAt: string;
  readonly game: ReplayClient;
  readonly seats: ReadonlyArray<ReplayClient & { readonly index: number; readonly name: string }>;
}

export interface ReplayMessage {
  readonly kind: "message";
  /** `in`: to the broker; `out`: from the broker. */
  readonly dir: "in" | "out";
  /** -1 the game, else the bot's index. */
  readonly party: number;
  /** Microseconds since the match started. */
  readonly atUs: number;
  readonly opcode: number;
  readonly operand: number;
  readonly body: Uint8Array;
}

export interface ReplayEnd {
  readonly kind: "end";
  readonly atUs: number;
  /** "normal" or a reason code (PROTOCOL.md §6.1); turns, bytes relayed, result. */
  readonly info: {
    readonly code: string;
    readonly reason: string;
    readonly turns: number;
    readonly bytesRelayed: number;
    readonly endedAt: string;
    readonly result: unknown;
  };
}

export type ReplayRecord = ReplayMessage | ReplayEnd;

export type ReplayErrorCode = "bad_magic" | "unsupported_version" | "bad_header" | "checksum" | "bad_record" | "truncated" | "after_end";

export class ReplayError extends Error {
  constructor(
    readonly code: ReplayErrorCode,
    message: string,
    /** Byte offset in the file where the problem is. */
    readonly offset: number,
  ) {
    super(message);
  }
}

// ---- encoding ---------------------------------------------------------------------------

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function putVarint(buf: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

export function putU32(buf: Uint8Array, at: number, n: number): number {
  buf[at] = n & 0xff;
  buf[at + 1] = (n >>> 8) & 0xff;
  buf[at + 2] = (n >>> 16) & 0xff;
  buf[at + 3] = (n >>> 24) & 0xff;
  return at + 4;
}

export const crc32 = (bytes: Uint8Array): number => Bun.hash.crc32(bytes) >>> 0;

/** The file's start: magic, version, header length, header (JSON), its CRC-32. */
export function encodeHeader(h: ReplayHeader): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ format: FORMAT_VERSION, ...h }));
  const out = new Uint8Array(MAGIC.length + 1 + 4 + json.length + 4);
  out.set(MAGIC);
  let at = MAGIC.length;
  out[at++] = FORMAT_VERSION;
  at = putU32(out, at, json.length);
  out.set(json, at);
  putU32(out, at + json.length, crc32(json));
  return out;
}

/** Bytes a message record takes (`sameBody`: its body is the previous record's, not written). */
export function messageRecordLength(party: number, atUs: number, bodyLength: number, sameBody = false): number {
  const body = sameBody ? 0 : varintLength(bodyLength) + bodyLength;
  return 1 + varintLength(party + 1) + varintLength(atUs) + 2 + body + 4;
}

/** Bytes of a message record before its body (tag … body_len). */
export function messageHeadLength(party: number, atUs: number, bodyLength: number): number {
  return messageRecordLength(party, atUs, bodyLength) - bodyLength - 4;
}

/**
 * Writes a record's bytes before its body into `buf` at `at`; returns the end. The caller adds the
 * body and then `putU32(crc32 of head and body)`: a large body need not be copied (writer.ts).
 */
export function putMessageHead(buf: Uint8Array, at: number, m: Omit<ReplayMessage, "kind">, sameBody = false): number {
  buf[at++] = (m.dir === "in" ? Tag.in : Tag.out) | (sameBody ? SAME_BODY : 0);
  at = putVarint(buf, at, m.party + 1);
  at = putVarint(buf, at, m.atUs);
  buf[at++] = m.opcode;
  buf[at++] = m.operand;
  return sameBody ? at : putVarint(buf, at, m.body.length);
}

/** Writes a message record into `buf` at `at` (room checked by the caller); returns the end. */
export function putMessageRecord(buf: Uint8Array, at: number, m: Omit<ReplayMessage, "kind">, sameBody = false): number {
  const start = at;
  at = putMessageHead(buf, at, m, sameBody);
  if (!sameBody) {
    buf.set(m.body, at);
    at += m.body.length;
  }
  return putU32(buf, at, crc32(buf.subarray(start, at)));
}

export function encodeMessageRecord(m: Omit<ReplayMessage, "kind">, sameBody = false): Uint8Array {
  const buf = new Uint8Array(messageRecordLength(m.party, m.atUs, m.body.length, sameBody));
  putMessageRecord(buf, 0, m, sameBody);
  return buf;
}

export function encodeEndRecord(atUs: number, info: ReplayEnd["info"]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(info));
  const buf = new Uint8Array(1 + varintLength(atUs) + varintLength(json.length) + json.length + 4);
  let at = 0;
  buf[at++] = Tag.end;
  at = putVarint(buf, at, atUs);
  at = putVarint(buf, at, json.length);
  buf.set(json, at);
  at += json.length;
  putU32(buf, at, crc32(buf.subarray(0, at)));
  return buf;
}
