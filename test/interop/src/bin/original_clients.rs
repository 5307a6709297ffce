//! The ORIGINAL crate's game and bots (`bitbroker` 0.1.0's own run_game/run_bot, players.rs) as one
//! program, so bun tests can play them beside our SDKs: `original_clients PORT BOTS ROUNDS`.
//! They join the broker's default room (v1: empty hello). Once every bot has replied once, the
//! game prints `at gate` and waits for a line `go` on stdin, so a test can hold this match open
//! while others run; it then plays on. It ends by printing `all ok` (exit 0) or each problem
//! (exit 1). It adds no behaviour to the original clients and never adapts them to a broker.
use std::future::Future;
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bitbroker::proto::InitialMessageBatchProto;
use bitbroker::{run_bot, run_game, Action, BaseGame};
use bitbroker_interop::players::{EchoBot, ScriptedGame, Seen, BOT_NAMES};

const HOST: &str = "127.0.0.1";
const USAGE: &str = "usage: original_clients PORT BOTS ROUNDS   (BOTS 1-3)";
/// Bound on the whole match, gate included.
const MATCH_TIMEOUT: Duration = Duration::from_secs(90);
/// Bound on the wait for `go` once at the gate.
const GATE_TIMEOUT: Duration = Duration::from_secs(60);

type Outcome = Result<bitbroker::Result<()>, tokio::time::error::Elapsed>;

/// ScriptedGame, held once before the turn `gate_turn` until `go` arrives.
struct GatedGame {
    inner: ScriptedGame,
    gate_turn: usize,
    gate: Option<Receiver<()>>,
}

impl BaseGame for GatedGame {
    type State = Vec<u8>;
    type Response<'a> = &'a [u8];

    fn initialise(&mut self, info: InitialMessageBatchProto) -> impl Future<Output = ()> + Send {
        self.inner.initialise(info)
    }

    fn next_action(&mut self) -> impl Future<Output = Action<Vec<u8>>> + Send {
        if self.inner.asked.len() == self.gate_turn {
            if let Some(gate) = self.gate.take() {
                say("at gate");
                // Blocking is fine: this runtime runs the game alone, and the broker waits for it.
                if gate.recv_timeout(GATE_TIMEOUT).is_err() {
                    self.inner
                        .problems
                        .push(format!("no `go` on stdin within {GATE_TIMEOUT:?}"));
                }
            }
        }
        self.inner.next_action()
    }

    fn deliver_response<'a>(
        &mut self,
        response: Self::Response<'a>,
    ) -> impl Future<Output = ()> + Send {
        self.inner.deliver_response(response)
    }
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// A channel that gets one message when stdin has a line `go`.
fn gate_from_stdin() -> Receiver<()> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if line.trim() == "go" {
                let _ = tx.send(());
                return;
            }
        }
    });
    rx
}

/// Runs one client on its own thread and current-thread runtime (the original's futures are not
/// provably Send), bounded by MATCH_TIMEOUT.
fn on_thread<T: Send + 'static>(
    client: impl FnOnce(&tokio::runtime::Runtime) -> T + Send + 'static,
) -> Receiver<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let _ = tx.send(client(&rt));
    });
    rx
}

fn spawn_bot(id: usize, port: usize, seen: Seen) -> Receiver<Outcome> {
    on_thread(move |rt| {
        rt.block_on(async move {
            match id {
                0 => {
                    tokio::time::timeout(MATCH_TIMEOUT, run_bot(EchoBot::<0> { seen }, HOST, port))
                        .await
                }
                1 => {
                    tokio::time::timeout(MATCH_TIMEOUT, run_bot(EchoBot::<1> { seen }, HOST, port))
                        .await
                }
                _ => {
                    tokio::time::timeout(MATCH_TIMEOUT, run_bot(EchoBot::<2> { seen }, HOST, port))
                        .await
                }
            }
        })
    })
}

fn describe(outcome: Option<Outcome>) -> Option<String> {
    match outcome {
        Some(Ok(Ok(()))) => None,
        Some(Ok(Err(e))) => Some(format!("returned Err({e})")),
        Some(Err(_)) => Some(format!("not over in {MATCH_TIMEOUT:?}")),
        None => Some("panicked or hung".into()),
    }
}

/// Plays the match; returns every problem found (none: all is well).
fn play(port: usize, bots: usize, rounds: usize) -> Vec<String> {
    let deadline = Instant::now() + MATCH_TIMEOUT + Duration::from_secs(5);
    let seen: Vec<Seen> = (0..bots).map(|_| Seen::default()).collect();
    let bot_tasks: Vec<Receiver<Outcome>> = (0..bots)
        .map(|id| spawn_bot(id, port, Arc::clone(&seen[id])))
        .collect();
    let gate = gate_from_stdin();
    let game_task = on_thread(move |rt| {
        let mut game = GatedGame {
            inner: ScriptedGame::new(rounds),
            gate_turn: bots,
            gate: Some(gate),
        };
        let result = rt.block_on(async {
            tokio::time::timeout(MATCH_TIMEOUT, run_game(&mut game, HOST, port)).await
        });
        (game.inner, result)
    });
    let left = || deadline.saturating_duration_since(Instant::now());
    let mut problems = Vec::new();
    let Ok((game, result)) = game_task.recv_timeout(left()) else {
        return vec!["run_game: panicked or hung".into()];
    };
    problems.extend(describe(Some(result)).map(|p| format!("run_game {p}")));
    for (id, task) in bot_tasks.into_iter().enumerate() {
        let p = describe(task.recv_timeout(left()).ok());
        problems.extend(p.map(|p| format!("run_bot {} {p}", BOT_NAMES[id])));
    }
    problems.extend(game.problems.iter().cloned());
    if !game.ended {
        problems.push("the game never sent EndGame".into());
    }
    if game.replies.len() != rounds * bots {
        problems.push(format!(
            "{} replies, want {}",
            game.replies.len(),
            rounds * bots
        ));
    }
    let mut names: Vec<String> = (0..bots as u8).filter_map(|i| game.name_of(i)).collect();
    names.sort();
    if names != BOT_NAMES[..bots] {
        problems.push(format!(
            "batch names {names:?}, want {:?}",
            &BOT_NAMES[..bots]
        ));
    }
    for (id, s) in seen.iter().enumerate() {
        if *s.lock().unwrap() != game.sent_to(BOT_NAMES[id]) {
            problems.push(format!(
                "{} did not get exactly the states sent to it",
                BOT_NAMES[id]
            ));
        }
    }
    problems
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match &args[..] {
        [port, bots, rounds] => port
            .parse::<u16>()
            .ok()
            .zip(bots.parse::<usize>().ok().filter(|b| (1..=3).contains(b)))
            .zip(rounds.parse::<usize>().ok()),
        _ => None,
    };
    let Some(((port, bots), rounds)) = parsed else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let problems = play(usize::from(port), bots, rounds);
    if problems.is_empty() {
        say("all ok");
        return ExitCode::SUCCESS;
    }
    for p in &problems {
        say(&format!("problem: {p}"));
    }
    ExitCode::FAILURE
}
