//! Full matches through the real broker: a Rust game with Rust bots, a Rust bot beside a bot
//! built on the ORIGINAL crate, and a bot started before the broker (connect retry).
mod common;

use std::sync::Arc;
use std::time::Duration;

use bitbroker::{run_bot, run_game};
use common::players::{EchoBot, OriginalEchoBot, ScriptedGame, Seen, BOT_NAMES, ORIGINAL_NAME};
use common::{
    count_events, free_port, is_event, json_string, on_own_thread, runtime, within, Broker,
};
use tokio::runtime::Runtime;

const HOST: &str = "127.0.0.1";
const MATCH_TIMEOUT: Duration = Duration::from_secs(30);
const STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// Spawns one of our bots on the shared runtime: `tokio::spawn` compiles only because
/// `run_bot`'s future is `Send`.
fn spawn_rust_bot(
    rt: &Runtime,
    id: usize,
    port: usize,
    seen: Seen,
) -> tokio::task::JoinHandle<bitbroker::Result<()>> {
    match id {
        0 => rt.spawn(run_bot(EchoBot::<0> { seen }, HOST, port)),
        1 => rt.spawn(run_bot(EchoBot::<1> { seen }, HOST, port)),
        _ => rt.spawn(run_bot(EchoBot::<2> { seen }, HOST, port)),
    }
}

fn spawn_game(
    rt: &Runtime,
    port: usize,
    rounds: usize,
) -> tokio::task::JoinHandle<(ScriptedGame, bitbroker::Result<()>)> {
    rt.spawn(async move {
        let mut game = ScriptedGame::new(rounds);
        let result = run_game(&mut game, HOST, port).await;
        (game, result)
    })
}

fn check_game(game: &ScriptedGame, result: &bitbroker::Result<()>, bots: usize, rounds: usize) {
    assert!(result.is_ok(), "run_game: {}", result.as_ref().unwrap_err());
    assert_eq!(game.problems, Vec::<String>::new());
    assert_eq!(game.replies.len(), bots * rounds);
    let batch = game.batch.as_ref().expect("the game got the batch");
    let indices: Vec<i32> = batch.initial_messages.iter().map(|m| m.bot_index).collect();
    assert_eq!(
        indices,
        (0..bots as i32).collect::<Vec<_>>(),
        "batch in index order"
    );
}

#[test]
fn a_rust_game_with_rust_bots_plays_a_full_match() {
    for (bots, game_first) in [(2, false), (3, true)] {
        let broker = Broker::start(bots as u8);
        let rt = runtime();
        let port = usize::from(broker.port);
        let seen: Vec<Seen> = (0..bots).map(|_| Seen::default()).collect();
        let game = game_first.then(|| spawn_game(&rt, port, 3));
        if game_first {
            broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "game joined the lobby"));
        }
        let handles: Vec<_> = (0..bots)
            .map(|id| spawn_rust_bot(&rt, id, port, Arc::clone(&seen[id])))
            .collect();
        let game = game.unwrap_or_else(|| spawn_game(&rt, port, 3));
        let (game, bot_results) = within(&rt, MATCH_TIMEOUT, async {
            let game = game.await.unwrap();
            let mut results = Vec::new();
            for h in handles {
                results.push(h.await.unwrap());
            }
            (game, results)
        });
        check_game(&game.0, &game.1, bots, 3);
        for (id, result) in bot_results.iter().enumerate() {
            assert!(
                result.is_ok(),
                "{}: {}",
                BOT_NAMES[id],
                result.as_ref().unwrap_err()
            );
            assert_eq!(
                *seen[id].lock().unwrap(),
                game.0.sent_to(BOT_NAMES[id]),
                "{}",
                BOT_NAMES[id]
            );
        }
        let end = broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "match ended"));
        assert_eq!(
            json_string(&end, "code").as_deref(),
            Some("normal"),
            "{end}"
        );
    }
}

