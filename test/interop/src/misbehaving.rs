//! Clients that misbehave on purpose, for the abnormal ends of PROTOCOL.md §6–7: a slow bot on
//! the original BaseBot, and scripted peers that speak through the original crate's Connection.
use std::future::Future;
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::thread;

use tokio::sync::Notify;

use bitbroker::{BaseBot, BitBrokerMessage, Connection};

use crate::players::Seen;

pub const HOST: &str = "127.0.0.1";

/// Runs one client on its own thread and current-thread runtime, like a separate process.
/// (The original's futures are not provably Send, so no shared runtime.)
pub fn on_thread<T: Send + 'static>(
    client: impl FnOnce(&tokio::runtime::Runtime) -> T + Send + 'static,
) -> Receiver<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _ = tx.send(client(&rt));
    });
    rx
}

/// A bot that records each state, then answers `b"late"` only when the test releases it: its
/// move is late by construction, however fast or loaded the machine (no clock decides it).
pub struct SlowBot {
    /// Every state this bot was asked to move on, in order.
    pub seen: Seen,
    /// `notify_one` lets its pending move go (a permit is kept if it is not waiting yet).
    pub release: Arc<Notify>,
}

impl BaseBot for SlowBot {
    type State<'a> = &'a [u8];
    type Response = Vec<u8>;

    const NAME: &'static str = "slow-bot";

    fn decide_move<'a>(&mut self, state: Self::State<'a>) -> impl Future<Output = Vec<u8>> + Send {
        self.seen.lock().unwrap().push(state.to_vec());
        let release = Arc::clone(&self.release);
        async move {
            release.notified().await;
            b"late".to_vec()
        }
    }
}

/// A bot that says hello and its name, reads one line (its first state), then closes.
/// Returns the decoded bytes of that line (an empty Vec on a bare close).
pub async fn bot_leaving_after_one_state(port: usize, name: &str) -> bitbroker::Result<Vec<u8>> {
    let mut conn = Connection::new(HOST, port).await?;
    conn.send_message(BitBrokerMessage::initial_bot_message())
        .await?;
    conn.send_message(BitBrokerMessage::bot_info_message(name))
        .await?;
    let state: Vec<u8> = conn.read_message().await?;
    Ok(state) // `conn` is dropped here: the socket closes with the game awaiting the reply.
}

/// A game that says hello, reads two lines (the batch, then the trigger), then closes.
/// Returns the decoded bytes of both lines.
pub async fn game_leaving_after_first_trigger(
    port: usize,
) -> bitbroker::Result<(Vec<u8>, Vec<u8>)> {
    let mut conn = Connection::new(HOST, port).await?;
    conn.send_message(BitBrokerMessage::initial_game_message())
        .await?;
    let batch: Vec<u8> = conn.read_message().await?;
    let trigger: Vec<u8> = conn.read_message().await?;
    Ok((batch, trigger))
}
