//! Where a client goes when the program does not say (BITBROKER_HOST, BITBROKER_PORT):
//! `run_bot_from_env` and `run_game_from_env` against the real broker, and a bad port variable.
//! One test, so no other test of this binary reads the variables while they are set.
mod common;

use std::time::Duration;

use bitbroker::{run_bot_from_env, run_game_from_env, HOST_ENV, PORT_ENV};
use common::players::{EchoBot, ScriptedGame, Seen};
use common::{runtime, within, Broker};

#[test]
fn the_from_env_functions_go_where_the_variables_say_and_refuse_a_bad_port() {
    let broker = Broker::start(1);
    let rt = runtime();
    std::env::set_var(HOST_ENV, "127.0.0.1");
    std::env::set_var(PORT_ENV, broker.port.to_string());
    let bot = rt.spawn(run_bot_from_env(EchoBot::<0> {
        seen: Seen::default(),
    }));
    let mut game = ScriptedGame::new(2);
    within(&rt, Duration::from_secs(30), async {
        run_game_from_env(&mut game).await.unwrap();
        bot.await.unwrap().unwrap();
    });
    assert_eq!((game.replies.len(), game.problems.len()), (2, 0));

    std::env::set_var(PORT_ENV, "seven");
    let err = within(
        &rt,
        Duration::from_secs(30),
        run_game_from_env(&mut ScriptedGame::new(1)),
    )
    .unwrap_err();
    assert_eq!(err.code(), "connect_failed");
    assert!(
        err.to_string()
            .ends_with("BITBROKER_PORT must be a TCP port; got \"seven\""),
        "{err}"
    );
}
