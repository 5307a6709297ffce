// Protocol errors: bytes that break v1 framing or the envelope. Pure; carries a stable code.
// A ProtocolError closes the offending connection only (docs/PROTOCOL.md §7).

export type ProtocolErrorCode =
  | "line_too_long"
  | "bad_base64"
  | "short_envelope"
  | "unknown_opcode"
  | "bad_protobuf"
  /** A WebSocket text message: envelopes travel in binary messages (PROTOCOL.md §12). */
  | "text_frame";

export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = "ProtocolError";
  }
}

/** Runs a protobuf decode; any failure becomes ProtocolError("bad_protobuf") naming `what`. */
export function decodeOrThrow<T>(decode: () => T, what: string): T {
  try {
    return decode();
  } catch (e) {
    throw new ProtocolError("bad_protobuf", `${what} is not a valid protobuf: ${(e as Error).message}`);
  }
}
