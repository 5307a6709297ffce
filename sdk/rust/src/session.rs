//! The bot's and the game's side of a session as pure functions: a message in, the next step out
//! (PROTOCOL.md §5, §6, §9.1, §10; every case is in test/vectors/session.json, replayed by
//! `session_table_tests.rs`). No sockets, no clocks, no logging; `run_bot`/`run_game` do the I/O.
#[cfg(feature = "game")]
use crate::proto::InitialMessageBatchProto;
#[cfg(any(feature = "bot", feature = "game"))]
use crate::proto::Welcome;
use crate::proto::{Hello, TimeRules};
#[cfg(feature = "bot")]
use crate::proto::{MatchResult, MoveTiming};
#[cfg(feature = "game")]
use crate::proto::{MoveMissed, TurnTiming};
use crate::{BitBrokerMessage, Error, Result};

/// This SDK's name in its `Hello` (PROTOCOL.md §9.1).
pub(crate) const CLIENT_NAME: &str = "bitbroker-rust";

/// This SDK's `Hello`: the room (`""` = the default room), its name and version, the features
/// it asks for (`ConnectOptions::features`), the access token (`""` = none), for a game the bots
/// per match (0 = the room's line-up size) and its time rules, for a bot its seat ticket (`None`
/// = by arrival).
pub(crate) fn hello(
    room: &str,
    token: &str,
    bots: u8,
    seat: Option<u8>,
    features: &[&str],
    time: Option<TimeRules>,
) -> Hello {
    Hello {
        room: room.to_string(),
        client: CLIENT_NAME.to_string(),
        client_version: env!("CARGO_PKG_VERSION").to_string(),
        features: features.iter().map(|f| f.to_string()).collect(),
        bots: u32::from(bots),
        token: token.to_string(),
        seat: seat.map(u32::from),
        human: false,
        time,
    }
}

/// Longest result summary, in characters (§9.4).
#[cfg(feature = "bot")]
const RESULT_SUMMARY_MAX: usize = 256;

/// A result as a bot receives it, checked (§9.4): indices that an operand byte can name, each
/// once, finite scores, a summary of at most 256 characters; seats put in index order.
#[cfg(feature = "bot")]
fn checked_result(mut result: MatchResult) -> Result<MatchResult> {
    // prost's DecodeError is this crate's bad_protobuf; its `new` is what decoders use.
    let bad = |why: String| Error::ProstError(prost::DecodeError::new(why));
    result.seats.sort_by_key(|seat| seat.index);
    for (i, seat) in result.seats.iter().enumerate() {
        if seat.index > 0xFF || (i > 0 && result.seats[i - 1].index == seat.index) {
            return Err(bad(format!(
                "MatchResult names bot {} twice or out of 0..255",
                seat.index
            )));
        }
        if seat.score.is_some_and(|score| !score.is_finite()) {
            return Err(bad(format!(
                "MatchResult gives bot {} a score that is not finite",
                seat.index
            )));
        }
    }
    if result.summary.chars().count() > RESULT_SUMMARY_MAX {
        return Err(bad(format!(
            "MatchResult summary over {RESULT_SUMMARY_MAX} characters"
        )));
    }
    Ok(result)
}

/// `00 FF`: the normal end when its body is empty and the session may end here; otherwise the
/// error its reason's code says (§6.1), or an aborted match with an empty reason (§10).
fn end(message: &BitBrokerMessage, normal_here: bool) -> Result<()> {
    match message.end_reason() {
        Some(reason) => Err(Error::from_reason(reason)),
        None if normal_here => Ok(()),
        None => Err(Error::MatchAborted(String::new())),
    }
}

/// What a bot does after a message from the broker.
#[cfg(feature = "bot")]
#[derive(Debug, PartialEq)]
pub(crate) enum BotStep {
    /// `02 xx` (xx ≠ 0): decide a move on the message body.
    Move,
    /// `00 03`: the broker's `Welcome`; take note and wait on.
    Welcome(Welcome),
    /// `00 32`: the match's result, just before the end; hand it to `match_result`.
    Result(MatchResult),
    /// `00 30`: the time for the state that follows (only to a bot that asked for `timing`).
    Timing(MoveTiming),
    /// `00 FF` with an empty body: the match ended normally.
    End,
}

