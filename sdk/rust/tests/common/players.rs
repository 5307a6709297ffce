//! Test players: the interop crate's game and echo bots (written against the ORIGINAL crate's
//! API, compiled here unchanged against OUR SDK), plus one echo bot on the original crate itself.
#[path = "../../../../test/interop/src/players.rs"]
mod original_api_players;

use std::future::{ready, Future};

pub use original_api_players::*;

/// Name of the bot built on the original crate.
pub const ORIGINAL_NAME: &str = "original-0.1.0";

/// A bot on the ORIGINAL crate (`original::BaseBot`), same behaviour as `EchoBot`.
pub struct OriginalEchoBot {
    /// States received.
    pub seen: Seen,
}

impl original::BaseBot for OriginalEchoBot {
    type State<'a> = &'a [u8];
    type Response = Vec<u8>;

    const NAME: &'static str = ORIGINAL_NAME;

    fn decide_move<'a>(&mut self, state: Self::State<'a>) -> impl Future<Output = Vec<u8>> + Send {
        ready(echo(&self.seen, Self::NAME, state))
    }
}
