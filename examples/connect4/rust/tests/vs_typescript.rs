//! The Rust example bot (this crate's binary) plays the TypeScript Connect Four game against a
//! TypeScript bot, through the real broker: separate processes, real sockets, bounded in time.
#[path = "../../../../test/rust-common/broker.rs"]
mod broker;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use broker::{bun, count_events, is_event, repo_root, Broker};
use serde_json::Value;

const MATCH_TIMEOUT: Duration = Duration::from_secs(60);
const STEP_TIMEOUT: Duration = Duration::from_secs(15);

fn example(file: &str) -> PathBuf {
    let path = repo_root().join("examples/connect4").join(file);
    assert!(
        path.is_file(),
        "{} is missing: the TypeScript example must be in the repository",
        path.display()
    );
    path
}

fn spawn(mut command: Command) -> Child {
    command
        .current_dir(repo_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command.spawn().expect("spawn a player")
}

fn ts(script: &str, port: u16, extra: &[&str]) -> Child {
    let mut command = Command::new(bun());
    command
        .arg(example(script))
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(extra);
    spawn(command)
}

fn rust_bot(port: u16) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_connect4-bot"));
    command.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
    spawn(command)
}

/// Waits for a player to exit (killing it at the timeout); returns (exit ok, stdout, stderr).
fn finish(child: Child, who: &str) -> (bool, String, String) {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok(out) = child.wait_with_output() else {
            return;
        };
        let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
        let _ = tx.send((out.status.success(), text(out.stdout), text(out.stderr)));
    });
    rx.recv_timeout(MATCH_TIMEOUT).unwrap_or_else(|_| {
        // SAFETY: kill(2) on our own child's pid; no memory is touched.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        panic!("{who} did not finish within {MATCH_TIMEOUT:?}")
    })
}

/// One match: `first` takes seat 0 (disc 1, moves first), `second` seat 1; returns the game's
/// result line, after checking that every player exited cleanly.
fn play(broker: &Broker, first: impl FnOnce() -> Child, second: impl FnOnce() -> Child) -> Value {
    let seats = count_events(broker, "seat taken");
    let first = first();
    broker.wait_for_count(STEP_TIMEOUT, seats + 1, |l| is_event(l, "seat taken"));
    let second = second();
    broker.wait_for_count(STEP_TIMEOUT, seats + 2, |l| is_event(l, "seat taken"));
    let game = ts("game.ts", broker.port, &[]);
    let (game_ok, board, game_err) = finish(game, "the TypeScript game");
    let (first_ok, _, first_err) = finish(first, "bot 0");
    let (second_ok, _, second_err) = finish(second, "bot 1");
    assert!(game_ok, "game failed: {game_err}\n{board}");
    assert!(
        first_ok && second_ok,
        "a bot failed: {first_err} {second_err}"
    );
    let last = board.lines().last().unwrap_or_default();
    let result: Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("last line {last:?} is not JSON: {e}"));
    println!("{board}");
    result
}

#[test]
fn the_rust_bot_beats_a_seeded_random_typescript_bot_in_the_typescript_game() {
    let broker = Broker::start(2);
    let result = play(
        &broker,
        || rust_bot(broker.port),
        || ts("bot.ts", broker.port, &["--kind", "random", "--seed", "7"]),
    );
    assert_eq!(result["result"], "win", "{result}");
    assert_eq!(
        result["winner"], 0,
        "the Rust bot (seat 0) should win: {result}"
    );
    assert_eq!(result["name"], "rust-connect4");
    assert_eq!(result["forfeit"], false);
}

#[test]
fn the_rust_bot_plays_second_against_the_smart_typescript_bot_without_forfeiting() {
    let broker = Broker::start(2);
    let result = play(
        &broker,
        || ts("bot.ts", broker.port, &["--kind", "smart", "--seed", "3"]),
        || rust_bot(broker.port),
    );
    match result["result"].as_str() {
        Some("draw") => {}
        Some("win") => assert!(
            result["winner"] == 1 || result["forfeit"] == false,
            "the Rust bot forfeited: {result}"
        ),
        _ => panic!("not a finished match: {result}"),
    }
    assert!(result["moves"].as_u64().unwrap_or(0) >= 7, "{result}");
}
