//! # bitbroker: write bots and games for the BitBroker broker (protocol v1)
//!
//! Source-compatible with the original crate `bitbroker` 0.1.0: a bot implements [`BaseBot`]
//! and runs with [`run_bot`]; a game implements [`BaseGame`] and runs with [`run_game`].
//! Code written for the original builds against this crate by changing the dependency line.
//! Unlike the original it never panics on a closed connection or a short message, retries the
//! connection at start (10 s), and reports an abnormal end (`00 FF` with the broker's reason) as
//! [`Error::MatchAborted`], [`Error::Refused`] or [`Error::BrokerShutdown`] by the reason's
//! code ([`Error::reason_code`]), distinct from a normal end (`Ok(())`). Every hello carries a
//! `Hello` (room from [`ConnectOptions::room`] or `$BITBROKER_ROOM`); a broker's `Welcome` is
//! noted, never waited for. It logs through the [`log`](https://docs.rs/log) facade: connect
//! retries, the Welcome, match start and end at info, each message at debug.
//!
//! The examples need tokio's runtime and macros:
//! `tokio = { version = "1", features = ["macros", "rt-multi-thread"] }`.
//!
//! A bot that answers every state with the state reversed:
//!
//! ```no_run
//! use std::future::{ready, Future};
//!
//! use bitbroker::{run_bot, BaseBot, Error};
//!
//! struct Mirror;
//!
//! impl BaseBot for Mirror {
//!     type State<'a> = &'a [u8];
//!     type Response = Vec<u8>;
//!
//!     const NAME: &'static str = "Mirror";
//!
//!     fn decide_move<'a>(&mut self, state: Self::State<'a>) -> impl Future<Output = Vec<u8>> + Send {
//!         ready(state.iter().rev().copied().collect())
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     match run_bot(Mirror, "127.0.0.1", 7878).await {
//!         Ok(()) => println!("the match is over"),
//!         Err(Error::MatchAborted(reason)) => eprintln!("the broker ended the match: {reason}"),
//!         // Refused, BrokerShutdown, Connect, …: `main` prints the error's text.
//!         Err(other) => return Err(other),
//!     }
//!     Ok(())
//! }
//! ```
//!
//! A game that asks bot 0 once, then ends the match:
//!
//! ```no_run
//! use std::future::{ready, Future};
//!
//! use bitbroker::proto::InitialMessageBatchProto;
//! use bitbroker::{run_game, Action, BaseGame};
//!
//! #[derive(Default)]
//! struct AskOnce {
//!     asked: bool,
//!     reply: Vec<u8>,
//! }
//!
//! impl BaseGame for AskOnce {
//!     type State = Vec<u8>;
//!     type Response<'a> = &'a [u8];
//!
//!     fn initialise(&mut self, batch: InitialMessageBatchProto) -> impl Future<Output = ()> + Send {
//!         for bot in bitbroker::bots(&batch) {
//!             println!("bot {} is {:?}", bot.index, bot.name);
//!         }
//!         ready(())
//!     }
//!
//!     fn next_action(&mut self) -> impl Future<Output = Action<Vec<u8>>> + Send {
//!         let action = if self.asked { Action::EndGame } else { Action::PlayerAction(0, b"hello".to_vec()) };
//!         self.asked = true;
//!         ready(action)
//!     }
//!
//!     fn deliver_response<'a>(&mut self, response: Self::Response<'a>) -> impl Future<Output = ()> + Send {
//!         self.reply = response.to_vec();
//!         ready(())
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), bitbroker::Error> {
//!     let mut game = AskOnce::default();
//!     run_game(&mut game, "127.0.0.1", 7878).await?;
//!     println!("bot 0 said {:?}", game.reply);
//!     Ok(())
//! }
//! ```
//!
//! The wire format is in the repository's `docs/PROTOCOL.md`; each message is one line:
//!
//! ```
//! use bitbroker::BitBrokerMessage;
//!
//! assert_eq!(BitBrokerMessage::trigger_message().to_line(), "AQA=");
//! let reply = BitBrokerMessage::from_line(b"AgB4eQ==").unwrap();
//! assert_eq!((reply.codes(), reply.body()), ((&2, &0), &b"xy"[..]));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod action;
mod batch;
mod clock;
mod connection;
mod error;
mod frames;
#[cfg(any(feature = "bot", feature = "game"))]
mod logs;
mod message;
mod options;
mod reasons;
#[cfg(any(feature = "bot", feature = "game"))]
mod session;
mod tls;

pub mod proto;

pub use action::Action;
pub use batch::{bots, BatchExt, BotInfo};
pub use clock::MoveClock;
pub use connection::Connection;
pub use error::Error;
pub use message::BitBrokerMessage;
pub use options::{
    broker_address_from_env, broker_address_with, ConnectOptions, Tls, CONNECT_TIMEOUT_DEFAULT,
    HOST_DEFAULT, HOST_ENV, LINE_BYTES_MAX_DEFAULT, PORT_DEFAULT, PORT_ENV,
    RETRY_FIRST_DELAY_DEFAULT, RETRY_MAX_DELAY_DEFAULT, ROOM_ENV, SEAT_ENV, TOKEN_ENV,
};
pub use proto::{Miss, MoveMissed, TimeRules, TurnTiming};
pub use tls::{TLS_CA_ENV, TLS_ENV, TLS_SERVER_NAME_ENV};

/// The crate's result type: `Result<T, bitbroker::Error>`.
pub type Result<T> = ::std::result::Result<T, Error>;

#[cfg(feature = "game")]
mod base_game;
#[cfg(feature = "game")]
pub use base_game::{run_game, run_game_from_env, run_game_from_env_with, run_game_with, BaseGame};

#[cfg(feature = "bot")]
mod base_bot;
#[cfg(feature = "bot")]
pub use base_bot::{run_bot, run_bot_from_env, run_bot_from_env_with, run_bot_with, BaseBot};
