//! A bot for the counting game (`counting_game.rs`): it answers each number with the next one.
//! `cargo run --example counting_bot -- [HOST] [PORT]` (defaults 127.0.0.1 7878); its name is
//! the constant `BaseBot::NAME`, "counter".
use std::future::{ready, Future};

use bitbroker::proto::MatchResult;
use bitbroker::{run_bot, BaseBot, Error};

struct Counter;

impl BaseBot for Counter {
    type State<'a> = &'a [u8];
    type Response = Vec<u8>;

    const NAME: &'static str = "counter";

    fn decide_move<'a>(&mut self, state: Self::State<'a>) -> impl Future<Output = Vec<u8>> + Send {
        let number: u64 = String::from_utf8_lossy(state).parse().unwrap_or(0);
        ready((number + 1).to_string().into_bytes())
    }

    /// The game's result, just before the end (brokers that send results; not the original).
    fn match_result(&mut self, result: MatchResult) -> impl Future<Output = ()> + Send {
        println!("counter: result {:?}", result.summary);
        ready(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let host = args.first().map_or("127.0.0.1", String::as_str);
    let port: usize = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(7878);
    run_bot(Counter, host, port).await?;
    println!("counter: the match is over");
    Ok(())
}
