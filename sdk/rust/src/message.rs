//! The v1 envelope `[opcode][operand][body]` and its line form `base64(envelope)` (PROTOCOL.md
//! §2–3). Pure: bytes in, messages out; no sockets, no clocks, no panics on short input.
use base64::prelude::*;
use prost::Message;

use crate::proto::{Hello, InitialMessageProto, MatchResult};
use crate::{Action, Error, Result};

/// One protocol message: opcode, operand and body, as one byte vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitBrokerMessage {
    inner: Vec<u8>,
}

impl BitBrokerMessage {
    /// A message from its two codes and its body.
    pub fn new(opcode: u8, operand: u8, mut body: Vec<u8>) -> Self {
        let mut inner = Vec::with_capacity(body.len() + 2);
        inner.push(opcode);
        inner.push(operand);
        inner.append(&mut body);
        Self { inner }
    }

    /// A message whose body is a protobuf message (plain encoding, no length prefix).
    pub fn new_proto<B>(opcode: u8, operand: u8, body: B) -> Self
    where
        B: Message,
    {
        Self::new(opcode, operand, body.encode_to_vec())
    }

    /// `00 01`: the game's hello, its first line.
    pub fn initial_game_message() -> Self {
        Self {
            inner: vec![0x00, 0x01],
        }
    }

    /// `00 02`: a bot's hello, its first line.
    pub fn initial_bot_message() -> Self {
        Self {
            inner: vec![0x00, 0x02],
        }
    }

    /// `00 01` + a `Hello` body: the game's hello with its room and client (PROTOCOL.md §9.1).
    pub fn game_hello_message(hello: &Hello) -> Self {
        Self::new(0x00, 0x01, hello.encode_to_vec())
    }

    /// `00 02` + a `Hello` body: a bot's hello with its room and client (PROTOCOL.md §9.1).
    pub fn bot_hello_message(hello: &Hello) -> Self {
        Self::new(0x00, 0x02, hello.encode_to_vec())
    }

    /// `00 22` + `InitialMessageProto{botName}`: a bot's name, the line after its hello.
    pub fn bot_info_message(name: impl ToString) -> Self {
        let body = InitialMessageProto {
            bot_index: 0,
            bot_name: name.to_string(),
        };
        Self::new_proto(0x00, 0x22, body)
    }

    /// `00 FF` with an empty body: the end of a match (sent by the broker).
    pub fn termination_message() -> Self {
        Self {
            inner: vec![0x00, 0xFF],
        }
    }

    /// `00 FE`: the game ends the match.
    pub fn end_game_message() -> Self {
        Self {
            inner: vec![0x00, 0xFE],
        }
    }

    /// `00 FE` + a `MatchResult` body: the game ends the match with its result (PROTOCOL.md §9.4);
    /// an empty result is the plain `00 FE`.
    pub fn end_game_with_result(result: &MatchResult) -> Self {
        Self::new(0x00, 0xFE, result.encode_to_vec())
    }

    /// `01 00` with an empty body: the broker's trigger to the game ("your next action").
    pub fn trigger_message() -> Self {
        Self {
            inner: vec![0x01, 0x00],
        }
    }

    /// The first byte. A message built by `From<Vec<u8>>` from fewer bytes reads as 0 here;
    /// messages read from the wire always have both codes.
    pub fn opcode(&self) -> &u8 {
        self.inner.first().unwrap_or(&0)
    }

    /// The second byte (0 if the message is shorter, see [`opcode`](Self::opcode)).
    pub fn operand(&self) -> &u8 {
        self.inner.get(1).unwrap_or(&0)
    }

    /// `(opcode, operand)`, handy in a `match`.
    pub fn codes(&self) -> (&u8, &u8) {
        (self.opcode(), self.operand())
    }

    /// Everything after the two codes (empty if there is nothing).
    pub fn body(&self) -> &[u8] {
        self.inner.get(2..).unwrap_or(&[])
    }

    /// Decodes the body as the protobuf message `B`.
    pub fn body_proto<B>(&self) -> Result<B>
    where
        B: Message + Default,
    {
        B::decode(self.body()).map_err(Error::from)
    }

    /// True for `00 FF`, the end of a match, normal or not.
    pub fn is_end(&self) -> bool {
        self.codes() == (&0x00, &0xFF)
    }

    /// For `00 FF` with a non-empty body: the broker's reason for an abnormal end (PROTOCOL.md §6),
    /// lossily decoded as UTF-8. `None` for a normal end or any other message.
    pub fn end_reason(&self) -> Option<String> {
        if self.is_end() && !self.body().is_empty() {
            Some(String::from_utf8_lossy(self.body()).into_owned())
        } else {
            None
        }
    }

    /// Checks that the envelope is valid v1: at least two bytes, opcode 00–02.
    pub fn validate(self) -> Result<Self> {
        if self.inner.len() < 2 {
            return Err(Error::ShortEnvelope {
                len: self.inner.len(),
            });
        }
        if self.inner[0] > 0x02 {
            return Err(Error::UnknownOpcode(self.inner[0]));
        }
        Ok(self)
    }

    /// Decodes one line (without its `\n`): canonical padded standard base64, then
    /// [`validate`](Self::validate). `\r` and whitespace are errors (PROTOCOL.md §2).
    pub fn from_line(line: &[u8]) -> Result<Self> {
        let bytes = BASE64_STANDARD.decode(line)?;
        Self::from(bytes).validate()
    }

    /// The line for this message: base64 text, without the `\n`.
    pub fn to_line(&self) -> String {
        BASE64_STANDARD.encode(&self.inner)
    }

    /// The whole message as bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.inner
    }
}

/// Wraps raw bytes unchecked (like the original); use [`BitBrokerMessage::validate`] to check.
impl From<Vec<u8>> for BitBrokerMessage {
    fn from(value: Vec<u8>) -> Self {
        Self { inner: value }
    }
}

impl AsRef<[u8]> for BitBrokerMessage {
    fn as_ref(&self) -> &[u8] {
        &self.inner
    }
}

/// `EndGame` → `00 FE`; `PlayerAction(i, state)` → `01 i` + state.
impl<S> From<Action<S>> for BitBrokerMessage
where
    S: Into<Vec<u8>>,
{
    fn from(value: Action<S>) -> Self {
        match value {
            Action::EndGame => Self::end_game_message(),
            Action::PlayerAction(player, state) => Self::new(0x01, player, state.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_messages_read_as_zero_codes_and_an_empty_body_instead_of_panicking() {
        for bytes in [vec![], vec![0x02]] {
            let m = BitBrokerMessage::from(bytes);
            assert_eq!(*m.operand(), 0);
            assert!(m.body().is_empty());
            assert_eq!(m.validate().unwrap_err().code(), "short_envelope");
        }
    }

    #[test]
    fn an_end_with_a_body_carries_the_reason_and_an_empty_end_does_not() {
        let aborted = BitBrokerMessage::new(0x00, 0xFF, b"bot 1 disconnected".to_vec());
        assert_eq!(aborted.end_reason().as_deref(), Some("bot 1 disconnected"));
        assert_eq!(BitBrokerMessage::termination_message().end_reason(), None);
        assert!(BitBrokerMessage::termination_message().is_end());
    }
}
