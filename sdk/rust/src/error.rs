//! The one error type of the crate: every way a bot or game session can fail, with a stable
//! `code()` (PROTOCOL.md §10). Keeps the original crate's five variants (same payloads) so its
//! users' matches compile. Pure; the reason codes are in `reasons.rs`.
use std::time::Duration;
use std::{error, fmt, io};

use base64::DecodeError as Base64DecodeError;
use prost::DecodeError as ProstDecodeError;

use crate::reasons::{reason_code_of, REFUSAL_CODES, SHUTDOWN_CODES};
use crate::BitBrokerMessage;

/// Everything that can go wrong talking to the broker.
///
/// The first five variants are those of the original crate, with the same payloads. The others
/// are new: the original panicked or hung in those cases. `Debug` prints the same readable text
/// as `Display` (what `fn main() -> Result<(), bitbroker::Error>` shows on an error); `{:#?}`
/// adds the code and the source.
#[non_exhaustive]
pub enum Error {
    /// Reading from or writing to the socket failed (after the connection was made).
    Io(io::Error),
    /// A line was not canonical, padded, standard base64 (PROTOCOL.md §2).
    DecodeError(Base64DecodeError),
    /// A message whose `(opcode, operand)` makes no sense at this point of the session.
    UnexpectedOperation((u8, u8)),
    /// Kept from the original crate for source compatibility; this crate never returns it.
    BrokerError(&'static str),
    /// A protobuf body (the bot batch) did not decode.
    ProstError(ProstDecodeError),
    /// The broker could not be reached, even after retrying.
    Connect {
        /// The `host:port` tried.
        address: String,
        /// How many connection attempts were made.
        attempts: u32,
        /// The error of the last attempt.
        source: io::Error,
    },
    /// The broker closed the connection without ending the match with `00 FF`.
    ConnectionClosed,
    /// A line decoded to fewer than the two bytes of opcode and operand (PROTOCOL.md §3).
    ShortEnvelope {
        /// How many bytes the envelope had (0 or 1).
        len: usize,
    },
    /// An opcode above `02`, which protocol v1 does not have (PROTOCOL.md §3).
    UnknownOpcode(u8),
    /// A line longer than the configured limit arrived; it was not buffered whole.
    LineTooLong {
        /// The limit, in bytes of base64 text.
        limit: usize,
    },
    /// A v2 frame longer than the configured limit was announced (PROTOCOL.md §11): refused
    /// as soon as its header was read. Its code is `line_too_long`, as for a line.
    FrameTooLong {
        /// The envelope length its header announced.
        length: usize,
        /// The limit, in bytes of envelope (¾ of the line limit).
        limit: usize,
    },
    /// The broker ended the match abnormally: `00 FF` with the whole reason (PROTOCOL.md §6.1)
    /// whose code is a match end, is unknown, or is missing; or, for a game, an empty `00 FF`
    /// before its own `00 FE` (the reason is then "").
    ///
    /// A normal end (`00 FF` with an empty body) is not an error: `run_bot` and `run_game`
    /// return `Ok(())` for it.
    MatchAborted(String),
    /// The broker turned this client away before a match: `00 FF` with the whole reason, whose
    /// code is a refusal (`lobby_full`, `bad_handshake`, `unknown_room`, …).
    Refused(String),
    /// The broker is shutting down or has played all its matches: `00 FF` with the whole reason
    /// (code `broker_shutdown` or `broker_finished`).
    BrokerShutdown(String),
    /// No message from the broker within `ConnectOptions::read_timeout` (none by default).
    ReadTimeout(Duration),
}

impl Error {
    /// The error for `00 FF` with this reason, of the kind its code says (PROTOCOL.md §6.1, §10):
    /// `Refused`, `BrokerShutdown`, or `MatchAborted` (match ends, unknown codes, no code).
    pub fn from_reason(reason: impl Into<String>) -> Self {
        let reason = reason.into();
        let code = reason_code_of(&reason);
        if REFUSAL_CODES.contains(&code) {
            Self::Refused(reason)
        } else if SHUTDOWN_CODES.contains(&code) {
            Self::BrokerShutdown(reason)
        } else {
            Self::MatchAborted(reason)
        }
    }

