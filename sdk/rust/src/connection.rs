//! One connection to the broker: connect (with retry), read and write whole messages as v1
//! lines, then as v2 frames once a `Welcome` grants them (PROTOCOL.md §11). Thin I/O only:
//! decoding is in `message.rs` and `frames.rs`, session rules in `session.rs`.
use std::fmt;
use std::io;
use std::time::Duration;

use base64::prelude::*;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, BufReader};
use tokio::net::TcpStream;

use crate::frames::{self, HEADER_BYTES};
use crate::options::LINE_BYTES_MAX_DEFAULT;
use crate::{BitBrokerMessage, Error, Result};

mod connect;
mod write;

/// Bytes read from the socket at a time (a larger frame is read straight into its buffer).
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// What a connection reads and writes: a TCP stream, or a test's stand-in.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Send + Unpin + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + fmt::Debug> Stream for T {}

/// A connection to the broker that reads and writes whole messages.
#[derive(Debug)]
pub struct Connection {
    buffer: BufReader<Box<dyn Stream>>,
    line_bytes_max: usize,
    read_timeout: Option<Duration>,
    /// The start of a line (or of a frame's envelope) whose read a timeout interrupted: the next
    /// read goes on from here.
    partial: Vec<u8>,
    /// The header of the frame being read, and how much of it has arrived.
    header: [u8; HEADER_BYTES],
    header_len: usize,
    /// This client asked for frames: a `Welcome` that grants them switches the framing.
    frames_asked: bool,
    /// Frames both ways from now on (after a `Welcome` that granted them).
    framed: bool,
    /// Over TLS: what the broker's certificate was verified against, for log lines.
    trusting: Option<String>,
    /// A message's buffer handed back by the session loop (`recycle`), read into next: a large
    /// state per turn then costs no fresh pages.
    spare: Vec<u8>,
}

/// Errors that mean the peer went away: reported as `Error::ConnectionClosed`.
fn closed_or(err: io::Error) -> Error {
    match err.kind() {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => Error::ConnectionClosed,
        _ => Error::Io(err),
    }
}

impl Connection {
    /// `" over TLS, its certificate verified against …"` for log lines, or `""` on plain TCP.
    pub(crate) fn over(&self) -> String {
        let trusting = self.trusting.as_deref();
        trusting
            .map(|t| format!(" over TLS, its certificate verified against {t}"))
            .unwrap_or_default()
    }

    /// True once this connection speaks v2 frames (PROTOCOL.md §11).
    pub fn frames(&self) -> bool {
        self.framed
    }

    /// Wraps any stream (tests feed bytes through one), with the defaults of `From<TcpStream>`.
    pub(crate) fn from_stream(stream: impl Stream + 'static) -> Self {
        Self::from_boxed(Box::new(stream))
    }

    fn from_boxed(stream: Box<dyn Stream>) -> Self {
        Self {
            buffer: BufReader::with_capacity(READ_BUFFER_BYTES, stream),
            line_bytes_max: LINE_BYTES_MAX_DEFAULT,
            read_timeout: None,
            partial: Vec::new(),
            header: [0; HEADER_BYTES],
            header_len: 0,
            frames_asked: true,
            framed: false,
            trusting: None,
            spare: Vec::new(),
        }
    }

    /// Hands back the buffer of a message the session is done with, for the next read.
    pub(crate) fn recycle(&mut self, buffer: Vec<u8>) {
        if buffer.capacity() > self.spare.capacity() {
            self.spare = buffer;
        }
    }

    /// The spare buffer, emptied (or a new one).
    fn take_spare(&mut self) -> Vec<u8> {
        let mut buffer = std::mem::take(&mut self.spare);
        buffer.clear();
        buffer
    }

    /// Sets the line limit (and so the frame limit) of a connection made by `from_stream`.
    #[cfg(test)]
    pub(crate) fn set_line_bytes_max(&mut self, line_bytes_max: usize) {
        self.line_bytes_max = line_bytes_max;
    }

