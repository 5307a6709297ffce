//! The Connect Four example bot on our Rust SDK: decodes connect4.GameState, searches a
//! move, replies with connect4.Move. Rules and search are pure (rules.rs, strategy.rs).
use std::future::{ready, Future};

use bitbroker::BaseBot;
use prost::Message;

pub mod rules;
pub mod strategy;

use rules::Board;

/// `connect4.GameState` (examples/connect4/connect4.proto): what the game sends a bot.
#[derive(Clone, PartialEq, Message)]
pub struct GameState {
    /// 42 cells, row-major from the bottom row; 0 empty, 1 or 2 a disc.
    #[prost(bytes = "vec", tag = "1")]
    pub cells: Vec<u8>,
    /// The disc of the bot asked to move: 1 (bot 0, moves first) or 2 (bot 1).
    #[prost(uint32, tag = "2")]
    pub you: u32,
    /// Moves played so far.
    #[prost(uint32, tag = "3")]
    pub turn: u32,
}

/// `connect4.Move`: the bot's reply, the column (0..6) to drop its disc into.
#[derive(Clone, Copy, PartialEq, Eq, Message)]
pub struct Move {
    /// The column, 0 on the left.
    #[prost(uint32, tag = "1")]
    pub column: u32,
}

/// The state as the bot reads it: the decoded GameState, or `None` if it did not decode.
#[derive(Debug)]
pub struct Position(pub Option<GameState>);

impl From<&[u8]> for Position {
    fn from(bytes: &[u8]) -> Self {
        Position(GameState::decode(bytes).ok())
    }
}

/// The reply: a Move, encoded when it is sent.
#[derive(Debug, Clone, Copy)]
pub struct Reply(pub Move);

impl From<Reply> for Vec<u8> {
    fn from(reply: Reply) -> Self {
        reply.0.encode_to_vec()
    }
}

/// The bot: searches `depth` plies for each move.
#[derive(Debug, Clone)]
pub struct Connect4Bot {
    /// Search depth in plies (deeper is stronger and slower).
    pub depth: u32,
}

impl Default for Connect4Bot {
    fn default() -> Self {
        Self {
            depth: strategy::DEPTH_DEFAULT,
        }
    }
}

impl Connect4Bot {
    /// The column to play on this state; column 3 if the state makes no sense (it is the
    /// game's job to judge that move).
    pub fn column_for(&self, state: &Position) -> u32 {
        let Some(state) = &state.0 else { return 3 };
        let Some(board) = Board::from_cells(&state.cells) else {
            return 3;
        };
        let me = u8::try_from(state.you).unwrap_or(0);
        strategy::choose_column(&board, me, self.depth).map_or(3, |c| c as u32)
    }
}

impl BaseBot for Connect4Bot {
    type State<'a> = Position;
    type Response = Reply;

    const NAME: &'static str = "rust-connect4";

    fn decide_move<'a>(&mut self, state: Self::State<'a>) -> impl Future<Output = Reply> + Send {
        ready(Reply(Move {
            column: self.column_for(&state),
        }))
    }
}