    /// A stable, machine-readable name for the kind of error (PROTOCOL.md §10, the same in every
    /// SDK); match on this, never on the text.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io(_) | Self::ConnectionClosed => "connection_lost",
            Self::DecodeError(_) => "bad_base64",
            Self::UnexpectedOperation(_) => "unexpected_message",
            // Never returned by this crate; in the original it was the broker failing a match.
            Self::BrokerError(_) => "match_aborted",
            Self::ProstError(_) => "bad_protobuf",
            Self::Connect { .. } => "connect_failed",
            Self::ShortEnvelope { .. } => "short_envelope",
            Self::UnknownOpcode(_) => "unknown_opcode",
            Self::LineTooLong { .. } | Self::FrameTooLong { .. } => "line_too_long",
            Self::MatchAborted(_) => "match_aborted",
            Self::Refused(_) => "refused",
            Self::BrokerShutdown(_) => "broker_shutdown",
            Self::ReadTimeout(_) => "read_timeout",
        }
    }

    /// The whole reason of a `00 FF` that ended the session (`MatchAborted`, `Refused`,
    /// `BrokerShutdown`), else `None`.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::MatchAborted(reason) | Self::Refused(reason) | Self::BrokerShutdown(reason) => {
                Some(reason)
            }
            _ => None,
        }
    }

    /// The code of that reason (`bot_disconnected` in `"bot_disconnected: bot 1 (B) left"`),
    /// `Some("")` if the reason has none, `None` for errors that are not a `00 FF`.
    pub fn reason_code(&self) -> Option<&str> {
        self.reason().map(reason_code_of)
    }

    /// The broker's reason if the match was ended abnormally (`MatchAborted` only), else `None`.
    pub fn abort_reason(&self) -> Option<&str> {
        match self {
            Self::MatchAborted(reason) => Some(reason),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(err) => write!(f, "I/O error on the broker connection: {err}"),
            Self::DecodeError(err) => {
                write!(f, "a line from the broker is not valid base64: {err}")
            }
            Self::UnexpectedOperation((opcode, operand)) => {
                write!(
                    f,
                    "unexpected message {opcode:02X} {operand:02X} from the broker"
                )
            }
            Self::BrokerError(msg) => write!(f, "broker error: {msg}"),
            Self::ProstError(err) => {
                write!(f, "a protobuf body from the broker did not decode: {err}")
            }
            Self::Connect {
                address,
                attempts,
                source,
            } => {
                let tries = if *attempts == 1 {
                    "attempt"
                } else {
                    "attempts"
                };
                write!(
                    f,
                    "could not connect to the broker at {address} ({attempts} {tries}): {source}"
                )
            }
            Self::ConnectionClosed => {
                write!(f, "the broker closed the connection before the match ended")
            }
            Self::ShortEnvelope { len } => {
                write!(
                    f,
                    "a message of {len} byte(s) from the broker: opcode and operand need 2"
                )
            }
            Self::UnknownOpcode(opcode) => write!(
                f,
                "unknown opcode {opcode:02X} from the broker (v1 has 00-02)"
            ),
            Self::LineTooLong { limit } => {
                write!(f, "a line from the broker is longer than {limit} bytes")
            }
            Self::FrameTooLong { length, limit } => write!(
                f,
                "a frame from the broker announces {length} bytes; at most {limit}"
            ),
            Self::MatchAborted(reason) if reason.is_empty() => write!(
                f,
                "the broker ended the match before the game ended it (no reason given)"
            ),
            Self::MatchAborted(reason) => {
                write!(f, "the broker ended the match abnormally: {reason}")
            }
            Self::Refused(reason) => write!(f, "the broker refused this client: {reason}"),
            Self::BrokerShutdown(reason) => write!(f, "the broker is shutting down: {reason}"),
            Self::ReadTimeout(timeout) => write!(
                f,
                "no message from the broker within the read timeout of {timeout:?}"
            ),
        }
    }
}

/// The `Display` text, so `fn main() -> Result<(), bitbroker::Error>` prints a readable line;
/// `{:#?}` shows the code, the text and the source.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.debug_struct("Error")
                .field("code", &self.code())
                .field("message", &self.to_string())
                .field("source", &error::Error::source(self))
                .finish()
        } else {
            fmt::Display::fmt(self, f)
        }
    }
}

impl error::Error for Error {
    fn source(&self) -> Option<&(dyn error::Error + 'static)> {
        match self {
            Self::Io(err) => Some(err),
            Self::DecodeError(err) => Some(err),
            Self::ProstError(err) => Some(err),
            Self::Connect { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(value: io::Error) -> Self {
        Self::Io(value)
    }
}

impl From<Base64DecodeError> for Error {
    fn from(value: Base64DecodeError) -> Self {
        Self::DecodeError(value)
    }
}

impl From<ProstDecodeError> for Error {
    fn from(value: ProstDecodeError) -> Self {
        Self::ProstError(value)
    }
}

/// A message that arrived when it should not have: `UnexpectedOperation` with its codes.
impl From<BitBrokerMessage> for Error {
    fn from(value: BitBrokerMessage) -> Self {
        let (opcode, operand) = value.codes();
        Self::UnexpectedOperation((*opcode, *operand))
    }
}
