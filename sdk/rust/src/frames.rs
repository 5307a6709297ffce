//! v2 binary frames (PROTOCOL.md §11): `[length: u32 big-endian][envelope]`, and the `Welcome`
//! that switches a connection to them. Pure: bytes in, values out; the reads are in
//! `connection.rs`.
use prost::Message as _;

use crate::proto::Welcome;
use crate::{BitBrokerMessage, Error, Result};

/// Bytes of a frame's header: the envelope's length.
pub(crate) const HEADER_BYTES: usize = 4;
/// The feature a client asks for in its `Hello` (§9.3).
pub(crate) const FEATURE: &str = "frames";

/// The largest envelope a frame may carry under a v1 line limit: the same messages fit either
/// way (12 MiB for the broker's 16 MiB).
pub(crate) fn envelope_bytes_max(line_bytes_max: usize) -> usize {
    line_bytes_max / 4 * 3
}

/// A frame's envelope length from its header; `FrameTooLong` (code `line_too_long`) over `max`:
/// refused as soon as the header is known, never buffered whole.
pub(crate) fn length_of(header: [u8; HEADER_BYTES], max: usize) -> Result<usize> {
    let length = u32::from_be_bytes(header) as usize;
    if length > max {
        return Err(Error::FrameTooLong { length, limit: max });
    }
    Ok(length)
}

/// The header of a frame carrying `envelope_len` bytes: the length, big-endian.
pub(crate) fn header_of(envelope_len: usize) -> [u8; HEADER_BYTES] {
    // An envelope longer than u32::MAX cannot be framed; the broker's limit is far below it.
    u32::try_from(envelope_len)
        .unwrap_or(u32::MAX)
        .to_be_bytes()
}

/// The frame of an envelope: its header, then its bytes (the connection writes the two parts
/// without joining them).
#[cfg(test)]
pub(crate) fn frame_of(envelope: &[u8]) -> Vec<u8> {
    [header_of(envelope.len()).as_slice(), envelope].concat()
}

/// A `Welcome` (`00 03`) whose features include `frames`. A body that does not decode is not a
/// grant: the session reports it (`bad_protobuf`).
pub(crate) fn grants_frames(message: &BitBrokerMessage) -> bool {
    message.codes() == (&0x00, &0x03)
        && Welcome::decode(message.body()).is_ok_and(|w| w.features.iter().any(|f| f == FEATURE))
}

#[cfg(test)]
#[path = "frames_tests.rs"]
mod tests;
