//! Abnormal ends (docs/PROTOCOL.md §6–7) met by the ORIGINAL crate's own run_bot/run_game: each
//! returns promptly, as asserted below, never hangs or panics. A failure means the broker is wrong.
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bitbroker::{run_bot, run_game, BaseBot, Error};
use tokio::sync::Notify;
use bitbroker_interop::broker::{is_event, json_string, Broker};
use bitbroker_interop::misbehaving::{
    bot_leaving_after_one_state, game_leaving_after_first_trigger, on_thread, SlowBot, HOST,
};
use bitbroker_interop::players::{state_for, EchoBot, ScriptedGame, Seen};

/// Bound on any client's whole run (the tests assert far less where it matters).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(20);
/// Bound on a lobby step or a log line.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// "Promptly": an abandoned or rejected original client must return within this.
const PROMPT: Duration = Duration::from_secs(5);

type Outcome<T> = Result<T, tokio::time::error::Elapsed>;
type RunOutcome = Outcome<bitbroker::Result<()>>;

/// Runs `client` on `rt`, cut off at CLIENT_TIMEOUT (the timer needs the runtime's context).
fn bounded<F: std::future::Future>(rt: &tokio::runtime::Runtime, client: F) -> Outcome<F::Output> {
    rt.block_on(async { tokio::time::timeout(CLIENT_TIMEOUT, client).await })
}

fn spawn_game(port: usize, rounds: usize) -> Receiver<(ScriptedGame, RunOutcome)> {
    on_thread(move |rt| {
        let mut game = ScriptedGame::new(rounds);
        let run = run_game(&mut game, HOST, port);
        let result = bounded(rt, run);
        (game, result)
    })
}

fn spawn_bot<B: BaseBot + Send + 'static>(bot: B, port: usize) -> Receiver<RunOutcome> {
    on_thread(move |rt| bounded(rt, run_bot(bot, HOST, port)))
}

/// The client's outcome, due `bound` after `start`; panics with the broker log if it is late
/// (hung) or never comes (its thread panicked).
fn recv<T>(rx: Receiver<T>, start: Instant, bound: Duration, who: &str, broker: &Broker) -> T {
    let left = (start + bound).saturating_duration_since(Instant::now());
    rx.recv_timeout(left).unwrap_or_else(|e| {
        let log = broker.log().join("\n");
        panic!("{who}: no outcome within {bound:?} ({e}: panicked or hung); broker log:\n{log}")
    })
}

/// The `cause` of the `nth` (1-based) `match ended` log line.
fn end_cause(broker: &Broker, nth: usize) -> String {
    let end = broker.wait_for_count(STEP_TIMEOUT, nth, |l| is_event(l, "match ended"));
    json_string(&end, "cause").expect("cause in the match ended line")
}

/// The reason of the `nth` match end as sent in `00 FF`: `code: cause` (PROTOCOL.md §6.1).
fn end_reason(broker: &Broker, nth: usize) -> String {
    let end = broker.wait_for_count(STEP_TIMEOUT, nth, |l| is_event(l, "match ended"));
    let code = json_string(&end, "code").expect("code in the match ended line");
    format!("{code}: {}", end_cause(broker, nth))
}

/// The `code` of the first `connection rejected` log line.
fn rejection(broker: &Broker) -> String {
    let line = broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "connection rejected"));
    json_string(&line, "code").expect("code in the connection rejected line")
}

/// The lobby survivor `game` and `bot` play a whole match: both end Ok, every reply checks out.
fn survivors_play(
    broker: &Broker,
    game: Receiver<(ScriptedGame, RunOutcome)>,
    bot: Receiver<RunOutcome>,
) {
    let start = Instant::now();
    let (game, result) = recv(game, start, CLIENT_TIMEOUT, "surviving run_game", broker);
    assert!(
        matches!(result, Ok(Ok(()))),
        "surviving run_game: {result:?}"
    );
    let bot_result = recv(bot, start, CLIENT_TIMEOUT, "surviving run_bot", broker);
    assert!(
        matches!(bot_result, Ok(Ok(()))),
        "surviving run_bot: {bot_result:?}"
    );
    assert_eq!(game.problems, Vec::<String>::new());
    assert!(game.ended, "the surviving game never sent EndGame");
    assert_eq!(end_cause(broker, 1), "the game ended the match");
}

