//! Error paths against the real broker: broker absent, the broker ending a match abnormally
//! (a bot leaves, the broker shuts down), and a game naming an unknown bot index.
mod common;

use std::error::Error as _;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bitbroker::{run_bot, run_bot_with, run_game, run_game_with, ConnectOptions, Error};
use common::players::{EchoBot, ScriptedGame, Seen};
use common::{free_port, is_event, runtime, within, Broker};

const HOST: &str = "127.0.0.1";
const MATCH_TIMEOUT: Duration = Duration::from_secs(30);
const STEP_TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn an_absent_broker_is_a_connect_error_after_the_retries() {
    let rt = runtime();
    let port = usize::from(free_port());
    let options = ConnectOptions {
        attempts: 3,
        first_delay: Duration::from_millis(20),
        ..ConnectOptions::default()
    };
    let err = within(
        &rt,
        MATCH_TIMEOUT,
        run_bot_with(
            EchoBot::<0> {
                seen: Seen::default(),
            },
            HOST,
            port,
            options,
        ),
    )
    .unwrap_err();
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
    assert!(err.to_string().starts_with(&format!(
        "could not connect to the broker at 127.0.0.1:{port} (3 attempts)"
    )));

    // The default retry gives up too, in a few seconds.
    let started = Instant::now();
    let err = within(
        &rt,
        MATCH_TIMEOUT,
        run_game(&mut ScriptedGame::new(1), HOST, port),
    )
    .unwrap_err();
    assert_eq!(err.code(), "connect_failed");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
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

    // PROTOCOL.md §6: "bot 0 (quit) disconnected", maybe with a cause after it.
    let err = game_result.unwrap_err();
    let reason = err
        .abort_reason()
        .unwrap_or_else(|| panic!("game: {err}"))
        .to_string();
    assert!(
        reason.starts_with("bot 0 (quit) disconnected"),
        "game: {err}"
    );
    assert_eq!(
        err.to_string(),
        format!("the broker ended the match abnormally: {reason}")
    );
    let err = bot_result.unwrap_err();
    assert_eq!(err.abort_reason(), Some(reason.as_str()), "bot: {err}");
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
    assert_eq!(
        bot.unwrap_err().abort_reason(),
        Some("broker shutting down")
    );
    assert_eq!(
        game.unwrap_err().abort_reason(),
        Some("broker shutting down")
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
    assert_eq!(err.code(), "match_aborted");
    assert!(err.abort_reason().unwrap().contains("bot 7"), "{err}");
    assert_eq!(bot_result.unwrap_err().abort_reason(), err.abort_reason());
    assert_eq!((game.replies.len(), seen.lock().unwrap().len()), (1, 1));
    assert_eq!(game.problems, Vec::<String>::new());
}
