//! The Rust peer of the framing bench (bench/framing.ts): one game or one bot on the Rust SDK,
//! v1 lines or v2 frames. The game times its turns and prints one JSON line.
//! `framing-peer game|bot PORT SIZE on|off [WARMUP_S MIN_S MIN_TURNS [gate]]`; with `gate` the
//! game waits for a line on stdin after its report, before it ends the match. Not a test.
use std::future::{ready, Future};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use bitbroker::proto::InitialMessageBatchProto;
use bitbroker::{run_bot_with, run_game_with, Action, BaseBot, BaseGame, ConnectOptions};

const REPLY: &[u8] = b"move:42!";
const GRANTED: &str = "the broker granted v2 frames: binary frames from now on";

/// Answers every state with the same 8 bytes, never reading it (the SDK has decoded it).
struct FixedBot;

impl BaseBot for FixedBot {
    type State<'a> = &'a [u8];
    type Response = Vec<u8>;
    const NAME: &'static str = "bench-rust";

    fn decide_move<'a>(&mut self, _: Self::State<'a>) -> impl Future<Output = Vec<u8>> + Send {
        ready(REPLY.to_vec())
    }
}

/// Asks bot 0 on the same state every turn: a warm-up, then timed turns (by count and time).
struct TimedGame {
    state: Vec<u8>,
    warmup_s: f64,
    min_s: f64,
    min_turns: usize,
    gate: bool,
    samples_us: Vec<f64>,
    turns: usize,
    timed_turns: usize,
    timed: bool,
    phase_start: Instant,
    sent: Instant,
}

impl TimedGame {
    fn report(&mut self, now: Instant) {
        self.samples_us.sort_by(f64::total_cmp);
        let s = &self.samples_us;
        let at = |q: f64| s[((q * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1];
        let seconds = (now - self.phase_start).as_secs_f64();
        println!(
            "{{\"turns\":{},\"turnsTotal\":{},\"seconds\":{seconds},\"turnsPerS\":{},\"p50Us\":{},\"p99Us\":{}}}",
            self.timed_turns,
            self.turns,
            self.timed_turns as f64 / seconds,
            at(0.5),
            at(0.99)
        );
    }
}

impl BaseGame for TimedGame {
    type State = Vec<u8>;
    type Response<'a> = &'a [u8];

    fn initialise(&mut self, _: InitialMessageBatchProto) -> impl Future<Output = ()> + Send {
        self.phase_start = Instant::now();
        ready(())
    }

    fn next_action(&mut self) -> impl Future<Output = Action<Vec<u8>>> + Send {
        let now = Instant::now();
        let elapsed = (now - self.phase_start).as_secs_f64();
        if !self.timed && self.turns >= 5 && elapsed >= self.warmup_s {
            self.timed = true;
            self.phase_start = now;
        } else if self.timed && self.timed_turns >= self.min_turns && elapsed >= self.min_s {
            self.report(now);
            if self.gate {
                // The harness reads the broker's socket counters while the match is still on.
                let _ = std::io::stdin().read_line(&mut String::new());
            }
            return ready(Action::EndGame);
        }
        self.sent = Instant::now();
        // A game hands the SDK its state by value: the copy is the game's, in v1 and v2 alike.
        ready(Action::PlayerAction(0, self.state.clone()))
    }

    fn deliver_response<'a>(
        &mut self,
        response: Self::Response<'a>,
    ) -> impl Future<Output = ()> + Send {
        let took_us = self.sent.elapsed().as_secs_f64() * 1e6;
        assert_eq!(response, REPLY, "the bot's reply is not the fixed one");
        self.turns += 1;
        if self.timed {
            self.timed_turns += 1;
            self.samples_us.push(took_us);
        }
        ready(())
    }
}

/// Notes the SDK's line saying the broker granted frames.
struct Granted(AtomicBool);

impl log::Log for Granted {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.args().to_string() == GRANTED {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    fn flush(&self) {}
}

static LOG: Granted = Granted(AtomicBool::new(false));

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), bitbroker::Error> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| argv.get(i).cloned().unwrap_or_else(|| default.into());
    let port: usize = arg(1, "7878").parse().expect("a port");
    let size: usize = arg(2, "64").parse().expect("a size");
    let frames = arg(3, "on") == "on";
    log::set_logger(&LOG).expect("one logger");
    log::set_max_level(log::LevelFilter::Info);
    let options = ConnectOptions {
        frames,
        ..ConnectOptions::default()
    };
    if arg(0, "bot") == "bot" {
        run_bot_with(FixedBot, "127.0.0.1", port, options).await?;
    } else {
        let mut game = TimedGame {
            state: (0..size).map(|i| (i * 31 + 7) as u8).collect(),
            warmup_s: arg(4, "0.5").parse().expect("seconds"),
            min_s: arg(5, "1.5").parse().expect("seconds"),
            min_turns: arg(6, "20").parse().expect("turns"),
            gate: arg(7, "") == "gate",
            samples_us: Vec::new(),
            turns: 0,
            timed_turns: 0,
            timed: false,
            phase_start: Instant::now(),
            sent: Instant::now(),
        };
        run_game_with(&mut game, "127.0.0.1", port, options).await?;
    }
    if LOG.0.load(Ordering::Relaxed) != frames {
        eprintln!("frames granted: {}, asked: {frames}", !frames);
        std::process::exit(1);
    }
    Ok(())
}