/// §6: a bot leaves while the game awaits its reply, so the broker sends the game `00 FF` +
/// reason twice. The original run_game reads ANY line after an action as the reply (it never
/// checks its codes) and hands `response.body()` — the UTF-8 reason — to deliver_response; the
/// second `00 FF` then stands where it expects the next trigger, and it returns Ok(()).
#[test]
fn bot_gone_mid_move_original_game_gets_the_reason_as_its_reply_then_ends_ok() {
    let broker = Broker::start(1);
    let port = usize::from(broker.port);
    let leaver = on_thread(move |rt| {
        let run = bot_leaving_after_one_state(port, "leaver");
        bounded(rt, run)
    });
    broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "seat taken"));
    let start = Instant::now();
    let game = spawn_game(port, 3);

    let state = recv(leaver, start, CLIENT_TIMEOUT, "leaving bot", &broker)
        .expect("leaving bot in time")
        .expect("leaving bot read its state");
    let mut want = vec![0x02, 0x05];
    want.extend(state_for(0, 0));
    assert_eq!(state, want, "the leaving bot's one state line");

    let (game, result) = recv(game, start, PROMPT, "run_game", &broker);
    assert!(matches!(result, Ok(Ok(()))), "run_game: {result:?}");
    let reason = end_reason(&broker, 1);
    assert_eq!(reason, "bot_disconnected: bot 0 (leaver) disconnected");
    assert_eq!(game.asked.len(), 1, "one action before the bot left");
    assert_eq!(
        game.replies,
        vec![reason.into_bytes()],
        "deliver_response got the reason"
    );
    assert!(!game.ended, "the game never got to send EndGame");
}

/// §6: a bot misses the move deadline (300 ms; it answers only once the test releases it, after
/// the game has ended). The original run_game ends Ok at the deadline, the reason as its one reply
/// (as above), while the bot still thinks. Released, the slow original bot writes its late reply
/// into the socket the broker closed (the first write after a close succeeds) and reads the
/// `00 FF` + reason queued before the close: Ok(()).
#[test]
fn missed_deadline_original_game_ends_ok_at_once_and_slow_original_bot_ends_ok_later() {
    let broker = Broker::start_with(1, &[("BROKER_MOVE_TIMEOUT_MS", "300")]);
    let port = usize::from(broker.port);
    let seen = Seen::default();
    let release = Arc::new(Notify::new());
    let bot = spawn_bot(
        SlowBot {
            seen: Arc::clone(&seen),
            release: Arc::clone(&release),
        },
        port,
    );
    broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "seat taken"));
    let start = Instant::now();
    let game = spawn_game(port, 3);

    let (game, result) = recv(game, start, PROMPT, "run_game", &broker);
    assert!(matches!(result, Ok(Ok(()))), "run_game: {result:?}");
    let reason = end_reason(&broker, 1);
    assert_eq!(
        reason,
        "move_timeout: bot 0 (slow-bot) missed its move deadline of 300 ms"
    );
    assert_eq!(
        game.replies,
        vec![reason.into_bytes()],
        "deliver_response got the reason"
    );
    // The game ended on the deadline, not on the bot: the bot has not answered yet.
    assert!(
        matches!(bot.try_recv(), Err(TryRecvError::Empty)),
        "run_bot ended before its move was decided"
    );

    release.notify_one();
    let bot_result = recv(bot, Instant::now(), PROMPT, "slow run_bot", &broker);
    assert!(
        matches!(bot_result, Ok(Ok(()))),
        "slow run_bot: {bot_result:?}"
    );
    assert_eq!(*seen.lock().unwrap(), vec![state_for(0, 0)]);
}

