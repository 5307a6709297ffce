//! Our bots and game, Hello bodies and all, play a whole match through the ORIGINAL broker
//! (`bitbroker` 0.1.0's own `run_broker`, in this process on a free port): it sends no Welcome
//! and ignores hello bodies (PROTOCOL.md §9), and our clients never wait for one.
mod common;

use std::sync::Arc;
use std::time::Duration;

use bitbroker::{bots, run_bot_with, run_game_with, ConnectOptions};
use common::players::{EchoBot, ScriptedGame, Seen, BOT_NAMES};
use common::{free_port, on_own_thread, runtime, within};

const HOST: &str = "127.0.0.1";
const MATCH_TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn our_bots_and_game_with_hello_bodies_play_a_match_through_the_original_broker() {
    let port = free_port();
    // The original's futures are not provably Send: its broker gets a thread of its own.
    let broker = on_own_thread(move || async move {
        let run = original::run_broker(2, HOST, usize::from(port));
        tokio::time::timeout(MATCH_TIMEOUT, run).await
    });
    let rt = runtime();
    let options = ConnectOptions {
        room: Some("blitz".into()),
        ..ConnectOptions::default()
    };
    let seen: Vec<Seen> = (0..2).map(|_| Seen::default()).collect();
    let port = usize::from(port);
    // Our clients retry their connect until the original broker listens.
    let bot_a = rt.spawn(run_bot_with(
        EchoBot::<0> {
            seen: Arc::clone(&seen[0]),
        },
        HOST,
        port,
        options.clone(),
    ));
    let bot_b = rt.spawn(run_bot_with(
        EchoBot::<1> {
            seen: Arc::clone(&seen[1]),
        },
        HOST,
        port,
        options.clone(),
    ));
    let game_options = ConnectOptions {
        bots: Some(2),
        ..options
    };
    let mut game = ScriptedGame::new(3);
    let result = within(
        &rt,
        MATCH_TIMEOUT,
        run_game_with(&mut game, HOST, port, game_options),
    );
    assert!(result.is_ok(), "run_game: {}", result.unwrap_err());
    for bot in [bot_a, bot_b] {
        let outcome = within(&rt, MATCH_TIMEOUT, bot).unwrap();
        assert!(outcome.is_ok(), "run_bot: {}", outcome.unwrap_err());
    }
    let broker = broker
        .recv_timeout(MATCH_TIMEOUT)
        .expect("the original broker returns after its match");
    assert!(matches!(broker, Ok(Ok(()))), "original broker: {broker:?}");
    // ScriptedGame notes a batch out of index order, which only our broker promises.
    let problems: Vec<&String> = game
        .problems
        .iter()
        .filter(|p| !p.starts_with("batch indices"))
        .collect();
    assert_eq!(problems, Vec::<&String>::new());
    assert_eq!(game.replies.len(), 6);
    // The original lists the bots in hash-map order; `bots` puts them in index order.
    let batch = game.batch.as_ref().unwrap();
    let listed = bots(batch);
    assert_eq!(listed.iter().map(|b| b.index).collect::<Vec<_>>(), [0, 1]);
    let mut names: Vec<&str> = listed.iter().map(|b| b.name.as_str()).collect();
    names.sort();
    assert_eq!(names, BOT_NAMES[..2]);
    for (id, s) in seen.iter().enumerate() {
        assert_eq!(*s.lock().unwrap(), game.sent_to(BOT_NAMES[id]));
    }
}
