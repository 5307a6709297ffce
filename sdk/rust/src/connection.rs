//! One TCP connection to the broker: connect (with retry), read and write v1 lines.
//! Thin I/O only: decoding is in `message.rs`, session rules in `session.rs`.
use std::io;
use std::time::Duration;

use base64::prelude::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::{BitBrokerMessage, Error, Result};

/// The broker's default line limit (`BROKER_LINE_BYTES_MAX`, 16 MiB of base64 text).
pub const LINE_BYTES_MAX_DEFAULT: usize = 16 * 1024 * 1024;

/// How to connect: retries at start (the broker may still be starting) and the line limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Connection attempts before giving up (at least 1 is always made).
    pub attempts: u32,
    /// Wait after the first failed attempt; doubles after each one, up to `max_delay`.
    pub first_delay: Duration,
    /// Longest wait between two attempts.
    pub max_delay: Duration,
    /// Longest a single attempt may take.
    pub attempt_timeout: Duration,
    /// Longest line accepted from the broker, in bytes of base64 (without the `\n`).
    pub line_bytes_max: usize,
}

impl Default for ConnectOptions {
    /// 8 attempts over about 4.5 s (100 ms, 200 ms, … up to 1 s apart), 5 s per attempt,
    /// and the broker's default line limit.
    fn default() -> Self {
        Self {
            attempts: 8,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(5),
            line_bytes_max: LINE_BYTES_MAX_DEFAULT,
        }
    }
}

impl ConnectOptions {
    /// One attempt only, no retry.
    pub fn no_retry() -> Self {
        Self {
            attempts: 1,
            ..Self::default()
        }
    }
}

/// A connection to the broker that reads and writes whole messages.
#[derive(Debug)]
pub struct Connection {
    buffer: BufReader<TcpStream>,
    line_bytes_max: usize,
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
    /// Connects to the broker at `host:port`, retrying with [`ConnectOptions::default`].
    pub async fn new(host: &str, port: usize) -> Result<Self> {
        Self::connect(host, port, &ConnectOptions::default()).await
    }

    /// Connects to the broker at `host:port` with these options; `Error::Connect` when every
    /// attempt failed (or the port is not a TCP port).
    pub async fn connect(host: &str, port: usize, options: &ConnectOptions) -> Result<Self> {
        let address = format!("{host}:{port}");
        let Ok(port) = u16::try_from(port) else {
            let source = io::Error::new(io::ErrorKind::InvalidInput, "the port is above 65535");
            return Err(Error::Connect {
                address,
                attempts: 0,
                source,
            });
        };
        let attempts = options.attempts.max(1);
        let mut delay = options.first_delay;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = match tokio::time::timeout(
                options.attempt_timeout,
                TcpStream::connect((host, port)),
            )
            .await
            {
                Ok(result) => result,
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the connection attempt timed out",
                )),
            };
            match result {
                Ok(stream) => {
                    // Turn-based: one small line each way per turn, so no Nagle delay.
                    stream.set_nodelay(true)?;
                    let mut connection = Self::from(stream);
                    connection.line_bytes_max = options.line_bytes_max;
                    return Ok(connection);
                }
                Err(source) if attempt >= attempts => {
                    return Err(Error::Connect {
                        address,
                        attempts,
                        source,
                    })
                }
                Err(_) => {
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(options.max_delay);
                }
            }
        }
    }

    /// Reads the next message: one line, decoded and checked (PROTOCOL.md §2–3). Errors, never
    /// panics: `ConnectionClosed` at end of stream (even mid-line), `LineTooLong` before a line
    /// over the limit is buffered whole, `DecodeError`, `ShortEnvelope`, `UnknownOpcode`.
    pub async fn read_message<T>(&mut self) -> Result<T>
    where
        T: From<Vec<u8>>,
    {
        let limit = self.line_bytes_max;
        let mut line = Vec::new();
        let mut capped = (&mut self.buffer).take(limit as u64 + 1);
        let read = capped
            .read_until(b'\n', &mut line)
            .await
            .map_err(closed_or)?;
        if read == 0 {
            return Err(Error::ConnectionClosed);
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        } else if line.len() > limit {
            return Err(Error::LineTooLong { limit });
        } else {
            return Err(Error::ConnectionClosed);
        }
        let message = BitBrokerMessage::from_line(&line)?;
        Ok(T::from(message.into_bytes()))
    }

    /// Sends one message as a line (base64 + `\n`) and flushes it.
    pub async fn send_message<T>(&mut self, message: T) -> Result<()>
    where
        T: AsRef<[u8]>,
    {
        let mut line = BASE64_STANDARD.encode(message.as_ref());
        line.push('\n');
        let stream = self.buffer.get_mut();
        stream.write_all(line.as_bytes()).await.map_err(closed_or)?;
        stream.flush().await.map_err(closed_or)?;
        Ok(())
    }
}

/// Wraps a connected stream, with the default line limit.
impl From<TcpStream> for Connection {
    fn from(stream: TcpStream) -> Self {
        Self {
            buffer: BufReader::new(stream),
            line_bytes_max: LINE_BYTES_MAX_DEFAULT,
        }
    }
}
