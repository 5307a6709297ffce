//! The bot's and the game's side of a session as pure functions: a message in, the next step out
//! (PROTOCOL.md §5, §6, §9.1, §10; every case is in test/vectors/session.json, replayed by
//! `session_table_tests.rs`). No sockets, no clocks, no logging; `run_bot`/`run_game` do the I/O.
use crate::proto::Hello;
#[cfg(feature = "game")]
use crate::proto::InitialMessageBatchProto;
#[cfg(any(feature = "bot", feature = "game"))]
use crate::proto::Welcome;
use crate::{BitBrokerMessage, Error, Result};

/// This SDK's name in its `Hello` (PROTOCOL.md §9.1).
pub(crate) const CLIENT_NAME: &str = "bitbroker-rust";

/// This SDK's `Hello`: the room (`""` = the default room), its name and version, no features,
/// and for a game the bots per match (0 = the room's line-up size).
pub(crate) fn hello(room: &str, bots: u8) -> Hello {
    Hello {
        room: room.to_string(),
        client: CLIENT_NAME.to_string(),
        client_version: env!("CARGO_PKG_VERSION").to_string(),
        features: Vec::new(),
        bots: u32::from(bots),
    }
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
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BotStep {
    /// `02 xx` (xx ≠ 0): decide a move on the message body.
    Move,
    /// `00 03`: the broker's `Welcome`; take note and wait on.
    Welcome(Welcome),
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
    /// A trigger: ask `next_action` and send it.
    Act,
    /// A bot's reply: hand the message body to `deliver_response`.
    Reply,
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
                let batch = message.body_proto()?;
                self.phase = GameAwaits::Trigger;
                Ok(GameStep::Start(batch))
            }
            (GameAwaits::Batch, (0x00, 0x03)) => Ok(GameStep::Welcome(message.body_proto()?)),
            (GameAwaits::Trigger, (0x01, 0x00)) => Ok(GameStep::Act),
            (GameAwaits::Reply, (0x02, 0x00)) => {
                self.phase = GameAwaits::Trigger;
                Ok(GameStep::Reply)
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
mod tests {
    use super::*;
    use crate::proto::InitialMessageProto;

    fn msg(opcode: u8, operand: u8, body: &[u8]) -> BitBrokerMessage {
        BitBrokerMessage::new(opcode, operand, body.to_vec())
    }

    #[test]
    fn the_hello_names_this_client_its_version_and_room() {
        let hello = hello("blitz", 3);
        assert_eq!((hello.room.as_str(), hello.bots), ("blitz", 3));
        assert_eq!(hello.client, "bitbroker-rust");
        assert_eq!(hello.client_version, env!("CARGO_PKG_VERSION"));
        assert!(hello.features.is_empty());
    }

    #[test]
    fn a_game_goes_welcome_batch_trigger_reply_trigger_end() {
        let batch = InitialMessageBatchProto {
            initial_messages: vec![InitialMessageProto {
                bot_index: 0,
                bot_name: "A".into(),
            }],
        };
        let mut s = GameSession::new();
        let welcome = Welcome {
            room: "blitz".into(),
            ..Welcome::default()
        };
        let step = s.on_message(&BitBrokerMessage::new_proto(0, 3, welcome.clone()));
        assert_eq!(step.unwrap(), GameStep::Welcome(welcome));
        let start = BitBrokerMessage::new_proto(0, 0x11, batch.clone());
        assert_eq!(s.on_message(&start).unwrap(), GameStep::Start(batch));
        assert_eq!(s.on_message(&msg(1, 0, b"")).unwrap(), GameStep::Act);
        s.on_action_sent(true);
        assert_eq!(s.on_message(&msg(2, 0, b"xy")).unwrap(), GameStep::Reply);
        assert_eq!(s.on_message(&msg(1, 0, b"")).unwrap(), GameStep::Act);
        s.on_action_sent(false);
        assert_eq!(s.on_message(&msg(0, 0xFF, b"")).unwrap(), GameStep::End);
    }

    #[test]
    fn a_bot_takes_a_welcome_between_states() {
        assert_eq!(bot_step(&msg(2, 5, b"state")).unwrap(), BotStep::Move);
        let step = bot_step(&msg(0, 3, b"")).unwrap();
        assert_eq!(step, BotStep::Welcome(Welcome::default()));
        assert_eq!(bot_step(&msg(2, 5, b"again")).unwrap(), BotStep::Move);
    }
}
