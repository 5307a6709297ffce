//! Connect retries and their log lines (PROTOCOL.md §10 defaults): an absent broker, and the real
//! broker started after a bot that has already tried and logged it.
mod common;

use std::time::Duration;

use bitbroker::{run_bot_with, run_game_with, ConnectOptions};
use common::capture::{capture, infos};
use common::players::{EchoBot, ScriptedGame, Seen};
use common::{free_port, is_event, runtime, within, Broker};

const HOST: &str = "127.0.0.1";
const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn each_failed_connect_is_logged_with_the_attempt_and_the_wait() {
    let _one = capture();
    let rt = runtime();
    let port = free_port();
    let options = ConnectOptions {
        attempts_max: Some(3),
        ..ConnectOptions::default()
    };
    let bot = EchoBot::<0> {
        seen: Seen::default(),
    };
    let err = within(
        &rt,
        LIMIT,
        run_bot_with(bot, HOST, usize::from(port), options),
    )
    .unwrap_err();
    assert_eq!(err.code(), "connect_failed");
    let infos = infos();
    assert_eq!(
        infos.len(),
        2,
        "no retry is announced after the last attempt: {infos:?}"
    );
    for (attempt, (text, wait)) in infos.iter().zip(["50", "100"]).enumerate() {
        let head = format!(
            "broker at 127.0.0.1:{port} not reachable yet (attempt {}): ",
            attempt + 1
        );
        assert!(text.starts_with(&head), "{text}");
        assert!(
            text.ends_with(&format!(", retrying in {wait} ms")),
            "{text}"
        );
    }
}

#[test]
fn a_bot_started_before_the_broker_logs_its_retries_then_plays_once_it_listens() {
    let _one = capture();
    let rt = runtime();
    let port = free_port();
    let seen = Seen::default();
    let bot = rt.spawn(run_bot_with(
        EchoBot::<0> { seen },
        HOST,
        usize::from(port),
        ConnectOptions::default(),
    ));
    // Wait (bounded) until the bot has really tried and failed, then start the broker there.
    let retried = format!("broker at 127.0.0.1:{port} not reachable yet (attempt 1)");
    let deadline = std::time::Instant::now() + LIMIT;
    while !infos().iter().any(|t| t.starts_with(&retried)) {
        assert!(
            std::time::Instant::now() < deadline,
            "no retry logged: {:?}",
            infos()
        );
        std::thread::sleep(Duration::from_millis(5)); // polling a condition, with a bound
    }
    let port_text = port.to_string();
    let broker = Broker::start_with(1, &[("BROKER_PORT", port_text.as_str())]);
    broker.wait_for(LIMIT, |l| is_event(l, "seat taken"));
    let mut game = ScriptedGame::new(1);
    let game = within(
        &rt,
        LIMIT,
        run_game_with(
            &mut game,
            HOST,
            usize::from(port),
            ConnectOptions::no_retry(),
        ),
    );
    assert!(game.is_ok(), "{}", game.unwrap_err());
    let bot = within(&rt, LIMIT, bot).unwrap();
    assert!(bot.is_ok(), "{}", bot.unwrap_err());
    let infos = infos();
    assert!(infos
        .iter()
        .any(|t| t.contains("as bot \"interop-a\" (room default); waiting")));
}
