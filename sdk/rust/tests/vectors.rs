//! The shared golden vectors (test/vectors/v1.json, and session.json's defaults): every message
//! decodes and encodes byte for byte, protobuf bodies match their values, and every invalid line
//! gives its error code. (Hello, Welcome and MatchResult bodies: arena_vectors.rs.)
use bitbroker::proto::{InitialMessageBatchProto, InitialMessageProto};
use bitbroker::{Action, BitBrokerMessage};
use prost::Message;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/vectors/v1.json");
    let text = std::fs::read_to_string(path).expect("read test/vectors/v1.json");
    serde_json::from_str(&text).expect("v1.json is JSON")
}

fn unhex(hex: &str) -> Vec<u8> {
    assert!(hex.len() % 2 == 0, "odd hex length");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn messages() -> Vec<Value> {
    vectors()["messages"].as_array().expect("messages").clone()
}

fn by_name(name: &str) -> Vec<u8> {
    let all = messages();
    let v = all
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("vector {name}"));
    unhex(v["hex"].as_str().unwrap())
}

fn entry(value: &Value) -> InitialMessageProto {
    InitialMessageProto {
        bot_index: value["botIndex"].as_i64().unwrap() as i32,
        bot_name: value["botName"].as_str().unwrap().to_string(),
    }
}

#[test]
fn every_message_vector_decodes_to_its_bytes_and_codes() {
    let all = messages();
    assert!(
        all.len() >= 20,
        "expected the full vector set, got {}",
        all.len()
    );
    for v in &all {
        let name = v["name"].as_str().unwrap();
        let line = v["line"].as_str().unwrap();
        let m =
            BitBrokerMessage::from_line(line.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            m.as_ref(),
            unhex(v["hex"].as_str().unwrap()).as_slice(),
            "{name}: bytes"
        );
        assert_eq!(
            u64::from(*m.opcode()),
            v["opcode"].as_u64().unwrap(),
            "{name}: opcode"
        );
        assert_eq!(
            u64::from(*m.operand()),
            v["operand"].as_u64().unwrap(),
            "{name}: operand"
        );
        assert_eq!(
            m.body(),
            unhex(v["body_hex"].as_str().unwrap()).as_slice(),
            "{name}: body"
        );
    }
}

#[test]
fn every_message_vector_encodes_to_its_line() {
    for v in &messages() {
        let name = v["name"].as_str().unwrap();
        let (op, arg) = (
            v["opcode"].as_u64().unwrap() as u8,
            v["operand"].as_u64().unwrap() as u8,
        );
        let built = BitBrokerMessage::new(op, arg, unhex(v["body_hex"].as_str().unwrap()));
        assert_eq!(built.to_line(), v["line"].as_str().unwrap(), "{name}: line");
        assert_eq!(
            BitBrokerMessage::from(unhex(v["hex"].as_str().unwrap())),
            built,
            "{name}: from bytes"
        );
    }
}

#[test]
fn protobuf_bodies_decode_to_their_values_and_encode_byte_for_byte() {
    let mut checked = 0;
    for v in messages().iter().filter(|v| v.get("proto").is_some()) {
        let name = v["name"].as_str().unwrap();
        let body = unhex(v["body_hex"].as_str().unwrap());
        let value = &v["proto"]["value"];
        let m = BitBrokerMessage::from_line(v["line"].as_str().unwrap().as_bytes()).unwrap();
        match v["proto"]["type"].as_str().unwrap() {
            "InitialMessageProto" => {
                let want = entry(value);
                assert_eq!(
                    m.body_proto::<InitialMessageProto>().unwrap(),
                    want,
                    "{name}: decode"
                );
                assert_eq!(want.encode_to_vec(), body, "{name}: encode");
                assert_eq!(
                    BitBrokerMessage::bot_info_message(&want.bot_name).as_ref(),
                    m.as_ref(),
                    "{name}"
                );
            }
            "InitialMessageBatchProto" => {
                let list = value["initialMessages"].as_array().unwrap();
                let want = InitialMessageBatchProto {
                    initial_messages: list.iter().map(entry).collect(),
                };
                assert_eq!(
                    m.body_proto::<InitialMessageBatchProto>().unwrap(),
                    want,
                    "{name}: decode"
                );
                assert_eq!(want.encode_to_vec(), body, "{name}: encode");
            }
            other => panic!("{name}: unknown proto type {other}"),
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} protobuf vectors");
}

#[test]
fn every_invalid_line_gives_its_error_code() {
    let invalid = vectors()["invalid_lines"].as_array().unwrap().clone();
    assert!(!invalid.is_empty());
    for v in &invalid {
        let name = v["name"].as_str().unwrap();
        let err = BitBrokerMessage::from_line(v["line"].as_str().unwrap().as_bytes())
            .expect_err(&format!("{name}: must not decode"));
        assert_eq!(err.code(), v["error"].as_str().unwrap(), "{name}: {err}");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn the_named_constructors_build_the_vector_bytes() {
    assert_eq!(
        BitBrokerMessage::initial_game_message().as_ref(),
        by_name("game_hello")
    );
    assert_eq!(
        BitBrokerMessage::initial_bot_message().as_ref(),
        by_name("bot_hello")
    );
    assert_eq!(
        BitBrokerMessage::bot_info_message("RandomBot").as_ref(),
        by_name("bot_name_randombot")
    );
    assert_eq!(
        BitBrokerMessage::bot_info_message("").as_ref(),
        by_name("bot_name_empty")
    );
    assert_eq!(
        BitBrokerMessage::trigger_message().as_ref(),
        by_name("trigger")
    );
    assert_eq!(
        BitBrokerMessage::termination_message().as_ref(),
        by_name("end")
    );
    assert_eq!(
        BitBrokerMessage::from(Action::<Vec<u8>>::EndGame).as_ref(),
        by_name("end_game")
    );
    let ask0 = BitBrokerMessage::from(Action::PlayerAction(0, b"hello".to_vec()));
    assert_eq!(ask0.as_ref(), by_name("ask_bot_0"));
    let ask3 = BitBrokerMessage::from(Action::PlayerAction(3, vec![0x00, 0xFF, 0x0A, 0x0D]));
    assert_eq!(ask3.as_ref(), by_name("ask_bot_3_binary"));
    let reason = BitBrokerMessage::from(by_name("end_with_reason")).end_reason();
    assert_eq!(reason.as_deref(), Some("bot 1 disconnected"));
    assert_eq!(BitBrokerMessage::from(by_name("end")).end_reason(), None);
}

#[test]
fn the_defaults_are_the_session_tables() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test/vectors/session.json"
    );
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let defaults = &table["defaults"];
    let ms = |key: &str| std::time::Duration::from_millis(defaults[key].as_u64().unwrap());
    let options = bitbroker::ConnectOptions::default();
    assert_eq!(options.connect_timeout, ms("connect_timeout_ms"));
    assert_eq!(options.first_delay, ms("connect_retry_first_delay_ms"));
    assert_eq!(options.max_delay, ms("connect_retry_max_delay_ms"));
    assert_eq!(
        options.line_bytes_max as u64,
        defaults["line_bytes_max"].as_u64().unwrap()
    );
    assert!(defaults["read_timeout_ms"].is_null() && options.read_timeout.is_none());
    assert_eq!(
        options.attempts_max, None,
        "retries are bounded by time only"
    );
    assert_eq!((options.room, options.bots), (None, None));
    assert_eq!(
        bitbroker::LINE_BYTES_MAX_DEFAULT,
        options.line_bytes_max,
        "the constant and the option agree"
    );
}
