//! The broker's own protobuf messages, from `proto/initial.proto` (package `bitbroker.initial`,
//! PROTOCOL.md §4). Written with prost's derive, the same shape prost-build generates; no protoc.

/// A bot's name (bot → broker, `00 22`, `bot_index` left 0) and one entry of the batch.
#[derive(Clone, PartialEq, Eq, Hash, prost::Message)]
pub struct InitialMessageProto {
    /// The bot's 0-based index (seat order). 0 in a bot's own name message.
    #[prost(int32, tag = "1")]
    pub bot_index: i32,
    /// The bot's name, UTF-8; may be empty and need not be unique.
    #[prost(string, tag = "10")]
    pub bot_name: String,
}

/// Every bot's index and name, sent once to the game when the match starts (`00 11`),
/// in index order.
#[derive(Clone, PartialEq, Eq, Hash, prost::Message)]
pub struct InitialMessageBatchProto {
    /// One entry per bot.
    #[prost(message, repeated, tag = "1")]
    pub initial_messages: Vec<InitialMessageProto>,
}
