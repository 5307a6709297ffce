//! Error paths against the real broker: broker absent, the broker ending a match abnormally
//! (a bot leaves, the broker shuts down), and a game naming an unknown bot index. Each reason is
//! checked by its code (PROTOCOL.md §6.1) through `Error::reason_code`.
mod common;

use std::error::Error as _;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use bitbroker::{run_bot, run_bot_with, run_game, run_game_with, ConnectOptions, Error};
use common::players::{EchoBot, ScriptedGame, Seen};
use common::{expect_reason, free_port, is_event, runtime, within, Broker};

const HOST: &str = "127.0.0.1";
const MATCH_TIMEOUT: Duration = Duration::from_secs(30);
const STEP_TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn an_absent_broker_is_a_connect_error_after_the_retries_with_a_readable_debug_text() {
    let rt = runtime();
    let port = usize::from(free_port());
    let options = ConnectOptions {
        attempts_max: Some(3),
        first_delay: Duration::from_millis(20),
        ..ConnectOptions::default()
    };
    let bot = EchoBot::<0> {
        seen: Seen::default(),
    };
    let err = within(&rt, MATCH_TIMEOUT, run_bot_with(bot, HOST, port, options)).unwrap_err();
    let Error::Connect {
        address,
        attempts,
        source,
    } = &err
    else {
        panic!("not a connect error: {err}")
    };
    assert_eq!(
        (address.as_str(), *attempts),
        (format!("127.0.0.1:{port}").as_str(), 3)
    );
    assert_eq!(source.kind(), std::io::ErrorKind::ConnectionRefused);
    assert_eq!(err.code(), "connect_failed");
    assert!(err.source().is_some(), "the io error is the source");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "could not connect to the broker at 127.0.0.1:{port} (3 attempts): "
        )),
        "{text}"
    );
    // What `fn main() -> Result<(), bitbroker::Error>` prints: "Error: {err:?}".
    assert_eq!(format!("{err:?}"), text);
    assert!(format!("{err:#?}").contains("code: \"connect_failed\""));
    assert_eq!((err.reason(), err.reason_code()), (None, None));

    // A time budget instead of a number of attempts: it retries until the budget runs out.
    let options = ConnectOptions {
        connect_timeout: Duration::from_millis(300),
        ..ConnectOptions::default()
    };
    let mut game = ScriptedGame::new(1);
    let run = run_game_with(&mut game, HOST, port, options);
    let err = within(&rt, MATCH_TIMEOUT, run).unwrap_err();
    let Error::Connect { attempts, .. } = &err else {
        panic!("not a connect error: {err}")
    };
    assert!(*attempts >= 2, "{err}");
}

/// A raw v1 bot that takes seat 0, then hangs up as soon as it is asked to move.
fn quitter(port: u16) -> std::thread::JoinHandle<()> {
    let mut socket = TcpStream::connect((HOST, port)).unwrap();
    socket.write_all(b"AAI=\nACJSBHF1aXQ=\n").unwrap(); // hello, name "quit"
    std::thread::spawn(move || {
        let mut line = String::new();
        socket.set_read_timeout(Some(MATCH_TIMEOUT)).unwrap();
        let _ = BufReader::new(&socket).read_line(&mut line);
        let message = bitbroker::BitBrokerMessage::from_line(line.trim_end().as_bytes()).unwrap();
        assert_eq!(
            message.codes(),
            (&0x02, &0x05),
            "expected 02 05 + state, got {line:?}"
        );
    })
}

