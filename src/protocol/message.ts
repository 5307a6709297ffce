// The v1 envelope: [opcode u8][operand u8][body]. Pure codec; no sockets, no clocks.
// Every code below is documented with its bytes in docs/PROTOCOL.md §3.
import { toBase64, writeBase64Group } from "./base64.ts";
import { LineMessage } from "./line-message.ts";
import { ProtocolError } from "./errors.ts";

export interface Message {
  readonly opcode: number;
  readonly operand: number;
  readonly body: Uint8Array;
  /**
   * The line (base64 + "\n") this message arrived as, when it was decoded from one. Relaying
   * writes it as it came instead of encoding the body again (docs/PROTOCOL.md §3).
   */
  readonly wire?: Uint8Array;
  /** The v2 frame (header + envelope) this message arrived as, when it was decoded from one (PROTOCOL.md §11). */
  readonly frame?: Uint8Array;
  /**
   * The envelope bytes this message was decoded from (a WebSocket message, or a line's decoded
   * base64): a WebSocket relay sends them as they came (PROTOCOL.md §12).
   */
  readonly envelope?: Uint8Array;
}

/** Opcodes a v1 peer may send; anything else is `unknown_opcode` (PROTOCOL.md §3). */
export const Opcode = { control: 0x00, trigger: 0x01, move: 0x02 } as const;

/** Operands of opcode 0x00. */
export const Control = {
  gameHello: 0x01,
  botHello: 0x02,
  /** Ours (PROTOCOL.md §9): broker → a client that sent a Hello. */
  welcome: 0x03,
  /** Ours (PROTOCOL.md §9.5): broker → a bot that asked for "timing", before each state. */
  moveTiming: 0x30,
  /** Ours (PROTOCOL.md §9.5): broker → a game that asked for "timing", under SKIP, in place of a reply. */
  moveMissed: 0x31,
  /** Ours (PROTOCOL.md §9): broker → a bot that asked for "results", just before its 00 FF. */
  result: 0x32,
  batch: 0x11,
  botName: 0x22,
  endGame: 0xfe,
  end: 0xff,
} as const;

/** PROTOCOL.md §3: the operand of "your move" is any non-zero byte; the original sends 5. */
export const MOVE_OPERAND_TO_BOT = 0x05;

const EMPTY = new Uint8Array(0);

export function message(opcode: number, operand: number, body: Uint8Array = EMPTY): Message {
  return { opcode, operand, body };
}

export const gameHello = (): Message => message(Opcode.control, Control.gameHello);
export const botHello = (): Message => message(Opcode.control, Control.botHello);
/** The trigger carries its line, encoded once: it goes out after every turn. */
const TRIGGER: Message = {
  opcode: Opcode.trigger,
  operand: 0x00,
  body: EMPTY,
  wire: new TextEncoder().encode(`${toBase64(new Uint8Array([Opcode.trigger, 0x00]))}\n`),
  envelope: new Uint8Array([Opcode.trigger, 0x00]),
};
export const trigger = (): Message => TRIGGER;
export const endGame = (): Message => message(Opcode.control, Control.endGame);
/** End of match. A non-empty body is the broker's reason for an abnormal end (PROTOCOL.md §6). */
export const end = (reason = ""): Message =>
  message(Opcode.control, Control.end, reason === "" ? EMPTY : new TextEncoder().encode(reason));
/** Game → broker: ask bot `index` to move on `state`. */
export const askBot = (index: number, state: Uint8Array): Message => message(Opcode.trigger, index, state);
/** Broker → bot: "your move" on `state`. */
export const yourMove = (state: Uint8Array): Message => message(Opcode.move, MOVE_OPERAND_TO_BOT, state);

/**
 * The same body under other codes. Consumes `m`: its wire line is rewritten in place. The codes
 * and the first body byte make the first base64 group, so only the line's first 4 characters
 * change; the rest of a state of any size goes out as it came.
 */
