//! Replays the shared client-session table (test/vectors/session.json, PROTOCOL.md §10) against
//! the pure sessions: every case's event, or error code, reason code and whole reason.
use serde_json::Value;

use super::*;

fn table() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test/vectors/session.json"
    );
    let text = std::fs::read_to_string(path).expect("read test/vectors/session.json");
    serde_json::from_str(&text).expect("session.json is JSON")
}

fn unhex(hex: &str) -> Vec<u8> {
    assert!(hex.len() % 2 == 0, "odd hex length");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn message(hex: &str) -> BitBrokerMessage {
    BitBrokerMessage::from(unhex(hex))
        .validate()
        .expect("a valid envelope")
}

/// A bot's step in the table's terms: the event's name and what it carries (a body).
fn bot_case(received: &BitBrokerMessage) -> Result<(String, Value)> {
    Ok(match bot_step(received)? {
        BotStep::Move => ("move".into(), Value::from(hex(received.body()))),
        BotStep::Welcome(_) => ("welcome".into(), Value::Null),
        BotStep::Result(result) => {
            let seats: Vec<Value> = result
                .seats
                .iter()
                .map(|s| {
                    let mut seat = serde_json::json!({"index": s.index});
                    if let Some(score) = s.score {
                        seat["score"] = Value::from(score);
                    }
                    if let Some(rank) = s.rank {
                        seat["rank"] = Value::from(rank);
                    }
                    seat
                })
                .collect();
            let carried = serde_json::json!({"seats": seats, "summary": result.summary});
            ("result".into(), carried)
        }
        BotStep::Timing(t) => {
            let carried = serde_json::json!({
                "move_ms": t.move_ms, "bank_ms": t.bank_ms, "deadline_ms": t.deadline_ms,
            });
            ("timing".into(), carried)
        }
        BotStep::End => ("end".into(), Value::Null),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A game's step after the case's path, in the table's terms (a body, or the bots).
fn game_case(path: &[Value], received: &BitBrokerMessage, name: &str) -> Result<(String, Value)> {
    let mut session = GameSession::new();
    for step in path {
        let words: Vec<&str> = step.as_str().unwrap().split(' ').collect();
        match words.as_slice() {
            ["recv", hex] => {
                session
                    .on_message(&message(hex))
                    .unwrap_or_else(|e| panic!("{name}: path step {step}: {e}"));
            }
            ["act", "play", _, _] => session.on_action_sent(true),
            ["act", "end"] | ["act", "end", _] => session.on_action_sent(false),
            _ => panic!("{name}: unknown path step {step}"),
        }
    }
    Ok(match session.on_message(received)? {
        GameStep::Welcome(_) => ("welcome".into(), Value::Null),
        GameStep::Start(batch) => {
            let bots: Vec<Value> = batch
                .initial_messages
                .iter()
                .map(|m| serde_json::json!({"index": m.bot_index, "name": m.bot_name}))
                .collect();
            ("start".into(), Value::from(bots))
        }
        GameStep::Act(None) => ("trigger".into(), Value::Null),
        GameStep::Act(Some(t)) => {
            let timing = serde_json::json!({
                "bot": t.bot, "think_ms": t.think_ms, "bank_ms": t.bank_ms, "missed": t.missed,
            });
            ("trigger".into(), timing)
        }
        GameStep::Missed(m) => {
            let carried = serde_json::json!({"bot": m.bot, "deadline_ms": m.deadline_ms});
            ("missed".into(), carried)
        }
        GameStep::Reply => ("reply".into(), Value::from(hex(received.body()))),
        GameStep::End => ("end".into(), Value::Null),
    })
}

#[test]
fn every_case_of_the_session_table_gives_its_event_or_error() {
    let table = table();
    let cases = table["cases"].as_array().expect("cases");
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let received = message(case["receive_hex"].as_str().unwrap());
        let path = case["path"].as_array().unwrap();
        let got = match case["side"].as_str().unwrap() {
            "bot" => bot_case(&received),
            "game" => game_case(path, &received, name),
            other => panic!("{name}: unknown side {other}"),
        };
        let expect = &case["expect"];
        if let Some(event) = expect["event"].as_str() {
            let (kind, carried) = got.unwrap_or_else(|e| panic!("{name}: error {e}"));
            assert_eq!(kind, event, "{name}");
            if let Some(body) = expect.get("body_hex") {
                assert_eq!(&carried, body, "{name}: body");
            }
            if let Some(bots) = expect.get("bots") {
                assert_eq!(&carried, bots, "{name}: bots");
            }
            for key in ["move_ms", "bank_ms", "deadline_ms", "bot"] {
                if let Some(want) = expect.get(key) {
                    assert_eq!(&carried[key], want, "{name}: {key}");
                }
            }
            match expect.get("timing") {
                Some(timing) => assert_eq!(&carried, timing, "{name}: timing"),
                None if kind == "trigger" => assert_eq!(carried, Value::Null, "{name}"),
                None => {}
            }
            if let Some(seats) = expect.get("seats") {
                assert_eq!(&carried["seats"], seats, "{name}: seats");
                assert_eq!(carried["summary"], expect["summary"], "{name}: summary");
            }
            continue;
        }
        let err = got.expect_err(name);
        assert_eq!(
            err.code(),
            expect["error"].as_str().unwrap(),
            "{name}: {err}"
        );
        match expect.get("reason_code") {
            Some(code) => {
                assert_eq!(err.reason_code(), code.as_str(), "{name}");
                assert_eq!(err.reason(), expect["reason"].as_str(), "{name}");
            }
            None => assert_eq!(err.reason_code(), None, "{name}"),
        }
    }
}

#[test]
fn every_sdk_error_code_is_the_tables_and_each_kind_has_a_variant() {
    use std::time::Duration;
    let io = || std::io::Error::other("x");
    let variants = [
        Error::Io(io()),
        Error::ConnectionClosed,
        Error::Connect {
            address: "h:1".into(),
            attempts: 1,
            source: io(),
        },
        Error::ReadTimeout(Duration::from_secs(1)),
        Error::MatchAborted(String::new()),
        Error::Refused("lobby_full: x".into()),
        Error::BrokerShutdown("broker_shutdown: x".into()),
        Error::DecodeError(base64::DecodeError::InvalidPadding),
        Error::ShortEnvelope { len: 1 },
        Error::UnknownOpcode(3),
        Error::LineTooLong { limit: 1 },
        Error::FrameTooLong {
            length: 2,
            limit: 1,
        },
        Error::ProstError(prost::DecodeError::new("x")),
        Error::UnexpectedOperation((0, 0x77)),
        Error::BrokerError("x"),
    ];
    let mut ours: Vec<&str> = variants.iter().map(Error::code).collect();
    ours.sort();
    ours.dedup();
    let table = table();
    let mut want: Vec<&str> = table["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    want.sort();
    assert_eq!(ours, want);
}
