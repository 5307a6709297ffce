//! A complete game on the Rust SDK: counting. It asks the bots in turn to add one to a number,
//! TURNS times, then ends the match and prints the count.
//! `cargo run --example counting_game -- [HOST] [PORT] [TURNS]` (defaults 127.0.0.1 7878 10);
//! bots: `cargo run --example counting_bot -- [HOST] [PORT]`.
//! `main` returns `Result<(), bitbroker::Error>`: an error prints as one readable line.
use std::future::{ready, Future};

use bitbroker::proto::{InitialMessageBatchProto, MatchResult, SeatResult};
use bitbroker::{bots, run_game, Action, BaseGame, BotInfo, Error};

/// The referee: who plays (from the batch), the number so far, and how many turns to play.
struct CountingGame {
    bots: Vec<BotInfo>,
    turns: u32,
    count: u32,
    /// A bot that answered anything but count + 1, with what it said.
    wrong: Option<(String, String)>,
}

impl BaseGame for CountingGame {
    type State = Vec<u8>;
    type Response<'a> = &'a [u8];

    fn initialise(&mut self, batch: InitialMessageBatchProto) -> impl Future<Output = ()> + Send {
        self.bots = bots(&batch); // every bot, in index order
        ready(())
    }

    fn next_action(&mut self) -> impl Future<Output = Action<Vec<u8>>> + Send {
        if self.count >= self.turns || self.bots.is_empty() || self.wrong.is_some() {
            return ready(Action::EndGame);
        }
        let bot = &self.bots[self.count as usize % self.bots.len()];
        ready(Action::PlayerAction(
            bot.index,
            self.count.to_string().into_bytes(),
        ))
    }

    /// With the end, each bot's score: how many numbers it counted right (PROTOCOL.md §9.4).
    fn match_result(&mut self) -> Option<MatchResult> {
        let n = self.bots.len() as u32;
        let seats = self.bots.iter().enumerate().map(|(i, bot)| {
            let right = (self.count + n - 1 - i as u32) / n; // turns i, i + n, … below count
            SeatResult {
                index: u32::from(bot.index),
                score: Some(f64::from(right)),
                rank: None,
            }
        });
        Some(MatchResult {
            seats: seats.collect(),
            summary: format!("counted to {}", self.count),
        })
    }

    fn deliver_response<'a>(
        &mut self,
        response: Self::Response<'a>,
    ) -> impl Future<Output = ()> + Send {
        let said = String::from_utf8_lossy(response).into_owned();
        if said.parse::<u32>().ok() == Some(self.count + 1) {
            self.count += 1;
        } else {
            let bot = &self.bots[self.count as usize % self.bots.len()];
            self.wrong = Some((bot.name.clone(), said));
        }
        ready(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let host = args.first().map_or("127.0.0.1", String::as_str);
    // The port is a usize, as in the original crate; one above 65535 is a connect error.
    let port: usize = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(7878);
    let turns: u32 = args.get(2).and_then(|t| t.parse().ok()).unwrap_or(10);
    let mut game = CountingGame {
        bots: Vec::new(),
        turns,
        count: 0,
        wrong: None,
    };
    run_game(&mut game, host, port).await?;
    let names: Vec<String> = game
        .bots
        .iter()
        .map(|b| format!("{} {}", b.index, b.name))
        .collect();
    match game.wrong {
        None => println!("count {} with bots {}", game.count, names.join(", ")),
        Some((bot, said)) => println!("count {}: {bot} answered {said:?}", game.count),
    }
    Ok(())
}
