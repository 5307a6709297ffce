//! One TCP connection to the broker: connect (with retry), read and write v1 lines.
//! Thin I/O only: decoding is in `message.rs`, session rules in `session.rs`.
use std::io;
use std::time::Duration;

use base64::prelude::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::{BitBrokerMessage, Error, Result};

/// Keep retrying the first connect this long (PROTOCOL.md §10; shared by the three SDKs).
pub const CONNECT_TIMEOUT_DEFAULT: Duration = Duration::from_secs(10);
/// Wait after the first failed connect; it doubles after each failure.
pub const RETRY_FIRST_DELAY_DEFAULT: Duration = Duration::from_millis(50);
/// Longest wait between two connect attempts.
pub const RETRY_MAX_DELAY_DEFAULT: Duration = Duration::from_secs(1);
/// Longest line accepted from the broker: 64 MiB of base64 text, four times the broker's own
/// default (`BROKER_LINE_BYTES_MAX`), so an operator may raise that without touching clients.
pub const LINE_BYTES_MAX_DEFAULT: usize = 64 * 1024 * 1024;
/// The environment variable naming the room when `ConnectOptions::room` is `None`.
pub const ROOM_ENV: &str = "BITBROKER_ROOM";
/// The environment variable holding the access token when `ConnectOptions::token` is `None`.
pub const TOKEN_ENV: &str = "BITBROKER_TOKEN";
/// The environment variable holding a bot's seat ticket when `ConnectOptions::seat` is `None`.
pub const SEAT_ENV: &str = "BITBROKER_SEAT";

/// How a session connects and plays: connect retries, limits, read timeout, and what its
/// `Hello` asks for (room, and for a game its line-up size). Build one with
/// `ConnectOptions { room: Some("blitz".into()), ..ConnectOptions::default() }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Keep retrying the first connect this long (each attempt is bounded by the time left).
    pub connect_timeout: Duration,
    /// Wait after the first failed attempt; doubles after each one, up to `max_delay`.
    pub first_delay: Duration,
    /// Longest wait between two attempts.
    pub max_delay: Duration,
    /// At most this many attempts (`None`: as many as fit in `connect_timeout`).
    pub attempts_max: Option<u32>,
    /// Longest line accepted from the broker, in bytes of base64 (without the `\n`).
    pub line_bytes_max: usize,
    /// Longest wait for the next message from the broker; `None` (the default) waits forever,
    /// as a bot may wait long for its match.
    pub read_timeout: Option<Duration>,
    /// The room to play in (PROTOCOL.md §9.1); `None`: `$BITBROKER_ROOM`, else the broker's
    /// default room. The original broker ignores it.
    pub room: Option<String>,
    /// Game only: bots per match (1-255); `None`: the room's line-up size. Bots ignore it.
    pub bots: Option<u8>,
    /// The access token the broker requires, if it does (PROTOCOL.md §9.6); `None`:
    /// `$BITBROKER_TOKEN`, else none. Never logged.
    pub token: Option<String>,
    /// Bot only: its seat ticket, the index it takes in its match (0-254, §9.7); `None`:
    /// `$BITBROKER_SEAT`, else seated by arrival. Games ignore it.
    pub seat: Option<u8>,
}

impl Default for ConnectOptions {
    /// The defaults shared by the three SDKs (PROTOCOL.md §10): retry for 10 s (50 ms after the
    /// first failure, doubling up to 1 s), lines up to 64 MiB, no read timeout, no room given.
    fn default() -> Self {
        Self {
            connect_timeout: CONNECT_TIMEOUT_DEFAULT,
            first_delay: RETRY_FIRST_DELAY_DEFAULT,
            max_delay: RETRY_MAX_DELAY_DEFAULT,
            attempts_max: None,
            line_bytes_max: LINE_BYTES_MAX_DEFAULT,
            read_timeout: None,
            room: None,
            bots: None,
            token: None,
            seat: None,
        }
    }
}

impl ConnectOptions {
    /// One attempt only (bounded by `connect_timeout`), no retry.
    pub fn no_retry() -> Self {
        Self {
            attempts_max: Some(1),
            ..Self::default()
        }
    }

    /// The room to ask for: `room` if set, else `$BITBROKER_ROOM`, else "" (the default room).
    pub fn room_or_env(&self) -> String {
        match &self.room {
            Some(room) => room.clone(),
            None => std::env::var(ROOM_ENV).unwrap_or_default(),
        }
    }

    /// The token to present: `token` if set, else `$BITBROKER_TOKEN`, else "" (none).
    pub fn token_or_env(&self) -> String {
        match &self.token {
            Some(token) => token.clone(),
            None => std::env::var(TOKEN_ENV).unwrap_or_default(),
        }
    }