/// A bot's step for one message while it waits (PROTOCOL.md §3: the state's operand is
/// non-zero; `02 00` is a reply, which a bot never receives; §9.1: a Welcome at any time).
#[cfg(feature = "bot")]
pub(crate) fn bot_step(message: &BitBrokerMessage) -> Result<BotStep> {
    match message.codes() {
        (0x00, 0xFF) => end(message, true).map(|()| BotStep::End),
        (0x02, operand) if *operand != 0x00 => Ok(BotStep::Move),
        (0x00, 0x03) => Ok(BotStep::Welcome(message.body_proto()?)),
        (0x00, 0x32) => Ok(BotStep::Result(checked_result(message.body_proto()?)?)),
        (0x00, 0x30) => Ok(BotStep::Timing(message.body_proto()?)),
        _ => Err(message.clone().into()),
    }
}

/// What a game's session waits for next.
#[cfg(feature = "game")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GameAwaits {
    /// The batch (`00 11`) that starts the match, or before it a `Welcome`.
    Batch,
    /// A trigger (`01 00`).
    Trigger,
    /// The reply (`02 00`) of the bot its last `PlayerAction` asked.
    Reply,
    /// `00 FF` after its own `00 FE`.
    End,
}

/// What a game does after a message from the broker.
#[cfg(feature = "game")]
#[derive(Debug, PartialEq)]
pub(crate) enum GameStep {
    /// The broker's `Welcome`: take note and wait on.
    Welcome(Welcome),
    /// The match started: hand the batch to `initialise`.
    Start(InitialMessageBatchProto),
    /// A trigger: ask `next_action` and send it. With the last turn's timing when the game asked
    /// for `timing` (§9.5).
    Act(Option<TurnTiming>),
    /// A bot's reply: hand the message body to `deliver_response`.
    Reply,
    /// `00 31`, under SKIP: the asked bot missed its deadline; no reply comes, a trigger follows.
    Missed(MoveMissed),
    /// The match ended normally.
    End,
}

/// A game's session: what it waits for, and the step each message leads to.
#[cfg(feature = "game")]
#[derive(Debug)]
pub(crate) struct GameSession {
    phase: GameAwaits,
}

#[cfg(feature = "game")]
impl GameSession {
    /// A session right after the game's hello.
    pub(crate) fn new() -> Self {
        Self {
            phase: GameAwaits::Batch,
        }
    }

    /// The step for the next message from the broker.
    pub(crate) fn on_message(&mut self, message: &BitBrokerMessage) -> Result<GameStep> {
        match (self.phase, message.codes()) {
            // §10: an empty 00 FF is the normal end only after the game's own 00 FE.
            (phase, (0x00, 0xFF)) => end(message, phase == GameAwaits::End).map(|()| GameStep::End),
            (GameAwaits::Batch, (0x00, 0x11)) => {
                let mut batch: InitialMessageBatchProto = message.body_proto()?;
                // In index order, as our broker sends it; the original broker lists them in
                // hash-map order.
                batch.initial_messages.sort_by_key(|m| m.bot_index);
                self.phase = GameAwaits::Trigger;
                Ok(GameStep::Start(batch))
            }
            (GameAwaits::Batch, (0x00, 0x03)) => Ok(GameStep::Welcome(message.body_proto()?)),
            (GameAwaits::Trigger, (0x01, 0x00)) => match message.body() {
                [] => Ok(GameStep::Act(None)),
                _ => Ok(GameStep::Act(Some(message.body_proto()?))),
            },
            (GameAwaits::Reply, (0x02, 0x00)) => {
                self.phase = GameAwaits::Trigger;
                Ok(GameStep::Reply)
            }
            (GameAwaits::Reply, (0x00, 0x31)) => {
                let missed = message.body_proto()?;
                self.phase = GameAwaits::Trigger;
                Ok(GameStep::Missed(missed))
            }
            _ => Err(message.clone().into()),
        }
    }

    /// Records that the game sent its action: a bot's reply is awaited after a `PlayerAction`,
    /// the end after `EndGame`.
    pub(crate) fn on_action_sent(&mut self, has_response: bool) {
        self.phase = if has_response {
            GameAwaits::Reply
        } else {
            GameAwaits::End
        };
    }
}

#[cfg(all(test, feature = "bot", feature = "game"))]
#[path = "session_table_tests.rs"]
mod table_tests;

#[cfg(all(test, feature = "bot", feature = "game"))]
#[path = "session_tests.rs"]
mod tests;
