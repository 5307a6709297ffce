//! Test players: bots on OUR `BaseBot`, one on the ORIGINAL crate's, and a scripted game on ours
//! that checks every reply. All bots answer `name:` + the state reversed.
use std::future::{ready, Future};
use std::sync::{Arc, Mutex};

use bitbroker::proto::InitialMessageBatchProto;
use bitbroker::{Action, BaseBot, BaseGame};

/// The reply every test bot gives: its name, ':', then the state reversed.
pub fn expected_reply(name: &str, state: &[u8]) -> Vec<u8> {
    let mut reply = name.as_bytes().to_vec();
    reply.push(b':');
    reply.extend(state.iter().rev());
    reply
}

/// Every state a bot was sent, shared with the test.
pub type Seen = Arc<Mutex<Vec<Vec<u8>>>>;

/// Names of our test bots, by type parameter.
pub const RUST_NAMES: [&str; 3] = ["rust-a", "rust-b", "rust-c"];
/// Name of the bot built on the original crate.
pub const ORIGINAL_NAME: &str = "original-0.1.0";

/// A bot on OUR SDK named `RUST_NAMES[ID]`.
pub struct EchoBot<const ID: usize> {
    /// States received.
    pub seen: Seen,
}

impl<const ID: usize> BaseBot for EchoBot<ID> {
    type State<'a> = &'a [u8];
    type Response = Vec<u8>;

    const NAME: &'static str = RUST_NAMES[ID];

    fn decide_move<'a>(&mut self, state: Self::State<'a>) -> impl Future<Output = Vec<u8>> + Send {
        self.seen.lock().unwrap().push(state.to_vec());
        ready(expected_reply(Self::NAME, state))
    }
}

/// A bot on the ORIGINAL crate (`original::BaseBot`), same behaviour.
pub struct OriginalEchoBot {
    /// States received.
    pub seen: Seen,
}

impl original::BaseBot for OriginalEchoBot {
    type State<'a> = &'a [u8];
    type Response = Vec<u8>;

    const NAME: &'static str = ORIGINAL_NAME;

    fn decide_move<'a>(&mut self, state: Self::State<'a>) -> impl Future<Output = Vec<u8>> + Send {
        self.seen.lock().unwrap().push(state.to_vec());
        ready(expected_reply(Self::NAME, state))
    }
}

/// State of turn `turn` for bot `index`: distinct, with awkward bytes, one empty, one large.
pub fn state_for(turn: usize, index: u8) -> Vec<u8> {
    match turn {
        1 => Vec::new(),
        3 => (0..200_000u32).map(|i| (i * 13 + 1) as u8).collect(),
        _ => {
            let mut s = format!("turn {turn} bot {index} ").into_bytes();
            s.extend_from_slice(&[0x00, b'\n', b'\r', 0xFF]);
            s
        }
    }
}

/// A game on OUR SDK: asks bots in index order `rounds` times each (or the fixed `script` of
/// bot indices if given), checks each reply, then ends.
pub struct ScriptedGame {
    rounds: usize,
    script: Option<Vec<u8>>,
    /// The batch from the broker.
    pub batch: Option<InitialMessageBatchProto>,
    /// (bot index, state) of every action sent.
    pub asked: Vec<(u8, Vec<u8>)>,
    /// Replies received, in order.
    pub replies: Vec<Vec<u8>>,
    /// Wrong replies and the like; empty when all is well.
    pub problems: Vec<String>,
}

impl ScriptedGame {
    /// Asks every bot `rounds` times.
    pub fn new(rounds: usize) -> Self {
        Self {
            rounds,
            script: None,
            batch: None,
            asked: vec![],
            replies: vec![],
            problems: vec![],
        }
    }

    /// Asks exactly these bot indices, in order (e.g. an index the broker does not know).
    pub fn scripted(indices: Vec<u8>) -> Self {
        Self {
            script: Some(indices),
            ..Self::new(0)
        }
    }

    /// The name the batch gives `index`.
    pub fn name_of(&self, index: u8) -> Option<String> {
        let batch = self.batch.as_ref()?;
        let entry = batch
            .initial_messages
            .iter()
            .find(|m| m.bot_index == i32::from(index))?;
        Some(entry.bot_name.clone())
    }

    /// The states this game sent to the bot called `name`.
    pub fn sent_to(&self, name: &str) -> Vec<Vec<u8>> {
        let asked = self
            .asked
            .iter()
            .filter(|(i, _)| self.name_of(*i).as_deref() == Some(name));
        asked.map(|(_, s)| s.clone()).collect()
    }
}

impl BaseGame for ScriptedGame {
    type State = Vec<u8>;
    type Response<'a> = &'a [u8];

    fn initialise(
        &mut self,
        initial_info: InitialMessageBatchProto,
    ) -> impl Future<Output = ()> + Send {
        self.batch = Some(initial_info);
        ready(())
    }

    fn next_action(&mut self) -> impl Future<Output = Action<Vec<u8>>> + Send {
        let bots = self.batch.as_ref().map_or(0, |b| b.initial_messages.len());
        let turn = self.asked.len();
        let index = match &self.script {
            Some(script) => script.get(turn).copied(),
            None if bots > 0 && turn < self.rounds * bots => Some((turn % bots) as u8),
            None => None,
        };
        let Some(index) = index else {
            return ready(Action::EndGame);
        };
        let state = state_for(turn, index);
        self.asked.push((index, state.clone()));
        ready(Action::PlayerAction(index, state))
    }

    fn deliver_response<'a>(
        &mut self,
        response: Self::Response<'a>,
    ) -> impl Future<Output = ()> + Send {
        if let Some((index, state)) = self.asked.get(self.replies.len()).cloned() {
            let name = self.name_of(index).unwrap_or_default();
            if response != expected_reply(&name, &state).as_slice() {
                self.problems.push(format!(
                    "turn {}: wrong reply from bot {index} ({name})",
                    self.replies.len()
                ));
            }
        } else {
            self.problems.push("a reply with no question".into());
        }
        self.replies.push(response.to_vec());
        ready(())
    }
}
