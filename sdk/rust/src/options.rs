//! How a session connects and plays (`ConnectOptions`), and what it takes from the environment
//! when the program does not say: `BITBROKER_HOST`, `_PORT`, `_ROOM`, `_SEAT`, `_TOKEN`.
//! Pure but for the environment reads, which go through a lookup function that tests replace.
use std::io;
use std::time::Duration;

use crate::proto::TimeRules;
use crate::{Error, Result};

/// Keep retrying the first connect this long (PROTOCOL.md §10; shared by the three SDKs).
pub const CONNECT_TIMEOUT_DEFAULT: Duration = Duration::from_secs(10);
/// Wait after the first failed connect; it doubles after each failure.
pub const RETRY_FIRST_DELAY_DEFAULT: Duration = Duration::from_millis(50);
/// Longest wait between two connect attempts.
pub const RETRY_MAX_DELAY_DEFAULT: Duration = Duration::from_secs(1);
/// Longest line accepted from the broker: 64 MiB of base64 text, four times the broker's own
/// default (`BROKER_LINE_BYTES_MAX`), so an operator may raise that without touching clients.
/// A v2 frame may carry ¾ of it (the same messages fit either way).
pub const LINE_BYTES_MAX_DEFAULT: usize = 64 * 1024 * 1024;
/// The broker's host when neither the program nor `$BITBROKER_HOST` says.
pub const HOST_DEFAULT: &str = "127.0.0.1";
/// The broker's port when neither the program nor `$BITBROKER_PORT` says.
pub const PORT_DEFAULT: usize = 7878;
/// The environment variable naming the broker's host for the `_from_env` functions.
pub const HOST_ENV: &str = "BITBROKER_HOST";
/// The environment variable naming the broker's port for the `_from_env` functions.
pub const PORT_ENV: &str = "BITBROKER_PORT";
/// The environment variable naming the room when `ConnectOptions::room` is `None`.
pub const ROOM_ENV: &str = "BITBROKER_ROOM";
/// The environment variable holding the access token when `ConnectOptions::token` is `None`.
pub const TOKEN_ENV: &str = "BITBROKER_TOKEN";
/// The environment variable holding a bot's seat ticket when `ConnectOptions::seat` is `None`.
pub const SEAT_ENV: &str = "BITBROKER_SEAT";

/// How a session connects and plays: connect retries, limits, read timeout, what its `Hello`
/// asks for (room, features, for a game its line-up size and time rules). Build one with
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
    /// Longest line accepted from the broker, in bytes of base64 (without the `\n`); a frame
    /// may carry ¾ of it.
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
    /// Ask for the `timing` feature (§9.5): a bot gets its time with each state
    /// (`BaseBot::decide_move_timed`), a game each turn's think time (`BaseGame::turn_timing`)
    /// and missed moves (`BaseGame::move_missed`), and may play under `Miss::Skip`. Default
    /// `false`: nothing new on the wire.
    pub timing: bool,
    /// Ask for v2 binary frames (§11), used once the broker's `Welcome` grants them: no base64
    /// after the handshake. Default `true`; the original broker grants nothing, so v1 goes on.
    pub frames: bool,
    /// Game only: the time rules its matches ask for (§9.5; a declared room's win); `None`:
    /// the room's. `Miss::Skip` needs `timing`. Bots ignore it.
    pub time: Option<TimeRules>,
    /// Connect with TLS, always verifying the broker's certificate (README "TLS"); `None`: from
    /// `$BITBROKER_TLS`, `$BITBROKER_TLS_CA` and `$BITBROKER_TLS_SERVER_NAME`, else plain TCP.
    pub tls: Option<Tls>,
}

/// Whether and how a session connects with TLS (`ConnectOptions::tls`). There is no setting
/// that skips certificate verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    /// Plain TCP, whatever the environment says.
    Off,
    /// TLS, the broker's certificate verified against `ca` only (a PEM file's path, or its text
    /// `"-----BEGIN CERTIFICATE-----…"`; `None`: the system's CAs), for the name `server_name`
    /// (also the SNI sent; `None`: the host connected to).
    On {
        /// The CA to trust instead of the system's: a PEM file's path or its text.
        ca: Option<String>,
        /// The name the certificate must be issued for; `None`: the host.
        server_name: Option<String>,
    },
}

impl Tls {
    /// TLS trusting the system's CAs, for the host's name.
    pub fn system() -> Self {
        Self::On {
            ca: None,
            server_name: None,
        }
    }