#[test]
fn a_match_the_broker_ends_abnormally_is_an_error_for_the_game_and_the_bots() {
    let broker = Broker::start(2);
    let rt = runtime();
    let port = usize::from(broker.port);
    let quit = quitter(broker.port);
    broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "seat taken"));
    let bot = rt.spawn(run_bot(
        EchoBot::<0> {
            seen: Seen::default(),
        },
        HOST,
        port,
    ));
    let mut game = ScriptedGame::new(2);
    let game_result = within(&rt, MATCH_TIMEOUT, run_game(&mut game, HOST, port));
    let bot_result = within(&rt, MATCH_TIMEOUT, bot).unwrap();
    quit.join().unwrap();

    // PROTOCOL.md §6.1: "bot_disconnected: bot 0 (quit) disconnected", maybe with more after it.
    let err = game_result.unwrap_err();
    expect_reason(&err, "bot_disconnected", "bot 0 (quit) disconnected");
    assert_eq!(err.code(), "match_aborted");
    let reason = err.abort_reason().unwrap().to_string();
    assert_eq!(
        err.to_string(),
        format!("the broker ended the match abnormally: {reason}")
    );
    let err = bot_result.unwrap_err();
    assert_eq!(err.reason(), Some(reason.as_str()), "bot: {err}");
    assert_eq!(game.replies.len(), 0);
}

#[test]
fn a_broker_shutting_down_ends_waiting_clients_with_its_reason() {
    let broker = Broker::start(2);
    let rt = runtime();
    let port = usize::from(broker.port);
    let bot = rt.spawn(run_bot(
        EchoBot::<0> {
            seen: Seen::default(),
        },
        HOST,
        port,
    ));
    let game = rt.spawn(async move { run_game(&mut ScriptedGame::new(1), HOST, port).await });
    broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "seat taken"));
    broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "game joined the lobby"));
    broker.sigterm();
    let (bot, game) = within(&rt, MATCH_TIMEOUT, async {
        (bot.await.unwrap(), game.await.unwrap())
    });
    expect_reason(&bot.unwrap_err(), "broker_shutdown", "broker shutting down");
    expect_reason(
        &game.unwrap_err(),
        "broker_shutdown",
        "broker shutting down",
    );
}

#[test]
fn a_game_naming_an_unknown_bot_index_gets_the_brokers_reason() {
    let broker = Broker::start(1);
    let rt = runtime();
    let port = usize::from(broker.port);
    let seen = Seen::default();
    let bot = rt.spawn(run_bot(
        EchoBot::<0> {
            seen: Arc::clone(&seen),
        },
        HOST,
        port,
    ));
    // Bot 0 answers once; then the game asks for bot 7, which does not exist.
    let mut game = ScriptedGame::scripted(vec![0, 7]);
    let game_result = within(
        &rt,
        MATCH_TIMEOUT,
        run_game_with(&mut game, HOST, port, ConnectOptions::no_retry()),
    );
    let bot_result = within(&rt, MATCH_TIMEOUT, bot).unwrap();

    let err = game_result.unwrap_err();
    expect_reason(&err, "game_misbehaved", "bot 7");
    assert_eq!(err.code(), "match_aborted");
    assert!(err.reason().unwrap().contains("bot 7"), "{err}");
    assert_eq!(bot_result.unwrap_err().reason(), err.reason());
    assert_eq!((game.replies.len(), seen.lock().unwrap().len()), (1, 1));
    assert_eq!(game.problems, Vec::<String>::new());
}

#[test]
fn a_broker_that_requires_a_token_refuses_a_bot_without_it_and_plays_with_it() {
    let broker = Broker::start_with(1, &[("BROKER_TOKEN", "s3cret-token")]);
    let rt = runtime();
    let port = usize::from(broker.port);
    let with = |token: &str| ConnectOptions {
        token: Some(token.into()),
        ..ConnectOptions::no_retry()
    };
    let stranger = EchoBot::<1> {
        seen: Seen::default(),
    };
    let err = within(
        &rt,
        MATCH_TIMEOUT,
        run_bot_with(stranger, HOST, port, with("wrong")),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Refused(_)), "{err}");
    expect_reason(&err, "unauthorized", "");
    let member = EchoBot::<0> {
        seen: Seen::default(),
    };
    let bot = rt.spawn(run_bot_with(member, HOST, port, with("s3cret-token")));
    let mut game = ScriptedGame::new(1);
    let result = within(
        &rt,
        MATCH_TIMEOUT,
        run_game_with(&mut game, HOST, port, with("s3cret-token")),
    );
    assert!(result.is_ok(), "{}", result.unwrap_err());
    assert!(within(&rt, MATCH_TIMEOUT, bot).unwrap().is_ok());
    assert_eq!(game.name_of(0).as_deref(), Some("interop-a"));
}
