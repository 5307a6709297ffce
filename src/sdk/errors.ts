// Errors the SDK raises for the broker's side of a session: each carries a stable `code`
// (docs/PROTOCOL.md §10, the same in the Python and Rust SDKs). Errors thrown by the user's own
// bot or game code are never wrapped: they reach the caller as-is.
import { parseReason, type ProtocolErrorCode } from "../protocol/index.ts";

/** Why a session with the broker failed. Match on `code`, never on the message text. */
export type SdkErrorCode =
  /** The first connect kept failing until `connectTimeoutMs` ran out. */
  | "connect_failed"
  /** The connection closed or broke before the match ended with 00 FF. */
  | "connection_lost"
  /** No message from the broker within `readTimeoutMs` (none by default). */
  | "read_timeout"
  /** 00 FF with a match-end reason (PROTOCOL.md §6.1), an unknown one, or none. */
  | "match_aborted"
  /** 00 FF with a refusal: the broker turned this client away before a match. */
  | "refused"
  /** 00 FF with broker_shutdown or broker_finished. */
  | "broker_shutdown"
  /** The broker sent an invalid line, or a protobuf body that does not decode. */
  | ProtocolErrorCode
  /** A valid message that has no meaning in the session's state. */
  | "unexpected_message"
  /** The caller's AbortSignal fired (TypeScript only). */
  | "aborted";

/** An error from the broker's side of a session (not from the user's code). */
export class SdkError extends Error {
  /**
   * @param code stable error code.
   * @param message readable description.
   * @param reason for the errors of a 00 FF: the broker's whole reason text.
   * @param reasonCode for the errors of a 00 FF: the reason's code ("" when it has none).
   */
  constructor(
    readonly code: SdkErrorCode,
    message: string,
    readonly reason = "",
    readonly reasonCode = "",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "SdkError";
  }
}

/** The error for a 00 FF that carries a reason (or an empty one where a normal end is impossible). */
export function endError(reasonText: string): SdkError {
  const r = parseReason(reasonText);
  const what = { match_aborted: "the broker ended the match", refused: "the broker refused this client", broker_shutdown: "the broker is going away" }[r.kind];
  return new SdkError(r.kind, `${what}: ${reasonText || "(no reason given)"}`, reasonText, r.code);
}

/** True when `e` is the SDK's report of an abnormal match end (the broker's `00 FF` + reason). */
export function isMatchAborted(e: unknown): e is SdkError {
  return e instanceof SdkError && e.code === "match_aborted";
}

/** True when the broker turned this client away before a match (queue full, bad hello, ...). */
export function isRefused(e: unknown): e is SdkError {
  return e instanceof SdkError && e.code === "refused";
}

/** True when the broker is shutting down or has played all its matches. */
export function isBrokerShutdown(e: unknown): e is SdkError {
  return e instanceof SdkError && e.code === "broker_shutdown";
}
