//! The Hello on the wire, the Welcome path (PROTOCOL.md §9.1) and what the SDK logs, over real
//! 127.0.0.1 sockets: a scripted peer that answers like a broker with rooms (ours sends no
//! Welcome yet), an absent broker, and the real broker started after a bot.
mod common;

use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use bitbroker::proto::{Hello, InitialMessageBatchProto, InitialMessageProto, Welcome};
use bitbroker::{run_bot_with, run_game_with, BitBrokerMessage, ConnectOptions};
use common::players::{EchoBot, ScriptedGame, Seen};
use common::{free_port, is_event, runtime, within, Broker};
use prost::Message as _;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const HOST: &str = "127.0.0.1";
const LIMIT: Duration = Duration::from_secs(20);

/// Every record logged through the `log` facade by this test binary: (level, text).
static RECORDS: Mutex<Vec<(log::Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("bitbroker") {
            let text = record.args().to_string();
            RECORDS.lock().unwrap().push((record.level(), text));
        }
    }
    fn flush(&self) {}
}

/// Installs the capturing logger once, and runs the tests of this file one at a time so each
/// sees only its own records; returns the guard and clears the records.
fn capture() -> MutexGuard<'static, ()> {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        log::set_logger(&Capture).unwrap();
        log::set_max_level(log::LevelFilter::Debug);
    });
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    RECORDS.lock().unwrap().clear();
    std::env::remove_var("BITBROKER_ROOM"); // hermetic: each test sets it if it needs it
    guard
}

fn infos() -> Vec<String> {
    let records = RECORDS.lock().unwrap();
    let infos = records
        .iter()
        .filter(|(level, _)| *level <= log::Level::Info);
    infos.map(|(_, text)| text.clone()).collect()
}

/// A peer on 127.0.0.1 that reads `read` lines, sends `then`, reads `more` lines, sends `last`,
/// and returns every line it read.
async fn peer(
    listener: TcpListener,
    script: Vec<(usize, Vec<BitBrokerMessage>)>,
) -> Vec<BitBrokerMessage> {
    let (socket, _) = listener.accept().await.unwrap();
    let (reader, mut writer) = socket.into_split();
    let mut lines = BufReader::new(reader).lines();
    let mut got = Vec::new();
    for (read, send) in script {
        for _ in 0..read {
            let line = lines
                .next_line()
                .await
                .unwrap()
                .expect("a line from the client");
            got.push(BitBrokerMessage::from_line(line.as_bytes()).unwrap());
        }
        for message in send {
            let line = format!("{}\n", message.to_line());
            writer.write_all(line.as_bytes()).await.unwrap();
        }
    }
    got
}

fn welcome() -> BitBrokerMessage {
    let welcome = Welcome {
        broker_version: "9.9.9".into(),
        room: "blitz".into(),
        queue_position: 2,
        bots: 1,
        ..Welcome::default()
    };
    BitBrokerMessage::new_proto(0x00, 0x03, welcome)
}

fn hello_of(message: &BitBrokerMessage) -> Hello {
    Hello::decode(message.body()).expect("a Hello body")
}

fn msg(opcode: u8, operand: u8, body: &[u8]) -> BitBrokerMessage {
    BitBrokerMessage::new(opcode, operand, body.to_vec())
}

