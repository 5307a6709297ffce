//! A game and bots written only against the ORIGINAL crate's public API (`bitbroker` 0.1.0);
//! sdk/rust's tests `#[path]`-include this file and compile it unchanged against our SDK.
use std::future::{ready, Future};
use std::sync::{Arc, Mutex};

use bitbroker::proto::InitialMessageBatchProto;
use bitbroker::{Action, BaseBot, BaseGame};

/// Every state a bot was sent, shared with the test.
pub type Seen = Arc<Mutex<Vec<Vec<u8>>>>;

/// Names of the bot types below, by type parameter.
pub const BOT_NAMES: [&str; 3] = ["interop-a", "interop-b", "interop-c"];

/// The reply every bot gives: its name, ':', then the state reversed.
pub fn expected_reply(name: &str, state: &[u8]) -> Vec<u8> {
    let mut reply = name.as_bytes().to_vec();
    reply.push(b':');
    reply.extend(state.iter().rev());
    reply
}

/// What every echo bot does with a state: records it in `seen`, then answers `expected_reply`.
pub fn echo(seen: &Seen, name: &str, state: &[u8]) -> Vec<u8> {
    seen.lock().unwrap().push(state.to_vec());
    expected_reply(name, state)
}

/// A bot named `BOT_NAMES[ID]` that records each state it is sent.
pub struct EchoBot<const ID: usize> {
    /// Every state this bot was asked to move on, in order.
    pub seen: Seen,
}

impl<const ID: usize> BaseBot for EchoBot<ID> {
    type State<'a> = &'a [u8];
    type Response = Vec<u8>;

    const NAME: &'static str = BOT_NAMES[ID];

    fn decide_move<'a>(&mut self, state: Self::State<'a>) -> impl Future<Output = Vec<u8>> + Send {
        ready(echo(&self.seen, Self::NAME, state))
    }
}

/// The state of turn `turn` for bot `index`: distinct per turn, with bytes that need care on
/// the wire (newline, CR, 00, FF), an empty one and a large one among them.
pub fn state_for(turn: usize, index: u8) -> Vec<u8> {
    match turn {
        1 => Vec::new(),
        4 => (0..100_000u32)
            .map(|i| (i * 7 + turn as u32) as u8)
            .collect(),
        _ => {
            let mut s = format!("turn {turn} bot {index} ").into_bytes();
            s.extend_from_slice(&[0x00, b'\n', b'\r', 0xFF, turn as u8]);
            s
        }
    }
}

/// A game that asks every bot `rounds` times in index order (or the fixed `script` of bot
/// indices if given), checks each reply, then ends.
pub struct ScriptedGame {
    rounds: usize,
    script: Option<Vec<u8>>,
    /// The batch the broker sent at match start.
    pub batch: Option<InitialMessageBatchProto>,
    /// (bot index, state) of every action sent, in order.
    pub asked: Vec<(u8, Vec<u8>)>,
    /// Every reply received, in order.
    pub replies: Vec<Vec<u8>>,
    /// Problems found (wrong reply, reply without a question, bad batch); empty when all is well.
    pub problems: Vec<String>,
    /// True once the game has sent EndGame.
    pub ended: bool,
}

impl ScriptedGame {
    /// A game of `rounds` rounds (each bot asked once per round).
    pub fn new(rounds: usize) -> Self {
        ScriptedGame {
            rounds,
            script: None,
            batch: None,
            asked: Vec::new(),
            replies: Vec::new(),
            problems: Vec::new(),
            ended: false,
        }
    }

    /// A game that asks exactly these bot indices, in order (e.g. one the broker does not know).
    pub fn scripted(indices: Vec<u8>) -> Self {
        ScriptedGame {
            script: Some(indices),
            ..ScriptedGame::new(0)
        }
    }

    /// The name the batch gives bot `index`.
    pub fn name_of(&self, index: u8) -> Option<String> {
        let batch = self.batch.as_ref()?;
        let entry = batch
            .initial_messages
            .iter()
            .find(|m| m.bot_index == i32::from(index))?;
        Some(entry.bot_name.clone())
    }

    /// The states this game sent to the bot called `name`, in order.
    pub fn sent_to(&self, name: &str) -> Vec<Vec<u8>> {
        let asked = self
            .asked
            .iter()
            .filter(|(i, _)| self.name_of(*i).as_deref() == Some(name));
        asked.map(|(_, s)| s.clone()).collect()
    }

    fn bots(&self) -> usize {
        self.batch.as_ref().map_or(0, |b| b.initial_messages.len())
    }
}

impl BaseGame for ScriptedGame {
    type State = Vec<u8>;
    type Response<'a> = &'a [u8];

    fn initialise(
        &mut self,
        initial_info: InitialMessageBatchProto,
    ) -> impl Future<Output = ()> + Send {
        let indices: Vec<i32> = initial_info
            .initial_messages
            .iter()
            .map(|m| m.bot_index)
            .collect();
        let want: Vec<i32> = (0..indices.len() as i32).collect();
        if indices != want {
            self.problems
                .push(format!("batch indices {indices:?}, want {want:?} in order"));
        }
        self.batch = Some(initial_info);
        ready(())
    }

    fn next_action(&mut self) -> impl Future<Output = Action<Vec<u8>>> + Send {
        let bots = self.bots();
        let turn = self.asked.len();
        let index = match &self.script {
            Some(script) => script.get(turn).copied(),
            None if bots > 0 && turn < self.rounds * bots => Some((turn % bots) as u8),
            None => None,
        };
        let Some(index) = index else {
            self.ended = true;
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
        match self.asked.get(self.replies.len()).cloned() {
            None => self
                .problems
                .push("a reply arrived with no question".into()),
            Some((index, state)) => {
                let name = self.name_of(index).unwrap_or_default();
                if response != expected_reply(&name, &state).as_slice() {
                    let head = &response[..response.len().min(40)];
                    self.problems.push(format!(
                        "turn {}: bot {index} ({name}) replied {head:02x?}…",
                        self.replies.len()
                    ));
                }
            }
        }
        self.replies.push(response.to_vec());
        ready(())
    }
}