export function retag(m: Message, opcode: number, operand: number): Message {
  if (m.frame) {
    // A v2 frame: the codes are bytes 4 and 5 after the length.
    m.frame[4] = opcode;
    m.frame[5] = operand;
    return { opcode, operand, body: m.body, frame: m.frame };
  }
  const envelope = m.envelope;
  if (envelope) {
    envelope[0] = opcode;
    envelope[1] = operand;
  }
  if (!m.wire) return envelope ? { opcode, operand, body: m.body, envelope } : message(opcode, operand, m.body);
  if (m instanceof LineMessage) {
    // A long line read by the relay: its body stays undecoded.
    writeBase64Group(m.wire, 0, opcode, operand, m.firstBodyByte);
    return m.retagged(opcode, operand);
  }
  writeBase64Group(m.wire, 0, opcode, operand, m.body.length > 0 ? m.body[0]! : -1);
  return envelope ? { opcode, operand, body: m.body, wire: m.wire, envelope } : { opcode, operand, body: m.body, wire: m.wire };
}
/** Bot → broker → game: the bot's reply. */
export const reply = (body: Uint8Array): Message => message(Opcode.move, 0x00, body);

export function isCode(m: Message, opcode: number, operand: number): boolean {
  return m.opcode === opcode && m.operand === operand;
}

/** Raw envelope bytes of a message. */
export function encodeEnvelope(m: Message): Uint8Array {
  const out = new Uint8Array(2 + m.body.length);
  out[0] = m.opcode;
  out[1] = m.operand;
  out.set(m.body, 2);
  return out;
}

/** The envelope's bytes: the ones it arrived as (a WebSocket message, a line, a frame) when it has them, else encoded. */
export function envelopeBytes(m: Message): Uint8Array {
  return m.envelope ?? (m.frame ? m.frame.subarray(4) : encodeEnvelope(m));
}

/**
 * Parses raw envelope bytes (and keeps the line they came in); the body is a view. With `keep`,
 * the message keeps `bytes` as its `envelope` (they must be its own: a relay rewrites its codes
 * in place). Throws ProtocolError.
 */
export function decodeEnvelope(bytes: Uint8Array, wire?: Uint8Array, keep = false): Message {
  checkEnvelope(bytes, 0);
  const opcode = bytes[0]!;
  const body = bytes.subarray(2);
  if (keep) return wire ? { opcode, operand: bytes[1]!, body, wire, envelope: bytes } : { opcode, operand: bytes[1]!, body, envelope: bytes };
  return wire ? { opcode, operand: bytes[1]!, body, wire } : { opcode, operand: bytes[1]!, body };
}

/**
 * As `decodeEnvelope` of bytes[start, end) with a line, in one object of one shape (the relay's
 * hot path; no `envelope`: a WebSocket destination encodes it from the codes and body).
 */
export function envelopeOf(bytes: Uint8Array, start: number, end: number, wire: Uint8Array): Message {
  checkEnvelope(bytes, start, end);
  return { opcode: bytes[start]!, operand: bytes[start + 1]!, body: bytes.subarray(start + 2, end), wire };
}

/** PROTOCOL.md §3: the envelope from bytes[start] has at least the two codes, and an opcode v1 knows. Throws ProtocolError. */
export function checkEnvelope(bytes: Uint8Array, start: number, end = bytes.length): void {
  const length = end - start;
  if (length < 2) {
    throw new ProtocolError("short_envelope", `envelope of ${length} byte(s); at least 2 needed`);
  }
  if (bytes[start]! > Opcode.move) {
    throw new ProtocolError("unknown_opcode", `opcode 0x${hex(bytes[start]!)}`);
  }
}

export function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}

/** "00 FF" style name of a message's codes, for logs and errors. */
export function codes(m: Message): string {
  return `${hex(m.opcode)} ${hex(m.operand)}`;
}
