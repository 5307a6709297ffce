//! Full matches through our broker, played by the ORIGINAL crate's own run_bot/run_game.
//! A failure here means the broker is wrong (docs/PROTOCOL.md), never the original crate.
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bitbroker::{run_bot, run_game};
use bitbroker_interop::broker::{count_events, is_event, Broker};
use bitbroker_interop::players::{EchoBot, ScriptedGame, Seen, BOT_NAMES};

const HOST: &str = "127.0.0.1";
/// Bound on one whole match, from the first connection to the last task's end.
const MATCH_TIMEOUT: Duration = Duration::from_secs(30);
/// Bound on a lobby step (a seat taken, the game joining).
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
const ROUNDS: usize = 3;

type Outcome = Result<bitbroker::Result<()>, tokio::time::error::Elapsed>;

/// Runs one client on its own thread and runtime, like a separate process, bounded by
/// MATCH_TIMEOUT. (The original's futures are not provably Send, so no shared runtime.)
fn on_thread<T: Send + 'static>(client: impl FnOnce() -> T + Send + 'static) -> Receiver<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(client());
    });
    rx
}

fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn spawn_bot(id: usize, port: usize, seen: Seen) -> Receiver<Outcome> {
    on_thread(move || {
        let rt = client_runtime();
        match id {
            0 => rt.block_on(async {
                tokio::time::timeout(MATCH_TIMEOUT, run_bot(EchoBot::<0> { seen }, HOST, port))
                    .await
            }),
            1 => rt.block_on(async {
                tokio::time::timeout(MATCH_TIMEOUT, run_bot(EchoBot::<1> { seen }, HOST, port))
                    .await
            }),
            2 => rt.block_on(async {
                tokio::time::timeout(MATCH_TIMEOUT, run_bot(EchoBot::<2> { seen }, HOST, port))
                    .await
            }),
            _ => unreachable!("three bot types"),
        }
    })
}

/// Waits for a client thread's outcome until `deadline`; panics with the broker log if late.
fn outcome<T>(rx: Receiver<T>, deadline: Instant, who: &str, broker: &Broker) -> T {
    let left = deadline.saturating_duration_since(Instant::now());
    rx.recv_timeout(left).unwrap_or_else(|e| {
        panic!(
            "{who}: no outcome ({e}: panicked or hung); broker log:\n{}",
            broker.log().join("\n")
        )
    })
}

/// Plays one match with `bots` bots, `before` of them connected (and seated) before the game,
/// the rest after the game has joined the lobby; checks everything both sides saw.
fn play_match(broker: &Broker, bots: usize, before: usize) {
    let port = usize::from(broker.port);
    let seats0 = count_events(broker, "seat taken");
    let games0 = count_events(broker, "game joined the lobby");
    let ends0 = count_events(broker, "match ended");
    let seen: Vec<Seen> = (0..bots).map(|_| Seen::default()).collect();

    let deadline = Instant::now() + MATCH_TIMEOUT;
    let mut bot_tasks = Vec::new();
    for (id, s) in seen.iter().enumerate().take(before) {
        bot_tasks.push(spawn_bot(id, port, Arc::clone(s)));
    }
    if before > 0 {
        broker.wait_for_count(STEP_TIMEOUT, seats0 + before, |l| is_event(l, "seat taken"));
    }
    let game_task = on_thread(move || {
        let mut game = ScriptedGame::new(ROUNDS);
        let result = client_runtime().block_on(async {
            tokio::time::timeout(MATCH_TIMEOUT, run_game(&mut game, HOST, port)).await
        });
        (game, result)
    });
    if before < bots {
        broker.wait_for_count(STEP_TIMEOUT, games0 + 1, |l| {
            is_event(l, "game joined the lobby")
        });
        for (id, s) in seen.iter().enumerate().skip(before) {
            bot_tasks.push(spawn_bot(id, port, Arc::clone(s)));
        }
    }

    let (game, game_result) = outcome(game_task, deadline, "run_game", broker);
    let bot_results: Vec<Outcome> = bot_tasks
        .into_iter()
        .enumerate()
        .map(|(id, rx)| outcome(rx, deadline, BOT_NAMES[id], broker))
        .collect();

    match game_result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("run_game failed: {e}"),
        Err(_) => panic!(
            "run_game not over in {MATCH_TIMEOUT:?}; broker log:\n{}",
            broker.log().join("\n")
        ),
    }
    for (id, r) in bot_results.iter().enumerate() {
        assert!(
            matches!(r, Ok(Ok(()))),
            "run_bot {}: {:?}",
            BOT_NAMES[id],
            r.as_ref().map(|r| r.as_ref().err())
        );
    }
    assert_eq!(game.problems, Vec::<String>::new());
    assert!(game.ended, "the game never sent EndGame");
    assert_eq!(game.asked.len(), ROUNDS * bots);
    assert_eq!(game.replies.len(), ROUNDS * bots);

    // The batch names every bot once; each bot got exactly the states sent to its index.
    let mut names: Vec<String> = (0..bots as u8)
        .map(|i| game.name_of(i).expect("index in batch"))
        .collect();
    for (id, s) in seen.iter().enumerate() {
        let index = names
            .iter()
            .position(|n| n == BOT_NAMES[id])
            .expect("bot in batch") as u8;
        let sent: Vec<Vec<u8>> = game
            .asked
            .iter()
            .filter(|(i, _)| *i == index)
            .map(|(_, st)| st.clone())
            .collect();
        assert_eq!(
            *s.lock().unwrap(),
            sent,
            "states received by {}",
            BOT_NAMES[id]
        );
    }
    names.sort();
    assert_eq!(names, BOT_NAMES[..bots].to_vec());

    let end = broker.wait_for_count(STEP_TIMEOUT, ends0 + 1, |l| is_event(l, "match ended"));
    assert!(
        end.contains("the game ended the match"),
        "not a normal end: {end}"
    );
}

fn play(bots: usize, before: usize) {
    let broker = Broker::start(bots as u8);
    play_match(&broker, bots, before);
}

#[test]
fn one_bot_connected_before_the_game_plays_a_full_match() {
    play(1, 1);
}

#[test]
fn one_bot_connected_after_the_game_plays_a_full_match() {
    play(1, 0);
}

#[test]
fn three_bots_connected_before_the_game_play_a_full_match() {
    play(3, 3);
}

#[test]
fn three_bots_connected_after_the_game_play_a_full_match() {
    play(3, 0);
}

#[test]
fn three_bots_around_the_game_play_a_full_match() {
    play(3, 1);
}

#[test]
fn original_clients_play_two_matches_back_to_back_on_one_broker() {
    let broker = Broker::start(3);
    play_match(&broker, 3, 2);
    play_match(&broker, 3, 0);
}
