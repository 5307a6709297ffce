//! The one error type of the crate: every way a bot or game session can fail, with a stable
//! `code()`. Keeps the original crate's five variants (same payloads) so its users' matches compile.
use std::{error, fmt, io};

use base64::DecodeError as Base64DecodeError;
use prost::DecodeError as ProstDecodeError;

use crate::BitBrokerMessage;

/// Everything that can go wrong talking to the broker.
///
/// The first five variants are those of the original crate, with the same payloads. The others
/// are new: the original panicked or hung in those cases.
#[derive(Debug)]
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
    /// The broker ended the match abnormally: `00 FF` with a reason (PROTOCOL.md §6).
    ///
    /// A normal end (`00 FF` with an empty body) is not an error: `run_bot` and `run_game`
    /// return `Ok(())` for it.
    MatchAborted(String),
}

impl Error {
    /// A stable, machine-readable name for the kind of error; match on this, never on the text.
    /// The three decoding codes are those of `test/vectors/v1.json`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io(_) => "io",
            Self::DecodeError(_) => "bad_base64",
            Self::UnexpectedOperation(_) => "unexpected_operation",
            Self::BrokerError(_) => "broker_error",
            Self::ProstError(_) => "bad_protobuf",
            Self::Connect { .. } => "connect_failed",
            Self::ConnectionClosed => "connection_closed",
            Self::ShortEnvelope { .. } => "short_envelope",
            Self::UnknownOpcode(_) => "unknown_opcode",
            Self::LineTooLong { .. } => "line_too_long",
            Self::MatchAborted(_) => "match_aborted",
        }
    }

    /// The broker's reason if the match was ended abnormally, else `None`.
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
            Self::MatchAborted(reason) => {
                write!(f, "the broker ended the match abnormally: {reason}")
            }
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
