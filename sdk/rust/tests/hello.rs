//! The Hello on the wire, the Welcome path (PROTOCOL.md §9.1) and what the SDK logs, over real
//! 127.0.0.1 sockets with a scripted peer that answers like a broker with rooms. (Connect retries
//! and their log lines: retry_logs.rs.)
mod common;

use std::time::Duration;

use bitbroker::proto::{Hello, InitialMessageBatchProto, InitialMessageProto, Welcome};
use bitbroker::{run_bot_with, run_game_with, BitBrokerMessage, ConnectOptions};
use common::capture::{capture, infos, RECORDS};
use common::players::{EchoBot, ScriptedGame, Seen};
use common::{runtime, within};
use prost::Message as _;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const HOST: &str = "127.0.0.1";
const LIMIT: Duration = Duration::from_secs(20);

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
    assert_eq!(hello.features, ["results", "frames"]); // the defaults
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
    // Tests of this binary run one at a time (capture), so the variables are this test's.
    std::env::set_var("BITBROKER_ROOM", "from-env");
    std::env::set_var("BITBROKER_SEAT", "3");
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
        let options = ConnectOptions {
            token: Some("s3cret-token".into()),
            ..ConnectOptions::no_retry()
        };
        let result = run_bot_with(bot, HOST, usize::from(port), options).await;
        (peer.await.unwrap(), result)
    });
    assert!(result.is_ok(), "{}", result.unwrap_err());
    assert_eq!(got[0].codes(), (&0x00, &0x02));
    let hello = hello_of(&got[0]);
    assert_eq!((hello.room.as_str(), hello.bots), ("from-env", 0));
    assert_eq!(
        (hello.token.as_str(), hello.seat),
        ("s3cret-token", Some(3))
    );
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
fn a_seat_variable_that_is_not_a_seat_index_fails_before_connecting() {
    let _one = capture();
    std::env::set_var("BITBROKER_SEAT", "255");
    let rt = runtime();
    let bot = EchoBot::<0> {
        seen: Seen::default(),
    };
    // Nothing listens on port 1: the error comes before any connect.
    let err = within(
        &rt,
        LIMIT,
        run_bot_with(bot, HOST, 1, ConnectOptions::no_retry()),
    )
    .unwrap_err();
    assert_eq!(err.code(), "connect_failed");
    assert!(
        err.to_string()
            .ends_with("BITBROKER_SEAT must be a seat index (0-254); got \"255\""),
        "{err}"
    );
    assert!(infos().is_empty(), "{:?}", infos());
}