    /// TLS trusting only the CA in `ca` (a PEM file's path or its text), for the host's name.
    pub fn with_ca(ca: impl Into<String>) -> Self {
        Self::On {
            ca: Some(ca.into()),
            server_name: None,
        }
    }
}

impl Default for ConnectOptions {
    /// The defaults shared by the three SDKs (PROTOCOL.md §10): retry for 10 s (50 ms after the
    /// first failure, doubling up to 1 s), lines up to 64 MiB, no read timeout, no room given,
    /// frames asked for, no timing.
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
            timing: false,
            frames: true,
            time: None,
            tls: None,
        }
    }
}

/// A process environment variable, `None` when unset or not UTF-8.
pub(crate) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
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
        self.room_in(env_var)
    }

    fn room_in(&self, lookup: impl Fn(&str) -> Option<String>) -> String {
        self.room
            .clone()
            .or_else(|| lookup(ROOM_ENV))
            .unwrap_or_default()
    }

    /// The token to present: `token` if set, else `$BITBROKER_TOKEN`, else "" (none).
    pub fn token_or_env(&self) -> String {
        self.token_in(env_var)
    }

    fn token_in(&self, lookup: impl Fn(&str) -> Option<String>) -> String {
        self.token
            .clone()
            .or_else(|| lookup(TOKEN_ENV))
            .unwrap_or_default()
    }

    /// A bot's seat ticket: `seat` if set, else `$BITBROKER_SEAT`, else `None` (by arrival);
    /// `Err` with a readable text when the variable is not a seat index (0-254).
    pub fn seat_or_env(&self) -> std::result::Result<Option<u8>, String> {
        seat_in(self.seat, env_var)
    }

    /// The features this client asks for in its `Hello`, in the order every SDK sends them:
    /// `results`, then `timing` and `frames` when on.
    pub fn features(&self) -> Vec<&'static str> {
        let mut features = vec!["results"];
        if self.timing {
            features.push("timing");
        }
        if self.frames {
            features.push("frames");
        }
        features
    }
}

/// A seat ticket: `seat` if given, else the `BITBROKER_SEAT` that `lookup` finds, else `None`.
fn seat_in(
    seat: Option<u8>,
    lookup: impl Fn(&str) -> Option<String>,
) -> std::result::Result<Option<u8>, String> {
    if seat.is_some() {
        return Ok(seat);
    }
    let text = lookup(SEAT_ENV).unwrap_or_default();
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

/// Where the broker is when the program does not say: `$BITBROKER_HOST` and `$BITBROKER_PORT`,
/// each else 127.0.0.1 and 7878. A port variable that is not a TCP port number is an
/// `Error::Connect` (`connect_failed`) whose text names the variable, before any connect.
pub fn broker_address_from_env() -> Result<(String, usize)> {
    broker_address_with(env_var)
}

/// [`broker_address_from_env`] reading the variables through `lookup` (e.g. `|name|
/// std::env::var(name).ok()`, or a configuration of your own).
pub fn broker_address_with(lookup: impl Fn(&str) -> Option<String>) -> Result<(String, usize)> {
    address_in(None, None, lookup)
}

/// The host and the port, each from the program if given, else from the variables `lookup`
/// finds, else the defaults (the other SDKs take each argument on its own; so does this).
fn address_in(
    host: Option<&str>,
    port: Option<usize>,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<(String, usize)> {
    let host = host
        .map(str::to_string)
        .or_else(|| lookup(HOST_ENV))
        .unwrap_or_else(|| HOST_DEFAULT.to_string());
    if let Some(port) = port {
        return Ok((host, port));
    }
    let text = lookup(PORT_ENV).unwrap_or_default();
    let text = text.trim();
    if text.is_empty() {
        return Ok((host, PORT_DEFAULT));
    }
    if text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        let problem = format!("{PORT_ENV} must be a TCP port; got {text:?}");
        return Err(Error::Connect {
            address: format!("{host}:{text}"),
            attempts: 0,
            source: io::Error::new(io::ErrorKind::InvalidInput, problem),
        });
    }
    // Five digits at most: it parses. A number beyond 65535 is refused by the connect itself
    // ("the port is above 65535"), as a port argument would be.
    Ok((host, text.parse().unwrap_or(usize::MAX)))
}

#[cfg(test)]
#[path = "options_tests.rs"]
mod tests;