    /// Reads the next message: a line, decoded and checked (PROTOCOL.md §2–3), or once framed a
    /// frame (§11). Errors, never panics: `ConnectionClosed` at end of stream (even mid-message),
    /// `LineTooLong`/`FrameTooLong` before a message over the limit is buffered whole,
    /// `DecodeError`, `ShortEnvelope`, `UnknownOpcode`, and `ReadTimeout` if a read timeout is
    /// set (a later call goes on with the same message).
    pub async fn read_message<T>(&mut self) -> Result<T>
    where
        T: From<Vec<u8>>,
    {
        let read_timeout = self.read_timeout;
        let read = self.next_envelope();
        let envelope = match read_timeout {
            None => read.await,
            Some(limit) => match tokio::time::timeout(limit, read).await {
                Ok(read) => read,
                Err(_) => return Err(Error::ReadTimeout(limit)),
            },
        }?;
        Ok(T::from(envelope))
    }

    /// The next envelope, checked; switches to frames after a `Welcome` that grants them.
    async fn next_envelope(&mut self) -> Result<Vec<u8>> {
        if self.framed {
            let envelope = self.read_frame().await?;
            return Ok(BitBrokerMessage::from(envelope).validate()?.into_bytes());
        }
        let read = self.read_line().await?;
        debug_assert_eq!(read, self.partial.len());
        let mut envelope = self.take_spare();
        let decoded = BASE64_STANDARD.decode_vec(&self.partial, &mut envelope);
        self.partial.clear(); // the line's buffer stays, for the next line
        decoded?;
        let message = BitBrokerMessage::from(envelope).validate()?;
        // §11: every byte after this line's newline is a frame, even within the same read.
        if self.frames_asked && frames::grants_frames(&message) {
            self.framed = true;
        }
        Ok(message.into_bytes())
    }

    /// Reads into `partial` up to and without the next `\n`; returns the line's length.
    async fn read_line(&mut self) -> Result<usize> {
        let limit = self.line_bytes_max;
        loop {
            let room = (limit + 1).saturating_sub(self.partial.len()) as u64;
            let mut capped = (&mut self.buffer).take(room);
            let read = capped
                .read_until(b'\n', &mut self.partial)
                .await
                .map_err(closed_or)?;
            if self.partial.last() == Some(&b'\n') {
                self.partial.pop();
                return Ok(self.partial.len());
            }
            if self.partial.len() > limit {
                return Err(Error::LineTooLong { limit });
            }
            if read == 0 {
                return Err(Error::ConnectionClosed);
            }
        }
    }

    /// Reads one frame's envelope into `partial` (its header into `header`); every await only
    /// appends what arrived, so a read timeout loses nothing.
    async fn read_frame(&mut self) -> Result<Vec<u8>> {
        while self.header_len < HEADER_BYTES {
            let read = self
                .buffer
                .read(&mut self.header[self.header_len..])
                .await
                .map_err(closed_or)?;
            if read == 0 {
                return Err(Error::ConnectionClosed);
            }
            self.header_len += read;
        }
        let max = frames::envelope_bytes_max(self.line_bytes_max);
        let length = frames::length_of(self.header, max)?;
        if self.partial.capacity() == 0 {
            self.partial = self.take_spare();
        }
        self.partial.reserve_exact(length - self.partial.len());
        while self.partial.len() < length {
            let left = (length - self.partial.len()) as u64;
            let read = (&mut self.buffer)
                .take(left)
                .read_buf(&mut self.partial)
                .await
                .map_err(closed_or)?;
            if read == 0 {
                return Err(Error::ConnectionClosed);
            }
        }
        self.header_len = 0;
        Ok(std::mem::take(&mut self.partial))
    }
}

/// Wraps a connected stream, with the default line limit, no read timeout, frames asked for.
impl From<TcpStream> for Connection {
    fn from(stream: TcpStream) -> Self {
        Self::from_stream(stream)
    }
}
