//! v2 frames against the shared vectors (test/vectors/frames.json, made by the TypeScript codec):
//! every frame byte for byte, every stream a client reads after its handshake fed to a
//! `Connection` split at every byte (the switch after a Welcome that grants frames, mid-read),
//! every refused frame with its code, the limits. No sockets: a stream that hands out chunks.
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::*;
use crate::Connection;

fn vectors() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test/vectors/frames.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("frames.json is JSON")
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hands out its chunks one per read; keeps what is written.
#[derive(Debug, Default)]
struct Chunks {
    chunks: VecDeque<Vec<u8>>,
    written: Arc<Mutex<Vec<u8>>>,
}

impl AsyncRead for Chunks {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if let Some(mut chunk) = self.chunks.pop_front() {
            let n = chunk.len().min(buf.remaining());
            buf.put_slice(&chunk[..n]);
            if n < chunk.len() {
                self.chunks.push_front(chunk.split_off(n));
            }
        }
        Poll::Ready(Ok(())) // nothing left: end of stream
    }
}

impl AsyncWrite for Chunks {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.written.lock().unwrap().extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn connection(chunks: Vec<Vec<u8>>) -> Connection {
    connection_writing_to(chunks, Arc::default())
}

fn connection_writing_to(chunks: Vec<Vec<u8>>, written: Arc<Mutex<Vec<u8>>>) -> Connection {
    // An empty read is the end of the stream: no empty chunks.
    Connection::from_stream(Chunks {
        chunks: chunks.into_iter().filter(|c| !c.is_empty()).collect(),
        written,
    })
}

async fn read_all(mut connection: Connection, count: usize) -> (Vec<String>, Connection) {
    let mut got = Vec::new();
    for _ in 0..count {
        let message: Vec<u8> = connection.read_message().await.expect("a message");
        got.push(hex(&message));
    }
    (got, connection)
}

#[test]
fn each_message_is_its_frame() {
    let v = vectors();
    let frames = v["frames"].as_array().unwrap();
    assert!(frames.len() >= 20);
    for f in frames {
        let envelope = unhex(f["hex"].as_str().unwrap());
        assert_eq!(
            hex(&frame_of(&envelope)),
            f["frame_hex"].as_str().unwrap(),
            "{}",
            f["name"]
        );
    }
}

#[tokio::test]
async fn each_stream_gives_its_messages_and_framing_however_it_is_split() {
    let v = vectors();
    for s in v["streams"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        let data = unhex(s["bytes_hex"].as_str().unwrap());
        let want: Vec<String> = s["messages_hex"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_string())
            .collect();
        let mut splits: Vec<Vec<Vec<u8>>> = (0..=data.len())
            .map(|cut| vec![data[..cut].to_vec(), data[cut..].to_vec()])
            .collect();
        splits.push(data.iter().map(|b| vec![*b]).collect());
        for chunks in splits {
            let (got, connection) = read_all(connection(chunks), want.len()).await;
            assert_eq!(got, want, "{name}");
            assert_eq!(
                connection.frames(),
                s["frames_after"].as_bool().unwrap(),
                "{name}"
            );
        }
    }
}

#[tokio::test]
async fn after_the_switch_the_client_sends_frames_and_before_it_lines() {
    let v = vectors();
    let granting = unhex(v["streams"][0]["bytes_hex"].as_str().unwrap());
    let written = Arc::default();
    let mut c = connection_writing_to(vec![granting], Arc::clone(&written));
    c.send_message([0x02, 0x00, b'x']).await.unwrap();
    let (_, mut c) = read_all(c, 3).await;
    c.send_message([0x02, 0x00, b'x']).await.unwrap();
    // The line "AgB4\n" before the switch, then the frame 00000003 020078.
    assert_eq!(
        hex(&written.lock().unwrap()),
        format!("{}{}", hex(b"AgB4\n"), "00000003020078")
    );
}

#[tokio::test]
async fn each_refused_frame_gives_its_code_as_soon_as_its_header_is_known() {
    let v = vectors();
    for f in v["invalid"].as_array().unwrap() {
        let max = f["envelope_bytes_max"].as_u64().unwrap() as usize;
        let welcome = unhex(v["streams"][1]["bytes_hex"].as_str().unwrap());
        let newline = welcome.iter().position(|b| *b == b'\n').unwrap();
        let mut bytes = welcome[..=newline].to_vec();
        bytes.extend(unhex(f["bytes_hex"].as_str().unwrap()));
        let mut c = connection(vec![bytes]);
        // A line limit whose frame limit is at most the vector's (its header's length is beyond).
        c.set_line_bytes_max(max / 3 * 4);
        let _welcome: Vec<u8> = c.read_message().await.unwrap();
        let err = c.read_message::<Vec<u8>>().await.unwrap_err();
        assert_eq!(
            err.code(),
            f["error"].as_str().unwrap(),
            "{}: {err}",
            f["name"]
        );
    }
}

#[test]
fn frames_carry_the_messages_a_line_limit_carries() {
    for l in vectors()["limits"].as_array().unwrap() {
        let line = l["line_bytes_max"].as_u64().unwrap() as usize;
        assert_eq!(
            envelope_bytes_max(line) as u64,
            l["envelope_bytes_max"].as_u64().unwrap()
        );
    }
}

#[test]
fn a_welcome_that_does_not_decode_grants_nothing() {
    assert!(!grants_frames(&BitBrokerMessage::new(
        0,
        3,
        unhex("0a0552")
    )));
    assert!(!grants_frames(&BitBrokerMessage::new(1, 0, Vec::new())));
}