/// §6: the game leaves right after the batch and its first trigger. Every original bot, still
/// waiting for a state, reads `00 FF` + reason and its run_bot returns Ok(()).
#[test]
fn game_gone_mid_match_every_original_bot_ends_ok() {
    let broker = Broker::start(2);
    let port = usize::from(broker.port);
    let seen: [Seen; 2] = Default::default();
    let bots = [
        spawn_bot(
            EchoBot::<0> {
                seen: Arc::clone(&seen[0]),
            },
            port,
        ),
        spawn_bot(
            EchoBot::<1> {
                seen: Arc::clone(&seen[1]),
            },
            port,
        ),
    ];
    broker.wait_for_count(STEP_TIMEOUT, 2, |l| is_event(l, "seat taken"));
    let start = Instant::now();
    let game = on_thread(move |rt| {
        let run = game_leaving_after_first_trigger(port);
        bounded(rt, run)
    });

    let (batch, trigger) = recv(game, start, PROMPT, "leaving game", &broker)
        .expect("leaving game in time")
        .expect("leaving game read batch and trigger");
    assert_eq!(batch[..2], [0x00, 0x11], "first line: the batch");
    assert_eq!(trigger, [0x01, 0x00], "second line: the trigger");
    for (id, bot) in bots.into_iter().enumerate() {
        let result = recv(bot, start, PROMPT, &format!("run_bot {id}"), &broker);
        assert!(matches!(result, Ok(Ok(()))), "run_bot {id}: {result:?}");
        assert!(
            seen[id].lock().unwrap().is_empty(),
            "bot {id} was never asked"
        );
    }
    assert_eq!(end_cause(&broker, 1), "the game disconnected");
}

/// §7: a bot beyond its room's queue limit (here 1) is closed with `00 FF` + `queue_full` first,
/// so the original run_bot returns Ok(()) at once (on a bare close it would panic indexing an
/// empty message). The queued bot is untouched and plays the next match.
#[test]
fn bot_beyond_the_queue_limit_original_bot_ends_ok_promptly_and_the_queued_one_plays_on() {
    let broker = Broker::start_with(1, &[("BROKER_QUEUE_MAX", "1")]);
    let port = usize::from(broker.port);
    let seated = spawn_bot(
        EchoBot::<0> {
            seen: Seen::default(),
        },
        port,
    );
    broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "seat taken"));
    let start = Instant::now();
    let extra = spawn_bot(
        EchoBot::<1> {
            seen: Seen::default(),
        },
        port,
    );

    let result = recv(
        extra,
        start,
        PROMPT,
        "run_bot beyond the queue limit",
        &broker,
    );
    assert!(
        matches!(result, Ok(Ok(()))),
        "run_bot beyond the queue limit: {result:?}"
    );
    assert_eq!(rejection(&broker), "queue_full");
    survivors_play(&broker, spawn_game(port, 2), seated);
}

/// §7: a second game beyond its room's queue limit (here 1) gets `00 FF` + `queue_full` as its
/// first line. The original run_game expects `00 11` there, so it returns
/// Err(UnexpectedOperation((0x00, 0xFF))) at once (no hang, no panic). The waiting game is
/// untouched and plays when a bot arrives (a newcomer that completes a line-up may join).
#[test]
fn second_game_beyond_the_queue_limit_original_game_errs_unexpected_00_ff_promptly_and_the_first_plays_on(
) {
    let broker = Broker::start_with(1, &[("BROKER_QUEUE_MAX", "1")]);
    let port = usize::from(broker.port);
    let first = spawn_game(port, 2);
    broker.wait_for(STEP_TIMEOUT, |l| is_event(l, "game joined the lobby"));
    let start = Instant::now();
    let second = spawn_game(port, 2);

    let (second, result) = recv(second, start, PROMPT, "second run_game", &broker);
    assert!(
        matches!(result, Ok(Err(Error::UnexpectedOperation((0x00, 0xFF))))),
        "second run_game: {result:?}"
    );
    assert!(
        second.batch.is_none() && second.asked.is_empty(),
        "the second game never played"
    );
    assert_eq!(rejection(&broker), "queue_full");
    let bot = spawn_bot(
        EchoBot::<0> {
            seen: Seen::default(),
        },
        port,
    );
    survivors_play(&broker, first, bot);
}
