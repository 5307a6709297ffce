//! The session's own cases beside the shared table (session_table_tests.rs): this SDK's Hello, a
//! game's whole round, a Welcome between a bot's states, and the result a bot checks.
use super::*;
use crate::proto::InitialMessageProto;

fn msg(opcode: u8, operand: u8, body: &[u8]) -> BitBrokerMessage {
    BitBrokerMessage::new(opcode, operand, body.to_vec())
}

#[test]
fn the_hello_names_this_client_its_version_and_room() {
    let time = TimeRules {
        move_ms: Some(100),
        ..TimeRules::default()
    };
    let hello = hello(
        "blitz",
        "t0ken",
        3,
        Some(2),
        &["results", "frames"],
        Some(time.clone()),
    );
    assert_eq!((hello.room.as_str(), hello.bots), ("blitz", 3));
    assert_eq!((hello.token.as_str(), hello.seat), ("t0ken", Some(2)));
    assert_eq!(hello.client, "bitbroker-rust");
    assert_eq!(hello.client_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(
        (hello.features, hello.time),
        (vec!["results".to_string(), "frames".into()], Some(time))
    );
}

#[test]
fn a_game_goes_welcome_batch_trigger_reply_trigger_end() {
    let batch = InitialMessageBatchProto {
        initial_messages: vec![InitialMessageProto {
            bot_index: 0,
            bot_name: "A".into(),
        }],
    };
    let mut s = GameSession::new();
    let welcome = Welcome {
        room: "blitz".into(),
        ..Welcome::default()
    };
    let step = s.on_message(&BitBrokerMessage::new_proto(0, 3, welcome.clone()));
    assert_eq!(step.unwrap(), GameStep::Welcome(welcome));
    let start = BitBrokerMessage::new_proto(0, 0x11, batch.clone());
    assert_eq!(s.on_message(&start).unwrap(), GameStep::Start(batch));
    assert_eq!(s.on_message(&msg(1, 0, b"")).unwrap(), GameStep::Act(None));
    s.on_action_sent(true);
    assert_eq!(s.on_message(&msg(2, 0, b"xy")).unwrap(), GameStep::Reply);
    assert_eq!(s.on_message(&msg(1, 0, b"")).unwrap(), GameStep::Act(None));
    s.on_action_sent(false);
    assert_eq!(s.on_message(&msg(0, 0xFF, b"")).unwrap(), GameStep::End);
}

#[test]
fn a_bot_takes_a_welcome_between_states() {
    assert_eq!(bot_step(&msg(2, 5, b"state")).unwrap(), BotStep::Move);
    let step = bot_step(&msg(0, 3, b"")).unwrap();
    assert_eq!(step, BotStep::Welcome(Welcome::default()));
    assert_eq!(bot_step(&msg(2, 5, b"again")).unwrap(), BotStep::Move);
}

#[test]
fn a_bot_gets_the_result_in_index_order_and_refuses_a_bad_one() {
    use crate::proto::SeatResult;
    let seat = |index, score, rank| SeatResult { index, score, rank };
    let result = MatchResult {
        seats: vec![seat(1, None, Some(2)), seat(0, Some(1.5), Some(1))],
        summary: "A wins".into(),
    };
    let step = bot_step(&BitBrokerMessage::new_proto(0, 0x32, result.clone())).unwrap();
    let BotStep::Result(got) = step else {
        panic!("not a result: {step:?}")
    };
    assert_eq!(
        got.seats,
        [seat(0, Some(1.5), Some(1)), seat(1, None, Some(2))]
    );
    let bad = [
        vec![seat(256, None, None)],
        vec![seat(3, None, None), seat(3, None, None)],
        vec![seat(0, Some(f64::NAN), None)],
    ];
    for seats in bad {
        let body = MatchResult {
            seats,
            summary: String::new(),
        };
        let err = bot_step(&BitBrokerMessage::new_proto(0, 0x32, body)).unwrap_err();
        assert_eq!(err.code(), "bad_protobuf", "{err}");
    }
    let long = MatchResult {
        seats: Vec::new(),
        summary: "é".repeat(257),
    };
    let err = bot_step(&BitBrokerMessage::new_proto(0, 0x32, long)).unwrap_err();
    assert_eq!(err.code(), "bad_protobuf", "{err}");
}
