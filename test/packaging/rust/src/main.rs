//! A counting game and its bot on the BitBroker Rust SDK: `counting game [port]`, `counting bot [port]`.
use std::future::{ready, Future};

use bitbroker::proto::InitialMessageBatchProto;
use bitbroker::{run_bot, run_game, Action, BaseBot, BaseGame, Error};

struct CounterBot;

impl BaseBot for CounterBot {
    type State<'a> = &'a [u8];
    type Response = Vec<u8>;
    const NAME: &'static str = "CounterBot";

    // The state is the count so far, as text: answer with one more.
    fn decide_move<'a>(&mut self, state: Self::State<'a>) -> impl Future<Output = Vec<u8>> + Send {
        let count: u32 = String::from_utf8_lossy(state).parse().unwrap_or(0);
        ready((count + 1).to_string().into_bytes())
    }
}

#[derive(Default)]
struct CountingGame {
    bots: Vec<String>,
    count: u32,
}

impl BaseGame for CountingGame {
    type State = Vec<u8>;
    type Response<'a> = &'a [u8];

    fn initialise(&mut self, batch: InitialMessageBatchProto) -> impl Future<Output = ()> + Send {
        self.bots = batch.initial_messages.into_iter().map(|bot| bot.bot_name).collect();
        ready(())
    }

    fn next_action(&mut self) -> impl Future<Output = Action<Vec<u8>>> + Send {
        ready(if self.count == 10 {
            Action::EndGame
        } else {
            let index = (self.count as usize % self.bots.len()) as u8;
            Action::PlayerAction(index, self.count.to_string().into_bytes())
        })
    }

    fn deliver_response<'a>(&mut self, response: Self::Response<'a>) -> impl Future<Output = ()> + Send {
        self.count = String::from_utf8_lossy(response).parse().unwrap_or(0);
        ready(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let role = std::env::args().nth(1).unwrap_or_default();
    // run_bot and run_game take the port as a usize, as the original crate's do.
    let port: usize = std::env::args().nth(2).map_or(7878, |p| p.parse().expect("a port number"));
    match role.as_str() {
        "bot" => run_bot(CounterBot, "127.0.0.1", port).await,
        "game" => {
            let mut game = CountingGame::default();
            run_game(&mut game, "127.0.0.1", port).await?;
            println!("match over: count {}, bots {}", game.count, game.bots.join(", "));
            Ok(())
        }
        _ => {
            eprintln!("usage: counting game|bot [port]");
            std::process::exit(2);
        }
    }
}
