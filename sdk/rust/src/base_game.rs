//! A game: the `BaseGame` trait (same as the original crate's) and `run_game`, which referees
//! one match. The decisions are the session's (`session.rs`); this file only does the I/O.
use std::future::Future;
use std::pin::Pin;

use crate::logs::{self, describe, room_text};
use crate::proto::{InitialMessageBatchProto, MatchResult, MoveMissed, TurnTiming};
use crate::session::{hello, GameSession, GameStep};
use crate::{
    broker_address_from_env, Action, BitBrokerMessage, ConnectOptions, Connection, Result,
};

/// A game (the referee): it learns the bots, then on each trigger asks one bot for a move or
/// ends the match, and receives each reply.
///
/// Source-compatible with the original crate: implement it the same way (declare
/// `deliver_response` with `response: Self::Response<'a>`, as the trait does).
pub trait BaseGame {
    /// The state sent to a bot, as bytes.
    type State: Into<Vec<u8>>;
    /// A bot's reply as the game reads it, built from the reply's bytes.
    type Response<'a>: From<&'a [u8]>;

    /// Called once when the match starts, with every bot's index and name in index order.
    fn initialise(
        &mut self,
        initial_info: InitialMessageBatchProto,
    ) -> impl Future<Output = ()> + Send;
    /// Called on each trigger: ask a bot for a move, or end the match.
    fn next_action(&mut self) -> impl Future<Output = Action<Self::State>> + Send;
    /// Called with the reply of the bot asked by the last `PlayerAction`.
    fn deliver_response<'a>(
        &mut self,
        response: Self::Response<'a>,
    ) -> impl Future<Output = ()> + Send;

    /// Called once, right after `next_action` returned `EndGame`: the match's result to send
    /// with the end (per bot index a score and/or a rank, and a summary; PROTOCOL.md §9.4), which
    /// the broker records and passes to the bots that asked for results. The original broker
    /// ignores it. The default, `None`, ends the match as v1 does; a game written for the
    /// original crate does not implement it.
    fn match_result(&mut self) -> Option<MatchResult> {
        None
    }

    /// With `ConnectOptions::timing`: each turn's timing (the bot asked, its think time as the
    /// broker measured it, its time bank left, whether it missed; PROTOCOL.md §9.5), before the
    /// next `next_action`. The default does nothing.
    fn turn_timing(&mut self, timing: TurnTiming) -> impl Future<Output = ()> + Send {
        let _ = timing;
        std::future::ready(())
    }

    /// With `ConnectOptions::timing`, under `Miss::Skip`: called in place of `deliver_response`
    /// when the asked bot missed its deadline; the turn is lost and the match goes on. The
    /// default does nothing (the SDK logs it).
    fn move_missed(&mut self, missed: MoveMissed) -> impl Future<Output = ()> + Send {
        let _ = missed;
        std::future::ready(())
    }
}

/// Runs `game` for one match against the broker at `host:port` (`port` is a `usize`, as in the
/// original crate), retrying the connection with [`ConnectOptions::default`] (10 s), in the
/// room `$BITBROKER_ROOM` (else the default room).
///
/// `Ok(())` when the match ends normally (after `Action::EndGame`);
/// `Err(Error::MatchAborted(reason))` when the broker ends it abnormally (a bot left, missed its
/// deadline, an unknown bot index…), `Refused`/`BrokerShutdown` when it turns the game away or
/// shuts down (each with [`reason_code`](crate::Error::reason_code)); other
/// [`Error`](crate::Error)s for a broker that cannot be reached or that breaks the protocol.
/// The future is `Send` when `G` is.
pub async fn run_game<G>(game: &mut G, host: &str, port: usize) -> Result<()>
where
    G: BaseGame,
{
    run_game_with(game, host, port, ConnectOptions::default()).await
}

/// [`run_game`] at the broker the environment names: `$BITBROKER_HOST` and `$BITBROKER_PORT`,
/// else 127.0.0.1:7878 (and the room and token from theirs, as always). A port variable that is
/// not a port is an `Error::Connect` naming it, before any connect.
pub async fn run_game_from_env<G>(game: &mut G) -> Result<()>
where
    G: BaseGame,
{
    run_game_from_env_with(game, ConnectOptions::default()).await
}

/// [`run_game_from_env`] with explicit options.
pub async fn run_game_from_env_with<G>(game: &mut G, options: ConnectOptions) -> Result<()>
where
    G: BaseGame,
{
    let (host, port) = broker_address_from_env()?;
    run_game_with(game, &host, port, options).await
}

/// [`run_game`] with explicit options (connect retries, line limit, read timeout, room, token,
/// the bots per match, time rules, timing, frames).
pub async fn run_game_with<G>(
    game: &mut G,
    host: &str,
    port: usize,
    options: ConnectOptions,
) -> Result<()>
where
    G: BaseGame,
{
    let room = options.room_or_env();
    let mut connection = Connection::connect(host, port, &options).await?;
    let hello = hello(
        &room,
        &options.token_or_env(),
        options.bots.unwrap_or(0),
        None,
        &options.features(),
        options.time.clone(),
    );
    connection
        .send_message(BitBrokerMessage::game_hello_message(&hello))
        .await?;
    log::info!(
        "connected to the broker at {host}:{port}{} as game (room {}); waiting for a match",
        connection.over(),
        room_text(&room)
    );
    let mut session = GameSession::new();
    loop {
        let message: BitBrokerMessage = connection.read_message().await?;
        log::debug!("game received {}", describe(&message));
        match session.on_message(&message)? {
            GameStep::Welcome(welcome) => logs::welcome(&welcome, connection.frames()),
            GameStep::Start(batch) => {
                logs::match_started(&batch);
                game.initialise(batch).await
            }
            GameStep::Act(timing) => {
                if let Some(timing) = timing {
                    hook(game.turn_timing(timing)).await;
                }
                let action = game.next_action().await;
                let has_response = action.has_response();
                // §9.4: the result is asked for once, with the end only.
                let result = if has_response {
                    None
                } else {
                    game.match_result()
                };
                match (action, result) {
                    // The state goes out as it is: framed in parts, never copied into a message.
                    (Action::PlayerAction(index, state), _) => {
                        connection.send_parts([0x01, index], &state.into()).await?
                    }
                    (Action::EndGame, Some(result)) => {
                        let line = BitBrokerMessage::end_game_with_result(&result);
                        connection.send_message(line).await?
                    }
                    (Action::EndGame, None) => {
                        connection
                            .send_message(BitBrokerMessage::end_game_message())
                            .await?
                    }
                }
                session.on_action_sent(has_response);
            }
            GameStep::Reply => {
                deliver(game, message.body()).await;
                connection.recycle(message.into_bytes());
            }
            GameStep::Missed(missed) => {
                logs::missed(&missed);
                hook(game.move_missed(missed)).await;
            }
            GameStep::End => {
                log::info!("match over for game: it ended normally");
                return Ok(());
            }
        }
    }
}

/// A hook's future boxed, so `run_game`'s future is provably `Send` (as `deliver`).
fn hook<'b>(
    future: impl Future<Output = ()> + Send + 'b,
) -> Pin<Box<dyn Future<Output = ()> + Send + 'b>> {
    Box::pin(future)
}

/// The game's handling of a reply as a boxed future, so `run_game`'s future is provably `Send`.
fn deliver<'b, G>(game: &'b mut G, body: &'b [u8]) -> Pin<Box<dyn Future<Output = ()> + Send + 'b>>
where
    G: BaseGame,
{
    Box::pin(game.deliver_response(G::Response::from(body)))
}
