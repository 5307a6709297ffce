// Errors the SDK raises for the broker's side of a session: each carries a stable `code`.
// Errors thrown by the user's own bot or game code are never wrapped: they reach the caller as-is.

/** Why a session with the broker failed. Match on `code`, never on the message text. */
export type SdkErrorCode =
  /** The first connect kept failing until `connectTimeoutMs` ran out. */
  | "connect_failed"
  /** The broker ended the match abnormally: `00 FF` with a reason (PROTOCOL.md §6). */
  | "match_aborted"
  /** The connection closed before the match ended. */
  | "connection_lost"
  /** The broker sent bytes that are not valid v1 (PROTOCOL.md §7). */
  | "protocol"
  /** The broker sent a valid message that makes no sense at this point of the session. */
  | "unexpected_message"
  /** The caller's AbortSignal fired. */
  | "aborted";

/** An error from the broker's side of a session (not from the user's code). */
export class SdkError extends Error {
  /**
   * @param code stable reason code.
   * @param message readable description.
   * @param reason for `match_aborted`: the broker's reason, as sent in the body of `00 FF`.
   */
  constructor(
    readonly code: SdkErrorCode,
    message: string,
    readonly reason = "",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "SdkError";
  }
}

/** True when `e` is the SDK's report of an abnormal match end (the broker's `00 FF` + reason). */
export function isMatchAborted(e: unknown): e is SdkError {
  return e instanceof SdkError && e.code === "match_aborted";
}
