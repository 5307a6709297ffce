//! The shared vectors of the extensions (test/vectors/arena.json, PROTOCOL.md §9): every Hello,
//! Welcome and MatchResult body is what this SDK encodes and decodes, byte for byte.
use bitbroker::BitBrokerMessage;
use prost::Message;
use serde_json::Value;

fn unhex(hex: &str) -> Vec<u8> {
    assert!(hex.len() % 2 == 0, "odd hex length");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn arena() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/vectors/arena.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("arena.json is JSON")
}

fn strings(value: &Value) -> Vec<String> {
    let list = value.as_array().unwrap().iter();
    list.map(|s| s.as_str().unwrap().to_string()).collect()
}

#[test]
fn every_hello_vector_is_what_the_sdk_encodes_and_decodes() {
    use bitbroker::proto::Hello;
    let arena = arena();
    let hellos = arena["hellos"].as_array().unwrap();
    assert!(!hellos.is_empty());
    for v in hellos {
        let name = v["name"].as_str().unwrap();
        let value = &v["value"];
        let hello = Hello {
            room: value["room"].as_str().unwrap().into(),
            client: value["client"].as_str().unwrap().into(),
            client_version: value["client_version"].as_str().unwrap().into(),
            features: strings(&value["features"]),
            bots: value["bots"].as_u64().unwrap() as u32,
            human: value["human"].as_bool().unwrap_or(false),
            time: time_rules(&value["time"]),
            ..Hello::default()
        };
        let body = unhex(v["body_hex"].as_str().unwrap());
        assert_eq!(hello.encode_to_vec(), body, "{name}: encode");
        assert_eq!(
            Hello::decode(body.as_slice()).unwrap(),
            hello,
            "{name}: decode"
        );
        let whole = unhex(v["hex"].as_str().unwrap());
        let line = match whole[1] {
            0x01 => BitBrokerMessage::game_hello_message(&hello),
            _ => BitBrokerMessage::bot_hello_message(&hello),
        };
        assert_eq!(line.as_ref(), whole.as_slice(), "{name}: envelope");
    }
}

#[test]
fn every_welcome_vector_decodes_to_its_value() {
    use bitbroker::proto::Welcome;
    let arena = arena();
    for v in arena["welcomes"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let value = &v["value"];
        let want = Welcome {
            broker_version: value["broker_version"].as_str().unwrap().into(),
            features: strings(&value["features"]),
            room: value["room"].as_str().unwrap().into(),
            queue_position: value["queue_position"].as_u64().unwrap() as u32,
            bots: value["bots"].as_u64().unwrap() as u32,
            time: time_rules(&value["time"]),
        };
        let message = BitBrokerMessage::from(unhex(v["hex"].as_str().unwrap()));
        assert_eq!(message.codes(), (&0x00, &0x03), "{name}");
        assert_eq!(message.body_proto::<Welcome>().unwrap(), want, "{name}");
        assert_eq!(
            BitBrokerMessage::new_proto(0x00, 0x03, want).as_ref(),
            message.as_ref(),
            "{name}: encode"
        );
    }
}

#[test]
fn every_result_vector_is_what_the_sdk_encodes_and_decodes() {
    use bitbroker::proto::{MatchResult, SeatResult};
    let arena = arena();
    let results = arena["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for v in results {
        let name = v["name"].as_str().unwrap();
        let value = &v["value"];
        let seats = value["seats"].as_array().unwrap().iter();
        let want = MatchResult {
            seats: seats
                .map(|s| SeatResult {
                    index: s["index"].as_u64().unwrap() as u32,
                    score: s.get("score").map(|x| x.as_f64().unwrap()),
                    rank: s.get("rank").map(|x| x.as_u64().unwrap() as u32),
                })
                .collect(),
            summary: value["summary"].as_str().unwrap().into(),
        };
        let body = unhex(v["body_hex"].as_str().unwrap());
        assert_eq!(want.encode_to_vec(), body, "{name}: encode");
        assert_eq!(
            MatchResult::decode(body.as_slice()).unwrap(),
            want,
            "{name}: decode"
        );
        let line = BitBrokerMessage::end_game_with_result(&want);
        assert_eq!(
            line.as_ref(),
            unhex(v["hex"].as_str().unwrap()),
            "{name}: 00 FE"
        );
    }
}

/// A vector's time rules (.proto names; `on_miss` as "end" or "skip"), `None` when absent.
fn time_rules(value: &serde_json::Value) -> Option<bitbroker::TimeRules> {
    let ms = |key: &str| value[key].as_u64().map(|v| v as u32);
    let on_miss = match value["on_miss"].as_str() {
        Some("end") => bitbroker::Miss::End,
        Some("skip") => bitbroker::Miss::Skip,
        _ => bitbroker::Miss::Unset,
    };
    value.is_object().then(|| bitbroker::TimeRules {
        move_ms: ms("move_ms"),
        first_move_ms: ms("first_move_ms"),
        bank_ms: ms("bank_ms"),
        on_miss: on_miss as i32,
    })
}
