//! Connection and session I/O against a scripted peer on a real 127.0.0.1 socket: misbehaving
//! brokers give errors, never panics or hangs. (Matches with the real broker are in e2e.rs.)
mod common;

use std::time::Duration;

use bitbroker::{run_bot_with, run_game_with, BitBrokerMessage, ConnectOptions, Connection};
use common::players::{EchoBot, ScriptedGame, Seen};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const LIMIT: Duration = Duration::from_secs(10);

/// A peer that accepts one connection and writes `script` to it in chunks of `chunk` bytes,
/// then closes (or keeps it open, reading, if `linger`).
async fn peer(script: Vec<u8>, chunk: usize, linger: bool) -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        for part in script.chunks(chunk.max(1)) {
            if socket.write_all(part).await.is_err() {
                return;
            }
            socket.flush().await.unwrap();
        }
        if linger {
            let mut sink = [0u8; 1024];
            while matches!(socket.read(&mut sink).await, Ok(n) if n > 0) {}
        }
    });
    (port, task)
}

async fn connect(port: u16, line_bytes_max: usize) -> Connection {
    let options = ConnectOptions {
        line_bytes_max,
        ..ConnectOptions::no_retry()
    };
    Connection::connect("127.0.0.1", usize::from(port), &options)
        .await
        .unwrap()
}

async fn read_err(script: &[u8], line_bytes_max: usize, linger: bool) -> bitbroker::Error {
    let (port, _peer) = peer(script.to_vec(), 3, linger).await;
    let mut connection = connect(port, line_bytes_max).await;
    let result = tokio::time::timeout(LIMIT, connection.read_message::<BitBrokerMessage>()).await;
    result
        .expect("read_message must not hang")
        .expect_err("must fail")
}

#[tokio::test]
async fn messages_split_at_odd_boundaries_arrive_whole_and_in_order() {
    let lines = [
        "AAE=",
        "ABEKA1IBQQoFCAFSAUI=",
        "AQA=",
        "AgB4eQ==",
        "AgA=",
        "AP8=",
    ];
    let script: String = lines.iter().map(|l| format!("{l}\n")).collect();
    for chunk in [1, 2, 5, 7, 64] {
        let (port, _peer) = peer(script.clone().into_bytes(), chunk, false).await;
        let mut connection = connect(port, 1024).await;
        for line in lines {
            let got: BitBrokerMessage = connection.read_message().await.unwrap();
            assert_eq!(
                got,
                BitBrokerMessage::from_line(line.as_bytes()).unwrap(),
                "chunk {chunk}"
            );
        }
        assert_eq!(
            connection
                .read_message::<Vec<u8>>()
                .await
                .unwrap_err()
                .code(),
            "connection_lost"
        );
    }
}

#[tokio::test]
async fn a_close_mid_line_or_between_lines_is_connection_lost() {
    assert_eq!(
        read_err(b"AgB4", 1024, false).await.code(),
        "connection_lost"
    );
    assert_eq!(read_err(b"", 1024, false).await.code(), "connection_lost");
}

#[tokio::test]
async fn a_line_over_the_limit_fails_before_it_ends() {
    // The peer sends 1 MiB without a newline and keeps the socket open: the limit must trip.
    let err = read_err(&vec![b'A'; 1 << 20], 64, true).await;
    assert_eq!(err.code(), "line_too_long");
    assert_eq!(
        err.to_string(),
        "a line from the broker is longer than 64 bytes"
    );
}

#[tokio::test]
async fn short_envelopes_unknown_opcodes_and_bad_base64_are_errors() {
    assert_eq!(
        read_err(b"AA==\n", 1024, false).await.code(),
        "short_envelope"
    );
    assert_eq!(read_err(b"\n", 1024, false).await.code(), "short_envelope");
    assert_eq!(
        read_err(b"BAE=\n", 1024, false).await.code(),
        "unknown_opcode"
    );
    assert_eq!(
        read_err(b"AAE=\r\n", 1024, false).await.code(),
        "bad_base64"
    );
}

#[tokio::test]
async fn a_bot_given_a_short_message_returns_an_error_instead_of_panicking() {
    let (port, _peer) = peer(b"AA==\n".to_vec(), 64, true).await;
    let bot = EchoBot::<0> {
        seen: Seen::default(),
    };
    let run = run_bot_with(
        bot,
        "127.0.0.1",
        usize::from(port),
        ConnectOptions::no_retry(),
    );
    let err = tokio::time::timeout(LIMIT, run).await.unwrap().unwrap_err();
    assert_eq!(err.code(), "short_envelope");
}

#[tokio::test]
async fn a_game_whose_broker_hangs_up_gets_connection_lost() {
    let (port, _peer) = peer(Vec::new(), 1, false).await;
    let mut game = ScriptedGame::new(1);
    let run = run_game_with(
        &mut game,
        "127.0.0.1",
        usize::from(port),
        ConnectOptions::no_retry(),
    );
    let err = tokio::time::timeout(LIMIT, run).await.unwrap().unwrap_err();
    assert_eq!(err.code(), "connection_lost");
    assert!(std::error::Error::source(&err).is_none());
}

#[tokio::test]
async fn a_read_timeout_is_an_error_and_the_next_read_goes_on_with_the_same_line() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        socket.write_all(b"AgB4").await.unwrap(); // half of "AgB4eQ==\n"
        let mut go = [0u8; 16];
        assert!(socket.read(&mut go).await.unwrap() > 0); // the client timed out: the rest
        socket.write_all(b"eQ==\n").await.unwrap();
        let mut sink = [0u8; 16];
        let _ = socket.read(&mut sink).await; // until the client closes
    });
    let options = ConnectOptions {
        read_timeout: Some(Duration::from_millis(50)),
        ..ConnectOptions::no_retry()
    };
    let mut connection = Connection::connect("127.0.0.1", usize::from(port), &options)
        .await
        .unwrap();
    let err = connection
        .read_message::<BitBrokerMessage>()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "read_timeout");
    assert_eq!(
        err.to_string(),
        "no message from the broker within the read timeout of 50ms"
    );
    connection.send_message(vec![0x02, 0x00]).await.unwrap(); // "send the rest"
    let got: BitBrokerMessage = tokio::time::timeout(LIMIT, connection.read_message())
        .await
        .expect("the rest of the line arrives")
        .unwrap();
    assert_eq!(got, BitBrokerMessage::new(0x02, 0x00, b"xy".to_vec()));
    drop(connection);
    tokio::time::timeout(LIMIT, peer).await.unwrap().unwrap();
}

#[tokio::test]
async fn messages_are_sent_as_one_base64_line_each() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (mut connection, accepted) = tokio::join!(async { connect(port, 1024).await }, async {
        listener.accept().await.unwrap().0
    });
    connection
        .send_message(BitBrokerMessage::bot_info_message("RandomBot"))
        .await
        .unwrap();
    connection
        .send_message(vec![0x02, 0x00, b'x', b'y'])
        .await
        .unwrap();
    drop(connection);
    let mut received = String::new();
    let mut accepted: TcpStream = accepted;
    accepted.read_to_string(&mut received).await.unwrap();
    assert_eq!(received, "ACJSCVJhbmRvbUJvdA==\nAgB4eQ==\n");
}
