//! The reason codes of `00 FF` (PROTOCOL.md §6.1): which error each one is, and how a reason's
//! code is read (`code: text`). Pure data, checked against test/vectors/session.json.

/// Which error each reason code of PROTOCOL.md §6.1 is; any other code is `MatchAborted`.
pub(crate) const REFUSAL_CODES: [&str; 10] = [
    "hello_timeout",
    "bad_handshake",
    "protocol_error",
    "unexpected_message",
    "lobby_full",
    "queue_full",
    "bad_hello",
    "unknown_room",
    "unauthorized",
    "limit_exceeded",
];
pub(crate) const SHUTDOWN_CODES: [&str; 2] = ["broker_shutdown", "broker_finished"];
/// The match-end codes: `MatchAborted`, as is any code not listed here.
#[cfg_attr(not(test), allow(dead_code))]
const MATCH_END_CODES: [&str; 6] = [
    "bot_disconnected",
    "game_disconnected",
    "move_timeout",
    "bot_misbehaved",
    "game_misbehaved",
    "slow_consumer",
];

/// The code at the start of a reason (`code: text`, `code` = `[a-z_]+`), or "" if it has none.
pub(crate) fn reason_code_of(reason: &str) -> &str {
    match reason.split_once(": ") {
        Some((code, _))
            if !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
        {
            code
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reason codes this crate knows are exactly the table's (test/vectors/session.json).
    #[test]
    fn the_reason_code_lists_are_the_session_tables() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../test/vectors/session.json"
        );
        let table: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut want: Vec<(String, String)> = table["end_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["code"].as_str().unwrap().into(),
                    r["error"].as_str().unwrap().into(),
                )
            })
            .collect();
        let mut ours: Vec<(String, String)> = Vec::new();
        for (codes, error) in [
            (&MATCH_END_CODES[..], "match_aborted"),
            (&REFUSAL_CODES[..], "refused"),
            (&SHUTDOWN_CODES[..], "broker_shutdown"),
        ] {
            ours.extend(codes.iter().map(|c| (c.to_string(), error.to_string())));
        }
        want.sort();
        ours.sort();
        assert_eq!(ours, want);
    }

    #[test]
    fn a_reason_code_is_lower_case_letters_and_underscores_before_colon_space() {
        assert_eq!(
            reason_code_of("bot_disconnected: bot 1 left"),
            "bot_disconnected"
        );
        assert_eq!(
            reason_code_of("protocol_error: line_too_long: x"),
            "protocol_error"
        );
        assert_eq!(reason_code_of("something went wrong"), "");
        assert_eq!(reason_code_of("Bad: upper case"), "");
        assert_eq!(reason_code_of(": empty"), "");
        assert_eq!(reason_code_of("no_space:x"), "");
        assert_eq!(reason_code_of(""), "");
    }
}
