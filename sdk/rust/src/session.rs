//! The bot's and the game's side of a session as pure functions: a message in, the next step out
//! (PROTOCOL.md §5–6). No sockets, no clocks; `run_bot`/`run_game` do the I/O around them.
#[cfg(feature = "game")]
use crate::proto::InitialMessageBatchProto;
use crate::{BitBrokerMessage, Error, Result};

/// What a bot does after a message from the broker.
#[cfg(feature = "bot")]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BotStep {
    /// `02 xx` (xx ≠ 0): decide a move on the message body.
    Move,
    /// `00 FF` with an empty body: the match ended normally.
    End,
}

/// The end of a match: `Ok` if normal, `MatchAborted` with the broker's reason otherwise.
fn end(message: &BitBrokerMessage) -> Result<()> {
    match message.end_reason() {
        None => Ok(()),
        Some(reason) => Err(Error::MatchAborted(reason)),
    }
}

/// A bot's step for one message (PROTOCOL.md §3: the state's operand is non-zero; `02 00`
/// is a reply, which a bot never receives).
#[cfg(feature = "bot")]
pub(crate) fn bot_step(message: &BitBrokerMessage) -> Result<BotStep> {
    match message.codes() {
        (0x00, 0xFF) => end(message).map(|()| BotStep::End),
        (0x02, operand) if *operand != 0x00 => Ok(BotStep::Move),
        _ => Err(message.clone().into()),
    }
}

/// What a game's session waits for next.
#[cfg(feature = "game")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GameAwaits {
    /// The batch (`00 11`) that starts the match.
    Batch,
    /// A trigger (`01 00`).
    Trigger,
    /// The reply (`02 00`) of the bot its last `PlayerAction` asked.
    Reply,
}

/// What a game does after a message from the broker.
#[cfg(feature = "game")]
#[derive(Debug, PartialEq)]
pub(crate) enum GameStep {
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
    /// A session before the match starts.
    pub(crate) fn new() -> Self {
        Self {
            phase: GameAwaits::Batch,
        }
    }

    /// The step for the next message from the broker.
    pub(crate) fn on_message(&mut self, message: &BitBrokerMessage) -> Result<GameStep> {
        match (self.phase, message.codes()) {
            // PROTOCOL.md §6: an end while a reply is awaited is always abnormal.
            (GameAwaits::Reply, (0x00, 0xFF)) => {
                Err(Error::MatchAborted(message.end_reason().unwrap_or_else(
                    || "the match ended while a reply was awaited".into(),
                )))
            }
            (_, (0x00, 0xFF)) => end(message).map(|()| GameStep::End),
            (GameAwaits::Batch, (0x00, 0x11)) => {
                let batch = message.body_proto()?;
                self.phase = GameAwaits::Trigger;
                Ok(GameStep::Start(batch))
            }
            (GameAwaits::Trigger, (0x01, 0x00)) => Ok(GameStep::Act),
            (GameAwaits::Reply, (0x02, 0x00)) => {
                self.phase = GameAwaits::Trigger;
                Ok(GameStep::Reply)
            }
            _ => Err(message.clone().into()),
        }
    }

    /// Records that the game sent its action: a reply is awaited if it asked a bot.
    pub(crate) fn on_action_sent(&mut self, has_response: bool) {
        if has_response {
            self.phase = GameAwaits::Reply;
        }
    }
}

#[cfg(all(test, feature = "bot", feature = "game"))]
mod tests {
    use super::*;
    use crate::proto::InitialMessageProto;

    fn msg(opcode: u8, operand: u8, body: &[u8]) -> BitBrokerMessage {
        BitBrokerMessage::new(opcode, operand, body.to_vec())
    }

    #[test]
    fn a_bot_moves_on_a_state_and_ends_on_an_empty_end() {
        assert_eq!(bot_step(&msg(2, 5, b"state")).unwrap(), BotStep::Move);
        assert_eq!(bot_step(&msg(0, 0xFF, b"")).unwrap(), BotStep::End);
    }

    #[test]
    fn a_bot_reports_an_end_with_a_reason_as_an_aborted_match() {
        let err = bot_step(&msg(0, 0xFF, b"bot 1 (B) disconnected")).unwrap_err();
        assert_eq!(err.abort_reason(), Some("bot 1 (B) disconnected"));
    }

    #[test]
    fn a_bot_rejects_a_reply_and_other_codes() {
        for (op, arg) in [(2, 0), (1, 0), (0, 0x11)] {
            assert_eq!(
                bot_step(&msg(op, arg, b"")).unwrap_err().code(),
                "unexpected_operation"
            );
        }
    }

    #[test]
    fn a_game_goes_batch_trigger_reply_trigger_end() {
        let batch = InitialMessageBatchProto {
            initial_messages: vec![InitialMessageProto {
                bot_index: 0,
                bot_name: "A".into(),
            }],
        };
        let mut s = GameSession::new();
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
    fn a_game_awaiting_a_reply_reports_any_end_as_aborted() {
        let mut s = GameSession::new();
        s.on_message(&msg(0, 0x11, b"")).unwrap();
        s.on_action_sent(true);
        let err = s.on_message(&msg(0, 0xFF, b"")).unwrap_err();
        assert_eq!(err.code(), "match_aborted");
        let mut s = GameSession::new();
        s.on_message(&msg(0, 0x11, b"")).unwrap();
        s.on_action_sent(true);
        let err = s
            .on_message(&msg(0, 0xFF, b"unknown bot index 7"))
            .unwrap_err();
        assert_eq!(err.abort_reason(), Some("unknown bot index 7"));
    }

    #[test]
    fn a_game_rejects_messages_out_of_order_and_a_bad_batch() {
        assert_eq!(
            GameSession::new()
                .on_message(&msg(1, 0, b""))
                .unwrap_err()
                .code(),
            "unexpected_operation"
        );
        let bad = msg(0, 0x11, &[0x0A, 0x05, 0x52]);
        assert_eq!(
            GameSession::new().on_message(&bad).unwrap_err().code(),
            "bad_protobuf"
        );
        let mut s = GameSession::new();
        s.on_message(&msg(0, 0x11, b"")).unwrap();
        assert_eq!(
            s.on_message(&msg(2, 0, b"early")).unwrap_err().code(),
            "unexpected_operation"
        );
    }
}
