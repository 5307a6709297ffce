//! The broker's own protobuf messages: v1's from `proto/initial.proto` (package
//! `bitbroker.initial`, PROTOCOL.md §4) and the extensions' from `proto/arena.proto` (§9).
//! Written with prost's derive, the same shape prost-build generates; no protoc.

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

/// Body of a hello line (`00 01` game, `00 02` bot), from `proto/arena.proto` (package
/// `bitbroker.arena`, PROTOCOL.md §9.1). The original broker ignores it.
#[derive(Clone, PartialEq, Eq, Hash, prost::Message)]
pub struct Hello {
    /// The room to play in; "" = the broker's default room.
    #[prost(string, tag = "1")]
    pub room: String,
    /// The client library, e.g. "bitbroker-rust".
    #[prost(string, tag = "2")]
    pub client: String,
    /// The client library's version.
    #[prost(string, tag = "3")]
    pub client_version: String,
    /// Optional features asked for (PROTOCOL.md §9.3): `results`, `timing`, `frames`.
    #[prost(string, repeated, tag = "4")]
    pub features: Vec<String>,
    /// Game only: bots per match (1-255); 0 = the room's line-up size.
    #[prost(uint32, tag = "5")]
    pub bots: u32,
    /// The access token, when the broker requires one (PROTOCOL.md §9.6); "" = none.
    #[prost(string, tag = "6")]
    pub token: String,
    /// Bot only: its seat ticket, the index it takes in its match (§9.7); `None` = by arrival.
    #[prost(uint32, optional, tag = "7")]
    pub seat: Option<u32>,
    /// Game only: the time rules its matches ask for (§9.5); `None` = the room's.
    #[prost(message, optional, tag = "8")]
    pub time: Option<TimeRules>,
    /// Bot only: a person plays this seat (§12.2; the broker's /play page sets it): records mark it.
    #[prost(bool, tag = "9")]
    pub human: bool,
}

/// Time rules of a match (PROTOCOL.md §9.5), in ms: what a game asks for in its `Hello`
/// (`ConnectOptions::time`; a field left `None` takes the room's or the broker's value), and
/// what a game that asked for `timing` is told is in force (every field set) in its `Welcome`.
#[derive(Clone, PartialEq, Eq, Hash, prost::Message)]
pub struct TimeRules {
    /// Each move's own time; 0 = no deadline.
    #[prost(uint32, optional, tag = "1")]
    pub move_ms: Option<u32>,
    /// A bot's first move's time (loading, warming up).
    #[prost(uint32, optional, tag = "2")]
    pub first_move_ms: Option<u32>,
    /// Each bot's time bank: overage it may spend across the match.
    #[prost(uint32, optional, tag = "3")]
    pub bank_ms: Option<u32>,
    /// What a missed deadline does ([`Miss`] as `i32`; read it with `on_miss()`): `End` the match
    /// (the default), or `Skip` the turn (needs a game that asked for `timing`).
    #[prost(enumeration = "Miss", tag = "4")]
    pub on_miss: i32,
}

/// What a missed move deadline does (PROTOCOL.md §9.5): `TimeRules::on_miss`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum Miss {
    /// Not said: the room's or the broker's rule (END by default).
    Unset = 0,
    /// The match ends (`move_timeout`).
    End = 1,
    /// The turn is lost, the game is told (`00 31`), and the match goes on.
    Skip = 2,
}

/// The broker's answer to a `Hello` (`00 03`), before the match (PROTOCOL.md §9.1). Only
/// brokers with rooms send one; the original never does.
#[derive(Clone, PartialEq, Eq, Hash, prost::Message)]
pub struct Welcome {
    /// The broker's version, e.g. "0.3.0 (1a2b3c4d5e6f)".
    #[prost(string, tag = "1")]
    pub broker_version: String,
    /// The features of the Hello that the broker grants.
    #[prost(string, repeated, tag = "2")]
    pub features: Vec<String>,
    /// The room the client was placed in ("default" for the default room).
    #[prost(string, tag = "3")]
    pub room: String,
    /// Place in the room's queue when it joined: 1 = first in line.
    #[prost(uint32, tag = "4")]
    pub queue_position: u32,
    /// Bots per match in this client's matches.
    #[prost(uint32, tag = "5")]
    pub bots: u32,
    /// A game's matches' time rules, every field set (to a game that asked for `timing`).
    #[prost(message, optional, tag = "6")]
    pub time: Option<TimeRules>,
}

/// A match's result (PROTOCOL.md §9.4): the optional body of the game's `00 FE` (see
/// `BaseGame::match_result`), and what a bot that asked for results receives (`00 32`) just
/// before its `00 FF` (see `BaseBot::match_result`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct MatchResult {
    /// One entry per bot that has a result, by bot index; ties share a score or a rank.
    #[prost(message, repeated, tag = "1")]
    pub seats: Vec<SeatResult>,
    /// A short text for people ("X wins in 17 moves"), at most 256 characters.
    #[prost(string, tag = "2")]
    pub summary: String,
}

/// One bot's result in a [`MatchResult`].
#[derive(Clone, PartialEq, prost::Message)]
pub struct SeatResult {
    /// The bot's index in the match (0-based, as in the batch).
    #[prost(uint32, tag = "1")]
    pub index: u32,
    /// Higher is better; `None`: no score.
    #[prost(double, optional, tag = "2")]
    pub score: Option<f64>,
    /// 1 = first; bots that tie share a rank; `None`: no rank.
    #[prost(uint32, optional, tag = "3")]
    pub rank: Option<u32>,
}

/// Broker → bot (`00 30`), to a bot that asked for `timing`: its time for the state that
/// follows, in ms (PROTOCOL.md §9.5).
#[derive(Clone, PartialEq, Eq, Hash, prost::Message)]
pub struct MoveTiming {
    /// This move's own time (0 = no deadline).
    #[prost(uint32, tag = "1")]
    pub move_ms: u32,
    /// The bot's time bank left.
    #[prost(uint32, tag = "2")]
    pub bank_ms: u32,
    /// The whole time it has for this move, from when the state was sent (0 = none).
    #[prost(uint32, tag = "3")]
    pub deadline_ms: u32,
}

/// Broker → game, in the body of a trigger, to a game that asked for `timing`: the last turn's
/// timing (PROTOCOL.md §9.5).
#[derive(Clone, PartialEq, prost::Message)]
pub struct TurnTiming {
    /// The bot that was asked.
    #[prost(uint32, tag = "1")]
    pub bot: u32,
    /// How long it thought, as the broker measured it, in ms.
    #[prost(double, tag = "2")]
    pub think_ms: f64,
    /// Its time bank left, in ms.
    #[prost(uint32, tag = "3")]
    pub bank_ms: u32,
    /// True when it missed its deadline.
    #[prost(bool, tag = "4")]
    pub missed: bool,
}

/// Broker → game (`00 31`), to a game that asked for `timing`, under SKIP: in place of the reply
/// of a bot that missed its deadline (PROTOCOL.md §9.5).
#[derive(Clone, PartialEq, Eq, Hash, prost::Message)]
pub struct MoveMissed {
    /// The bot that missed.
    #[prost(uint32, tag = "1")]
    pub bot: u32,
    /// The time it had, in ms.
    #[prost(uint32, tag = "2")]
    pub deadline_ms: u32,
}
