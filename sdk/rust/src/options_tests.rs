//! The shared table's defaults, the features each option asks for, and where a client goes from
//! the environment (test/vectors/session.json "defaults", "hello_features", "environment").
use std::collections::HashMap;

use serde_json::Value;

use super::*;

fn table() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test/vectors/session.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("session.json is JSON")
}

#[test]
fn where_to_connect_and_what_to_ask_for_by_default_are_the_tables() {
    let defaults = &table()["defaults"];
    assert_eq!(HOST_DEFAULT, defaults["host"].as_str().unwrap());
    assert_eq!(PORT_DEFAULT as u64, defaults["port"].as_u64().unwrap());
    let options = ConnectOptions::default();
    assert_eq!(options.timing, defaults["timing"].as_bool().unwrap());
    assert_eq!(options.frames, defaults["frames"].as_bool().unwrap());
    assert_eq!(options.time, None);
}

#[test]
fn the_hello_asks_for_the_tables_features_in_its_order() {
    for case in table()["hello_features"]["cases"].as_array().unwrap() {
        let given = &case["options"];
        let options = ConnectOptions {
            timing: given["timing"].as_bool().unwrap_or(false),
            frames: given["frames"].as_bool().unwrap_or(true),
            ..ConnectOptions::default()
        };
        let want: Vec<&str> = case["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert_eq!(options.features(), want, "{given}");
    }
}

#[test]
fn each_environment_case_gives_the_tables_address_room_seat_and_token() {
    for case in table()["environment"]["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let env: HashMap<String, String> = case["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let lookup = |key: &str| env.get(key).cloned();
        let args = case.get("args").cloned().unwrap_or(Value::Null);
        let options = ConnectOptions {
            room: args["room"].as_str().map(str::to_string),
            token: args["token"].as_str().map(str::to_string),
            seat: args["seat"].as_u64().map(|s| s as u8),
            ..ConnectOptions::default()
        };
        let port = args["port"].as_u64().map(|p| p as usize);
        let got = address_in(args["host"].as_str(), port, lookup)
            .map_err(|e| match e {
                Error::Connect { source, .. } => source.to_string(),
                other => panic!("{name}: {other}"),
            })
            .and_then(|(host, port)| {
                let seat = seat_in(options.seat, lookup)?;
                Ok(
                    serde_json::json!({"host": host, "port": port, "room": options.room_in(lookup),
                    "seat": seat, "token": options.token_in(lookup)}),
                )
            });
        match case["expect"].get("error") {
            Some(error) => assert_eq!(got.unwrap_err(), error.as_str().unwrap(), "{name}"),
            None => assert_eq!(got.unwrap(), case["expect"], "{name}"),
        }
    }
}

#[test]
fn a_bad_port_variable_is_a_connect_error_that_names_it() {
    let err = broker_address_with(|k| (k == PORT_ENV).then(|| "http".to_string())).unwrap_err();
    assert_eq!(err.code(), "connect_failed");
    assert_eq!(
        err.to_string(),
        "could not connect to the broker at 127.0.0.1:http (0 attempts): BITBROKER_PORT must be a TCP port; got \"http\""
    );
}
