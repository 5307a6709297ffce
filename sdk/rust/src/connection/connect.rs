//! Connecting a `Connection`: retried TCP attempts, then (with TLS) one verified handshake.
//! Thin I/O only: the TLS settings are resolved and the client built in `tls.rs`.
use std::io;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{Connection, Stream};
use crate::options::env_var;
use crate::tls::{self, ResolvedTls};
use crate::{ConnectOptions, Error, Result};

/// The least time one attempt's TLS handshake gets, even near the connect deadline.
const ATTEMPT_MIN: Duration = Duration::from_secs(1);

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

/// The stream to speak on: the TCP stream itself, or TLS over it once its handshake is done
/// (within `limit`); `Err` says why the handshake failed.
async fn secured(
    stream: TcpStream,
    host: &str,
    secure: Option<&ResolvedTls>,
    limit: Duration,
) -> std::result::Result<Box<dyn Stream>, String> {
    let Some(secure) = secure else {
        return Ok(Box::new(stream));
    };
    handshake(stream, host, secure, limit).await
}

#[cfg(feature = "tls")]
async fn handshake(
    stream: TcpStream,
    host: &str,
    secure: &ResolvedTls,
    limit: Duration,
) -> std::result::Result<Box<dyn Stream>, String> {
    use tokio_rustls::rustls::pki_types::ServerName;
    let connector = tls::connector(secure)?;
    let name = secure.server_name.as_deref().unwrap_or(host).to_string();
    let name = ServerName::try_from(name).map_err(|e| tls::failed(secure, &e))?;
    match tokio::time::timeout(limit, connector.connect(name, stream)).await {
        Ok(Ok(stream)) => Ok(Box::new(stream)),
        Ok(Err(error)) => Err(tls::failed(secure, &error)),
        Err(_) => Err(tls::failed(
            secure,
            &format!("no handshake within {limit:?}"),
        )),
    }
}

#[cfg(not(feature = "tls"))]
async fn handshake(
    _: TcpStream,
    _: &str,
    _: &ResolvedTls,
    _: Duration,
) -> std::result::Result<Box<dyn Stream>, String> {
    Err(
        "TLS was asked for, but this build of bitbroker-sdk has no TLS (its feature \"tls\")"
            .into(),
    )
}

impl Connection {
    /// Connects to the broker at `host:port`, retrying with [`ConnectOptions::default`].
    pub async fn new(host: &str, port: usize) -> Result<Self> {
        Self::connect(host, port, &ConnectOptions::default()).await
    }

    /// Connects to the broker at `host:port`, retrying failed attempts until
    /// `options.connect_timeout` has passed (logging each at info); `Error::Connect` when time or
    /// attempts ran out (or the port is not a TCP port). With TLS (`options.tls` or the
    /// environment) the broker's certificate is verified; a bad setting or a failed handshake is
    /// `Error::Connect` at once, not retried.
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
        // TLS settings are checked before any connect; a handshake that fails is not retried.
        let secure = tls::resolve(options.tls.as_ref(), env_var).map_err(|why| Error::Connect {
            address: address.clone(),
            attempts: 0,
            source: io::Error::new(io::ErrorKind::InvalidInput, why),
        })?;
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
                    let limit = left.max(ATTEMPT_MIN);
                    let stream = secured(stream, host, secure.as_ref(), limit).await;
                    let stream = stream.map_err(|why| Error::Connect {
                        address: address.clone(),
                        attempts,
                        source: io::Error::new(io::ErrorKind::InvalidData, why),
                    })?;
                    let mut connection = Self::from_boxed(stream);
                    connection.trusting = secure.map(|tls| tls.trusting);
                    connection.line_bytes_max = options.line_bytes_max;
                    connection.read_timeout = options.read_timeout;
                    connection.frames_asked = options.frames;
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
}
