//! What a game does on each trigger: ask one bot for a move, or end the match.
//! Same shape as the original crate's `Action`.

/// The game's answer to the broker's trigger (PROTOCOL.md §3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action<S> {
    /// End the match normally (`00 FE`); every bot then gets `00 FF`.
    EndGame,
    /// Ask the bot with this 0-based index to move on this state (`01 ii` + state).
    /// Its reply comes back through `BaseGame::deliver_response`.
    PlayerAction(u8, S),
}

impl<S> Action<S> {
    /// True if the broker answers this action with a bot's reply (`PlayerAction`).
    pub fn has_response(&self) -> bool {
        match self {
            Self::EndGame => false,
            Self::PlayerAction(_, _) => true,
        }
    }
}
