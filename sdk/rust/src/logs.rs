//! What a bot's or game's loop tells the `log` facade (connected, Welcome, match start and end
//! at info; each message at debug): the texts, in one place. Never called per turn above debug.
use crate::proto::Welcome;
use crate::BitBrokerMessage;

/// How a log line names a room: `'name'`, or `default`.
pub(crate) fn room_text(room: &str) -> String {
    if room.is_empty() {
        "default".into()
    } else {
        format!("{room:?}")
    }
}

/// How a debug log line names a message: its codes and body size.
pub(crate) fn describe(message: &BitBrokerMessage) -> String {
    let (opcode, operand) = message.codes();
    format!(
        "{opcode:02x} {operand:02x} ({} bytes)",
        message.body().len()
    )
}

/// The info line for the broker's Welcome (§9.1), and one more when it switched the connection
/// to v2 frames (§11).
pub(crate) fn welcome(welcome: &Welcome, framed: bool) {
    let version = if welcome.broker_version.is_empty() {
        "(no version)"
    } else {
        &welcome.broker_version
    };
    log::info!(
        "welcome from the broker {version}: room {:?}, queue position {}, {} bots per match",
        welcome.room,
        welcome.queue_position,
        welcome.bots
    );
    if framed {
        log::info!("the broker granted v2 frames: binary frames from now on");
    }
}

/// The info line for the start of a game's match: every bot, in index order.
#[cfg(feature = "game")]
pub(crate) fn match_started(batch: &crate::proto::InitialMessageBatchProto) {
    if log::log_enabled!(log::Level::Info) {
        let names: Vec<String> = crate::bots(batch)
            .iter()
            .map(|b| format!("{} {:?}", b.index, b.name))
            .collect();
        let count = batch.initial_messages.len();
        log::info!("match started with {count} bots: {}", names.join(", "));
    }
}

/// The info line for a match's result, as a bot receives it (§9.4).
#[cfg(feature = "bot")]
pub(crate) fn result(who: &str, result: &crate::proto::MatchResult) {
    let summary = if result.summary.is_empty() {
        "(no summary)"
    } else {
        &result.summary
    };
    log::info!("match result for {who}: {summary}");
}

/// The info line for a missed move under SKIP (§9.5): rare, never the per-turn path.
#[cfg(feature = "game")]
pub(crate) fn missed(missed: &crate::proto::MoveMissed) {
    log::info!(
        "bot {} missed its move (deadline {} ms): the turn is skipped",
        missed.bot,
        missed.deadline_ms
    );
}