    /// A bot's seat ticket: `seat` if set, else `$BITBROKER_SEAT`, else `None` (by arrival);
    /// `Err` with a readable text when the variable is not a seat index (0-254).
    pub fn seat_or_env(&self) -> std::result::Result<Option<u8>, String> {
        if self.seat.is_some() {
            return Ok(self.seat);
        }
        let text = std::env::var(SEAT_ENV).unwrap_or_default();
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<u8>() {
            Ok(seat) if seat <= 254 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(seat)),
            _ => Err(format!(
                "{SEAT_ENV} must be a seat index (0-254); got {text:?}"
            )),
        }
    }
}

/// A connection to the broker that reads and writes whole messages.
#[derive(Debug)]
pub struct Connection {
    buffer: BufReader<TcpStream>,
    line_bytes_max: usize,
    read_timeout: Option<Duration>,
    /// The start of a line whose read a timeout interrupted: the next read goes on from here.
    partial: Vec<u8>,
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

/// One attempt to connect, bounded by `limit`.
async fn attempt(host: &str, port: u16, limit: Duration) -> io::Result<TcpStream> {
    match tokio::time::timeout(limit, TcpStream::connect((host, port))).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the connection attempt timed out",
        )),
    }
}

impl Connection {
    /// Connects to the broker at `host:port`, retrying with [`ConnectOptions::default`].
    pub async fn new(host: &str, port: usize) -> Result<Self> {
        Self::connect(host, port, &ConnectOptions::default()).await
    }

    /// Connects to the broker at `host:port`, retrying failed attempts until
    /// `options.connect_timeout` has passed (logging each at info); `Error::Connect` when time or
    /// attempts ran out (or the port is not a TCP port).
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
        let deadline = Instant::now() + options.connect_timeout;
        let mut delay = options.first_delay;
        let mut attempts = 0;
        let mut last_error = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let out_of_attempts = options
                .attempts_max
                .is_some_and(|max| attempts >= max.max(1));
            if left.is_zero() || out_of_attempts {
                let source = last_error.unwrap_or_else(|| {
                    io::Error::new(io::ErrorKind::TimedOut, "the connect timeout is zero")
                });
                return Err(Error::Connect {
                    address,
                    attempts,
                    source,
                });
            }
            attempts += 1;
            match attempt(host, port, left).await {
                Ok(stream) => {
                    // Turn-based: one small line each way per turn, so no Nagle delay.
                    stream.set_nodelay(true)?;
                    let mut connection = Self::from(stream);
                    connection.line_bytes_max = options.line_bytes_max;
                    connection.read_timeout = options.read_timeout;
                    return Ok(connection);
                }
                Err(error) => {
                    let wait = delay.min(deadline.saturating_duration_since(Instant::now()));
                    let last = options.attempts_max.is_some_and(|max| attempts >= max);
                    if !last && !wait.is_zero() {
                        log::info!(
                            "broker at {address} not reachable yet (attempt {attempts}): {error}, retrying in {} ms",
                            wait.as_millis()
                        );
                        // Back-off between attempts, not synchronisation: the broker may start later.
                        tokio::time::sleep(wait).await;
                    }
                    last_error = Some(error);
                    delay = (delay * 2).min(options.max_delay);
                }
            }
        }
    }

    /// Reads the next message: one line, decoded and checked (PROTOCOL.md §2–3). Errors, never
    /// panics: `ConnectionClosed` at end of stream (even mid-line), `LineTooLong` before a line
    /// over the limit is buffered whole, `DecodeError`, `ShortEnvelope`, `UnknownOpcode`, and
    /// `ReadTimeout` if a read timeout is set (a later call goes on with the same line).
    pub async fn read_message<T>(&mut self) -> Result<T>
    where
        T: From<Vec<u8>>,
    {
        let read_timeout = self.read_timeout;
        let read = self.read_line();
        let read = match read_timeout {
            None => read.await,
            Some(limit) => match tokio::time::timeout(limit, read).await {
                Ok(read) => read,
                Err(_) => return Err(Error::ReadTimeout(limit)),
            },
        }?;
        let line = std::mem::take(&mut self.partial);
        debug_assert_eq!(read, line.len());
        let message = BitBrokerMessage::from_line(&line)?;
        Ok(T::from(message.into_bytes()))
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

/// Wraps a connected stream, with the default line limit and no read timeout.
impl From<TcpStream> for Connection {
    fn from(stream: TcpStream) -> Self {
        Self {
            buffer: BufReader::new(stream),
            line_bytes_max: LINE_BYTES_MAX_DEFAULT,
            read_timeout: None,
            partial: Vec::new(),
        }
    }
}
