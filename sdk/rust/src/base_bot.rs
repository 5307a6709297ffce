//! A bot: the `BaseBot` trait (same as the original crate's) and `run_bot`, which plays one match.
//! The decisions are the session's (`session.rs`); this file only does the I/O around them.
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use crate::logs::{self, describe, room_text};
use crate::proto::MatchResult;
use crate::session::{bot_step, hello, BotStep};
use crate::{broker_address_from_env, BitBrokerMessage, ConnectOptions, Connection, Error};
use crate::{MoveClock, Result};

/// A bot: it has a name and decides a move for each state the game sends it.
///
/// Source-compatible with the original crate: implement it the same way (declare
/// `decide_move` with `state: Self::State<'a>`, as the trait does).
pub trait BaseBot {
    /// The state as the bot reads it, built from the state's bytes (e.g. `&'a [u8]`, or a
    /// type with `From<&[u8]>` that decodes the game's protobuf).
    type State<'a>: From<&'a [u8]>;
    /// The bot's reply, sent to the game as bytes.
    type Response: Into<Vec<u8>>;

    /// The bot's name, sent to the broker (and on to the game) when it connects.
    const NAME: &'static str;

    /// Decides the move for one state.
    fn decide_move<'a>(
        &mut self,
        state: Self::State<'a>,
    ) -> impl Future<Output = Self::Response> + Send;

    /// Decides the move for one state, knowing its time: the SDK calls this one. `clock` is the
    /// time the broker gave for this state (PROTOCOL.md §9.5), with `ConnectOptions::timing`
    /// (`None` without it, or from a broker that sends none). The default calls
    /// [`decide_move`](Self::decide_move), so a bot written for the original crate is unchanged;
    /// a bot that watches its clock implements this and lets `decide_move` call it with `None`.
    fn decide_move_timed<'a>(
        &mut self,
        state: Self::State<'a>,
        clock: Option<MoveClock>,
    ) -> impl Future<Output = Self::Response> + Send {
        let _ = clock;
        self.decide_move(state)
    }

    /// Called once, before the match ends normally, with the result the game reported (per bot
    /// a score and/or a rank; PROTOCOL.md §9.4). Not called when the game reports none, or by a
    /// broker that does not send results (the original). The default does nothing; a bot
    /// written for the original crate does not implement it.
    fn match_result(&mut self, result: MatchResult) -> impl Future<Output = ()> + Send {
        let _ = result;
        std::future::ready(())
    }
}

/// Runs `bot` for one match against the broker at `host:port` (`port` is a `usize`, as in the
/// original crate), retrying the connection with [`ConnectOptions::default`] (10 s), in the room
/// `$BITBROKER_ROOM` (else the default room).
///
/// `Ok(())` when the match ends normally; `Err(Error::MatchAborted(reason))` when the broker
/// ends it abnormally, `Refused`/`BrokerShutdown` when it turns the bot away or shuts down
/// (each with [`reason_code`](crate::Error::reason_code)); other [`Error`](crate::Error)s for a
/// broker that cannot be reached or that breaks the protocol. The future is `Send` when `B` is,
/// so it can be `tokio::spawn`ed.
pub async fn run_bot<B>(bot: B, host: &str, port: usize) -> Result<()>
where
    B: BaseBot,
{
    run_bot_with(bot, host, port, ConnectOptions::default()).await
}

/// [`run_bot`] at the broker the environment names: `$BITBROKER_HOST` and `$BITBROKER_PORT`,
/// else 127.0.0.1:7878 (and the room, seat and token from theirs, as always). A port variable
/// that is not a port is an `Error::Connect` naming it, before any connect.
pub async fn run_bot_from_env<B>(bot: B) -> Result<()>
where
    B: BaseBot,
{
    run_bot_from_env_with(bot, ConnectOptions::default()).await
}

/// [`run_bot_from_env`] with explicit options.
pub async fn run_bot_from_env_with<B>(bot: B, options: ConnectOptions) -> Result<()>
where
    B: BaseBot,
{
    let (host, port) = broker_address_from_env()?;
    run_bot_with(bot, &host, port, options).await
}

/// [`run_bot`] with explicit options (connect retries, line limit, read timeout, room, seat,
/// token, timing, frames).
pub async fn run_bot_with<B>(
    mut bot: B,
    host: &str,
    port: usize,
    options: ConnectOptions,
) -> Result<()>
where
    B: BaseBot,
{
    let room = options.room_or_env();
    let seat = options.seat_or_env().map_err(|problem| Error::Connect {
        address: format!("{host}:{port}"),
        attempts: 0,
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, problem),
    })?;
    let hello = hello(
        &room,
        &options.token_or_env(),
        0,
        seat,
        &options.features(),
        None,
    );
    let mut connection = Connection::connect(host, port, &options).await?;
    connection
        .send_message(BitBrokerMessage::bot_hello_message(&hello))
        .await?;
    connection
        .send_message(BitBrokerMessage::bot_info_message(B::NAME))
        .await?;
    let who = format!("bot {:?}", B::NAME);
    log::info!(
        "connected to the broker at {host}:{port}{} as {who} (room {}); waiting for a match",
        connection.over(),
        room_text(&room)
    );
    let mut moved = false;
    // The time for the next state, from the 00 30 just before it (§9.5).
    let mut clock = None;
    loop {
        let message: BitBrokerMessage = connection.read_message().await?;
        log::debug!("{who} received {}", describe(&message));
        match bot_step(&message)? {
            BotStep::End => {
                log::info!("match over for {who}: it ended normally");
                return Ok(());
            }
            BotStep::Welcome(welcome) => logs::welcome(&welcome, connection.frames()),
            BotStep::Timing(timing) => clock = Some(MoveClock::new(&timing, Instant::now())),
            BotStep::Result(result) => {
                logs::result(&who, &result);
                take_result(&mut bot, result).await;
            }
            BotStep::Move => {
                if !moved {
                    moved = true;
                    log::info!("match started: {who} got its first state");
                }
                let response: Vec<u8> = decide(&mut bot, message.body(), clock.take()).await.into();
                connection.send_parts([0x02, 0x00], &response).await?;
            }
        }
        // The state's buffer is read into again (no fresh pages per turn for large states).
        connection.recycle(message.into_bytes());
    }
}

/// The bot's decision as a boxed future: naming one concrete lifetime here lets the compiler
/// see that `run_bot`'s future is `Send` (rust-lang/rust#100013 otherwise gets in the way).
fn decide<'b, B>(
    bot: &'b mut B,
    body: &'b [u8],
    clock: Option<MoveClock>,
) -> Pin<Box<dyn Future<Output = B::Response> + Send + 'b>>
where
    B: BaseBot,
{
    Box::pin(bot.decide_move_timed(B::State::from(body), clock))
}

/// The bot's handling of the result as a boxed future, `Send` for the same reason as `decide`.
fn take_result<B>(bot: &mut B, result: MatchResult) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>
where
    B: BaseBot,
{
    Box::pin(bot.match_result(result))
}
