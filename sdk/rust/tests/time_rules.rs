//! Time rules through the Rust SDK and the real broker (PROTOCOL.md §9.5), as the TypeScript suite
//! does it: a bot that blocks on purpose through its first move misses it under SKIP, its late
//! reply is dropped, the next turn gets its own reply; bots read their clock, games each turn's
//! timing. Assertions are on what happened, never on how long it took.
mod common;

use std::future::{ready, Future};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bitbroker::proto::InitialMessageBatchProto;
use bitbroker::{
    run_bot_with, run_game_with, Action, BaseBot, BaseGame, ConnectOptions, Miss, MoveClock,
    MoveMissed, TimeRules, TurnTiming,
};
use common::{is_event, json_number, json_string, runtime, within, Broker};
use tokio::sync::Notify;

const HOST: &str = "127.0.0.1";
const LIMIT: Duration = Duration::from_secs(30);

/// Blocks on its first state until `released` (the game saw the miss), then answers at once;
/// keeps the clock of every state.
struct SlowStarter {
    released: Option<Arc<Notify>>,
    clocks: Arc<Mutex<Vec<Option<MoveClock>>>>,
}

impl BaseBot for SlowStarter {
    type State<'a> = &'a [u8];
    type Response = Vec<u8>;
    const NAME: &'static str = "SlowStarter";

    fn decide_move<'a>(&mut self, state: Self::State<'a>) -> impl Future<Output = Vec<u8>> + Send {
        self.decide_move_timed(state, None)
    }

    fn decide_move_timed<'a>(
        &mut self,
        state: Self::State<'a>,
        clock: Option<MoveClock>,
    ) -> impl Future<Output = Vec<u8>> + Send {
        let first = {
            let mut clocks = self.clocks.lock().unwrap();
            clocks.push(clock);
            clocks.len() == 1
        };
        let wait = self.released.clone().filter(|_| first);
        let reply = [b"re:".as_slice(), state].concat();
        async move {
            if let Some(released) = wait {
                let seen = tokio::time::timeout(Duration::from_secs(20), released.notified());
                seen.await.expect("the game never saw the missed move");
            }
            reply
        }
    }
}

/// Asks bot 0 for `turns` turns; records replies, missed moves and timings.
#[derive(Default)]
struct TimedGame {
    turns: usize,
    turn: usize,
    missed: Option<Arc<Notify>>,
    log: Vec<String>,
    timings: Vec<TurnTiming>,
}

impl BaseGame for TimedGame {
    type State = Vec<u8>;
    type Response<'a> = &'a [u8];

    fn initialise(&mut self, _: InitialMessageBatchProto) -> impl Future<Output = ()> + Send {
        ready(())
    }

    fn next_action(&mut self) -> impl Future<Output = Action<Vec<u8>>> + Send {
        let action = if self.turn == self.turns {
            Action::EndGame
        } else {
            self.turn += 1;
            Action::PlayerAction(0, format!("s{}", self.turn - 1).into_bytes())
        };
        ready(action)
    }

    fn deliver_response<'a>(
        &mut self,
        response: Self::Response<'a>,
    ) -> impl Future<Output = ()> + Send {
        self.log
            .push(String::from_utf8_lossy(response).into_owned());
        ready(())
    }

    fn move_missed(&mut self, missed: MoveMissed) -> impl Future<Output = ()> + Send {
        self.log.push(format!(
            "missed by bot {} ({} ms)",
            missed.bot, missed.deadline_ms
        ));
        if let Some(seen) = &self.missed {
            seen.notify_one(); // a permit: the bot may not be waiting yet
        }
        ready(())
    }

    fn turn_timing(&mut self, timing: TurnTiming) -> impl Future<Output = ()> + Send {
        self.timings.push(timing);
        ready(())
    }
}

fn options(timing: bool, time: Option<TimeRules>) -> ConnectOptions {
    ConnectOptions {
        timing,
        time,
        read_timeout: Some(Duration::from_secs(20)),
        ..ConnectOptions::default()
    }
}

#[test]
fn skip_a_missed_first_move_is_forfeited_its_late_reply_dropped_the_next_turn_gets_its_own() {
    let broker = Broker::start(1);
    let rt = runtime();
    let port = usize::from(broker.port);
    let seen_miss = Arc::new(Notify::new());
    let clocks = Arc::default();
    let bot = SlowStarter {
        released: Some(Arc::clone(&seen_miss)),
        clocks: Arc::clone(&clocks),
    };
    // The first move has 500 ms and the bot holds it until the game has been told it missed;
    // later moves have 20 s, far more than they need.
    let time = TimeRules {
        move_ms: Some(20_000),
        first_move_ms: Some(500),
        bank_ms: None,
        on_miss: Miss::Skip as i32,
    };
    let bot = rt.spawn(run_bot_with(bot, HOST, port, options(true, None)));
    let mut game = TimedGame {
        turns: 3,
        missed: Some(seen_miss),
        ..TimedGame::default()
    };
    within(&rt, LIMIT, async {
        run_game_with(&mut game, HOST, port, options(true, Some(time)))
            .await
            .unwrap();
        bot.await.unwrap().unwrap();
    });
    assert_eq!(game.log, ["missed by bot 0 (500 ms)", "re:s1", "re:s2"]);
    let missed: Vec<bool> = game.timings.iter().map(|t| t.missed).collect();
    assert_eq!(missed, [true, false, false]);
    assert!(game.timings[0].think_ms >= 500.0 && game.timings[0].bot == 0);
    let deadlines: Vec<Option<u32>> = clocks
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.map(|c| c.deadline_ms))
        .collect();
    assert_eq!(deadlines, [Some(500), Some(20_000), Some(20_000)]);
    broker.wait_for(LIMIT, |l| {
        is_event(l, "late reply dropped") && json_number(l, "bot") == Some(0)
    });
    let ended = broker.wait_for(LIMIT, |l| is_event(l, "match ended"));
    assert_eq!(json_string(&ended, "code").as_deref(), Some("normal"));
    assert_eq!(json_number(&ended, "turns"), Some(3));
}

#[test]
fn without_the_timing_option_nothing_new_reaches_the_clients() {
    let broker = Broker::start(1);
    let rt = runtime();
    let port = usize::from(broker.port);
    let clocks = Arc::default();
    let bot = SlowStarter {
        released: None,
        clocks: Arc::clone(&clocks),
    };
    let bot = rt.spawn(run_bot_with(bot, HOST, port, options(false, None)));
    let mut game = TimedGame {
        turns: 2,
        ..TimedGame::default()
    };
    // SKIP without timing: the rules say END; no notice reaches either side.
    let time = TimeRules {
        move_ms: Some(20_000),
        on_miss: Miss::Skip as i32,
        ..TimeRules::default()
    };
    within(&rt, LIMIT, async {
        run_game_with(&mut game, HOST, port, options(false, Some(time)))
            .await
            .unwrap();
        bot.await.unwrap().unwrap();
    });
    assert_eq!(game.log, ["re:s0", "re:s1"]);
    assert!(game.timings.is_empty());
    assert_eq!(*clocks.lock().unwrap(), [None, None]);
}
