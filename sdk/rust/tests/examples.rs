//! The examples as the programs users run (`cargo test` builds them): the counting game referees
//! two counting bots through the real broker, and an error returned from `main` prints as one
//! readable line.
mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{is_event, Broker};

const EXIT_TIMEOUT: Duration = Duration::from_secs(30);

/// The built example `name`, beside this test's own executable (target/<profile>/examples/).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.is_file(),
        "{} is not built: run `cargo test` without a target filter, or with --examples",
        path.display()
    );
    path
}

fn spawn(name: &str, args: &[&str]) -> Child {
    Command::new(example(name))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn an example")
}

/// Waits for `child` to exit, polling with a bound; kills it and panics if it overruns.
fn finish(mut child: Child, who: &str) -> Output {
    let deadline = Instant::now() + EXIT_TIMEOUT;
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("{who} did not exit within {EXIT_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("the example's output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_counting_game_example_referees_two_counting_bots_through_the_real_broker() {
    let broker = Broker::start(2);
    let port = broker.port.to_string();
    let bots: Vec<Child> = (0..2)
        .map(|_| spawn("counting_bot", &["127.0.0.1", &port]))
        .collect();
    let game = spawn("counting_game", &["127.0.0.1", &port, "6"]);
    let game = finish(game, "counting_game");
    assert!(game.status.success(), "{}", text(&game.stderr));
    assert_eq!(
        text(&game.stdout),
        "count 6 with bots 0 counter, 1 counter\n"
    );
    for bot in bots {
        let bot = finish(bot, "counting_bot");
        assert!(bot.status.success(), "{}", text(&bot.stderr));
        let out = text(&bot.stdout);
        assert_eq!(
            out,
            "counter: result \"counted to 6\"\ncounter: the match is over\n"
        );
    }
    let ended = broker.wait_for(EXIT_TIMEOUT, |l| is_event(l, "match ended"));
    assert!(ended.contains("\"turns\":6"), "{ended}");
}

#[test]
fn an_error_returned_from_main_prints_its_readable_text() {
    // Port 70000 fails at once (no retry): what a user sees when `main` returns the error.
    let game = finish(
        spawn("counting_game", &["127.0.0.1", "70000"]),
        "counting_game",
    );
    assert_eq!(game.status.code(), Some(1));
    assert_eq!(
        text(&game.stderr),
        "Error: could not connect to the broker at 127.0.0.1:70000 (0 attempts): the port is above 65535\n"
    );
}
