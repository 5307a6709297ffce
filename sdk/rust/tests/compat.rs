//! Source compatibility: the interop crate's players, written against the ORIGINAL crate's API
//! (test/interop/src/players.rs, included by common/players.rs), compile unchanged against
//! this SDK and play a full match.
mod common;

use std::time::Duration;

use bitbroker::{run_bot, run_game};
use common::players::{EchoBot, ScriptedGame, BOT_NAMES};
use common::{is_event, runtime, within, Broker};

#[test]
fn players_written_for_the_original_crate_build_and_play_on_this_sdk() {
    let broker = Broker::start(3);
    let rt = runtime();
    let port = usize::from(broker.port);
    let seen: Vec<_> = (0..3).map(|_| std::sync::Arc::default()).collect();
    let bots = vec![
        rt.spawn(run_bot(
            EchoBot::<0> {
                seen: std::sync::Arc::clone(&seen[0]),
            },
            "127.0.0.1",
            port,
        )),
        rt.spawn(run_bot(
            EchoBot::<1> {
                seen: std::sync::Arc::clone(&seen[1]),
            },
            "127.0.0.1",
            port,
        )),
        rt.spawn(run_bot(
            EchoBot::<2> {
                seen: std::sync::Arc::clone(&seen[2]),
            },
            "127.0.0.1",
            port,
        )),
    ];
    let mut game = ScriptedGame::new(2);
    let result = within(
        &rt,
        Duration::from_secs(30),
        run_game(&mut game, "127.0.0.1", port),
    );
    assert!(result.is_ok(), "run_game: {}", result.unwrap_err());
    for bot in bots {
        let outcome = within(&rt, Duration::from_secs(10), bot).unwrap();
        assert!(outcome.is_ok(), "run_bot: {}", outcome.unwrap_err());
    }
    assert_eq!(game.problems, Vec::<String>::new());
    assert!(game.ended);
    assert_eq!(game.replies.len(), 6);
    let mut names: Vec<String> = (0..3).map(|i| game.name_of(i).unwrap()).collect();
    names.sort();
    assert_eq!(names, BOT_NAMES);
    for (id, s) in seen.iter().enumerate() {
        let got: &Vec<Vec<u8>> = &s.lock().unwrap();
        assert_eq!(got.len(), 2, "{} was asked twice", BOT_NAMES[id]);
    }
    broker.wait_for(Duration::from_secs(10), |l| is_event(l, "match ended"));
}