#[test]
fn a_rust_bot_and_an_original_crate_bot_play_in_one_match() {
    let broker = Broker::start(2);
    let rt = runtime();
    let port = usize::from(broker.port);
    let (ours, theirs) = (Seen::default(), Seen::default());
    // The original's bot first, so it sits at index 0 and moves first.
    let original_seen = Arc::clone(&theirs);
    let original = on_own_thread(move || async move {
        let bot = OriginalEchoBot {
            seen: original_seen,
        };
        tokio::time::timeout(MATCH_TIMEOUT, original::run_bot(bot, HOST, port)).await
    });
    broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "seat taken"));
    let rust_bot = spawn_rust_bot(&rt, 0, port, Arc::clone(&ours));
    let game = spawn_game(&rt, port, 4);
    let (game, result, rust_result) = within(&rt, MATCH_TIMEOUT, async {
        let (game, result) = game.await.unwrap();
        (game, result, rust_bot.await.unwrap())
    });
    let original_result = original
        .recv_timeout(STEP_TIMEOUT)
        .expect("the original bot finishes");

    check_game(&game, &result, 2, 4);
    assert_eq!(game.name_of(0).as_deref(), Some(ORIGINAL_NAME));
    assert_eq!(game.name_of(1).as_deref(), Some(BOT_NAMES[0]));
    assert!(rust_result.is_ok(), "our bot: {}", rust_result.unwrap_err());
    assert!(
        matches!(original_result, Ok(Ok(()))),
        "original bot: {original_result:?}"
    );
    assert_eq!(*theirs.lock().unwrap(), game.sent_to(ORIGINAL_NAME));
    assert_eq!(*ours.lock().unwrap(), game.sent_to(BOT_NAMES[0]));
}

#[test]
fn a_bot_started_before_the_broker_connects_once_it_listens() {
    let port = free_port();
    let rt = runtime();
    let seen = Seen::default();
    // Default options: the bot keeps retrying while nothing listens on the port.
    let bot = spawn_rust_bot(&rt, 0, usize::from(port), Arc::clone(&seen));
    let port_text = port.to_string();
    let broker = Broker::start_with(1, &[("BROKER_PORT", port_text.as_str())]);
    assert_eq!(broker.port, port);
    broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "seat taken"));
    let game = spawn_game(&rt, usize::from(port), 2);
    let ((game, result), bot_result) = within(&rt, MATCH_TIMEOUT, async {
        (game.await.unwrap(), bot.await.unwrap())
    });
    check_game(&game, &result, 1, 2);
    assert!(bot_result.is_ok(), "late bot: {}", bot_result.unwrap_err());
    assert_eq!(*seen.lock().unwrap(), game.sent_to(BOT_NAMES[0]));
    // The broker's log line may still be on its way through the pipe: wait for it, then count.
    broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "match started"));
    assert_eq!(count_events(&broker, "match started"), 1);
}

#[test]
fn seat_tickets_decide_the_bots_indices_whatever_their_arrival() {
    let broker = Broker::start(2);
    let rt = runtime();
    let port = usize::from(broker.port);
    let seated = |seat: u8| bitbroker::ConnectOptions {
        seat: Some(seat),
        ..bitbroker::ConnectOptions::default()
    };
    let b = EchoBot::<1> {
        seen: Seen::default(),
    };
    let second = rt.spawn(bitbroker::run_bot_with(b, HOST, port, seated(1)));
    broker.wait_for(STEP_TIMEOUT, |l| {
        is_event(l, "seat taken") && l.contains(BOT_NAMES[1])
    });
    let a = EchoBot::<0> {
        seen: Seen::default(),
    };
    let first = rt.spawn(bitbroker::run_bot_with(a, HOST, port, seated(0)));
    let game = spawn_game(&rt, port, 1);
    let (game, result) = within(&rt, MATCH_TIMEOUT, async { game.await.unwrap() });
    check_game(&game, &result, 2, 1);
    assert_eq!(game.name_of(0).as_deref(), Some(BOT_NAMES[0]));
    assert_eq!(game.name_of(1).as_deref(), Some(BOT_NAMES[1]));
    for bot in [first, second] {
        assert!(within(&rt, MATCH_TIMEOUT, bot).unwrap().is_ok());
    }
}