#[test]
fn a_game_sends_its_hello_notes_the_welcome_and_plays() {
    let _one = capture();
    let rt = runtime();
    let (got, game, result) = within(&rt, LIMIT, async {
        let listener = TcpListener::bind((HOST, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let batch = InitialMessageBatchProto {
            initial_messages: vec![InitialMessageProto {
                bot_index: 0,
                bot_name: "interop-a".into(),
            }],
        };
        let state = common::players::state_for(0, 0);
        let reply = common::players::expected_reply("interop-a", &state);
        let script = vec![
            (
                1,
                vec![
                    welcome(),
                    BitBrokerMessage::new_proto(0, 0x11, batch),
                    msg(1, 0, b""),
                ],
            ),
            (1, vec![msg(2, 0, &reply), msg(1, 0, b"")]),
            (1, vec![BitBrokerMessage::termination_message()]),
        ];
        let peer = tokio::spawn(peer(listener, script));
        let options = ConnectOptions {
            room: Some("blitz".into()),
            bots: Some(1),
            ..ConnectOptions::no_retry()
        };
        let mut game = ScriptedGame::scripted(vec![0]);
        let result = run_game_with(&mut game, HOST, usize::from(port), options).await;
        (peer.await.unwrap(), game, result)
    });
    assert!(result.is_ok(), "{}", result.unwrap_err());
    let hello = hello_of(&got[0]);
    assert_eq!(got[0].codes(), (&0x00, &0x01));
    assert_eq!((hello.room.as_str(), hello.bots), ("blitz", 1));
    assert_eq!(hello.client, "bitbroker-rust");
    assert_eq!(hello.client_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(hello.features, ["results"]);
    assert_eq!(got[1].codes(), (&0x01, &0x00));
    assert_eq!(got[2].codes(), (&0x00, &0xFE));
    assert_eq!(game.problems, Vec::<String>::new());
    let infos = infos();
    assert!(infos[0].starts_with("connected to the broker at 127.0.0.1:"));
    assert!(infos[0].ends_with(" as game (room \"blitz\"); waiting for a match"));
    assert_eq!(
        infos[1..],
        [
            "welcome from the broker 9.9.9: room \"blitz\", queue position 2, 1 bots per match",
            "match started with 1 bots: 0 \"interop-a\"",
            "match over for game: it ended normally",
        ]
    );
}

#[test]
fn a_bot_sends_hello_and_name_in_the_room_of_bitbroker_room_and_takes_a_welcome() {
    let _one = capture();
    let rt = runtime();
    // The only test of this binary that reads the variable; the others give a room or none.
    std::env::set_var("BITBROKER_ROOM", "from-env");
    let (got, result) = within(&rt, LIMIT, async {
        let listener = TcpListener::bind((HOST, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let script = vec![
            (2, vec![welcome(), msg(2, 5, b"ab")]),
            (1, vec![BitBrokerMessage::termination_message()]),
        ];
        let peer = tokio::spawn(peer(listener, script));
        let bot = EchoBot::<1> {
            seen: Seen::default(),
        };
        let result = run_bot_with(bot, HOST, usize::from(port), ConnectOptions::no_retry()).await;
        (peer.await.unwrap(), result)
    });
    std::env::remove_var("BITBROKER_ROOM");
    assert!(result.is_ok(), "{}", result.unwrap_err());
    assert_eq!(got[0].codes(), (&0x00, &0x02));
    let hello = hello_of(&got[0]);
    assert_eq!((hello.room.as_str(), hello.bots), ("from-env", 0));
    assert_eq!(got[1], BitBrokerMessage::bot_info_message("interop-b"));
    assert_eq!(got[2].body(), b"interop-b:ba");
    let infos = infos();
    assert!(infos[0].ends_with(" as bot \"interop-b\" (room \"from-env\"); waiting for a match"));
    assert!(infos[1].starts_with("welcome from the broker 9.9.9: room \"blitz\""));
    assert_eq!(
        infos[2..],
        [
            "match started: bot \"interop-b\" got its first state",
            "match over for bot \"interop-b\": it ended normally",
        ]
    );
}

#[test]
fn a_client_refused_by_a_broker_with_rooms_gets_refused_with_the_code() {
    let _one = capture();
    let rt = runtime();
    let err = within(&rt, LIMIT, async {
        let listener = TcpListener::bind((HOST, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let reason = b"unknown_room: room \"x\" is not declared";
        let script = vec![(2, vec![msg(0, 0xFF, reason)])];
        let peer = tokio::spawn(peer(listener, script));
        let options = ConnectOptions {
            room: Some("x".into()),
            ..ConnectOptions::no_retry()
        };
        let bot = EchoBot::<0> {
            seen: Seen::default(),
        };
        let result = run_bot_with(bot, HOST, usize::from(port), options).await;
        peer.await.unwrap();
        result.unwrap_err()
    });
    assert!(matches!(&err, bitbroker::Error::Refused(_)), "{err}");
    assert_eq!(
        (err.code(), err.reason_code()),
        ("refused", Some("unknown_room"))
    );
    assert_eq!(
        err.to_string(),
        "the broker refused this client: unknown_room: room \"x\" is not declared"
    );
}

#[test]
fn no_log_line_above_debug_is_written_per_turn() {
    let _one = capture();
    let rt = runtime();
    let turns = 20;
    let result = within(&rt, LIMIT, async {
        let listener = TcpListener::bind((HOST, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let batch = InitialMessageBatchProto {
            initial_messages: vec![InitialMessageProto::default()],
        };
        let mut script = vec![(1, vec![BitBrokerMessage::new_proto(0, 0x11, batch)])];
        script[0].1.push(msg(1, 0, b""));
        for _ in 0..turns {
            script.push((1, vec![msg(2, 0, b"r"), msg(1, 0, b"")]));
        }
        script.push((1, vec![BitBrokerMessage::termination_message()]));
        let peer = tokio::spawn(peer(listener, script));
        let mut game = ScriptedGame::scripted(vec![0; turns]);
        let result = run_game_with(
            &mut game,
            HOST,
            usize::from(port),
            ConnectOptions::no_retry(),
        );
        let result = result.await;
        peer.await.unwrap();
        result
    });
    assert!(result.is_ok(), "{}", result.unwrap_err());
    assert_eq!(infos().len(), 3, "{:?}", infos()); // connected, match started, match over
    let debugs = RECORDS.lock().unwrap().len() - 3;
    assert!(debugs >= 2 * turns, "each message at debug: {debugs}");
}

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
