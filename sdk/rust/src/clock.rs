//! `MoveClock`: a bot's time for the state it is deciding on (PROTOCOL.md §9.5), from the
//! broker's `00 30` (only to a bot that asked for `timing`). A value: the instant it arrived is
//! given to it, and `remaining_at` takes "now" as an argument for tests.
use std::time::{Duration, Instant};

use crate::proto::MoveTiming;

/// The time a bot has for one state: what the broker said, and when it arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoveClock {
    /// This move's own time, in ms (0 = no deadline).
    pub move_ms: u32,
    /// The bot's time bank left, in ms.
    pub bank_ms: u32,
    /// The whole time for this move, in ms from when the broker sent the state: move time +
    /// bank (0 = no deadline).
    pub deadline_ms: u32,
    /// When the SDK read the broker's `00 30` (just before the state).
    pub received: Instant,
}

impl MoveClock {
    /// The clock for `timing`, read at `received`.
    pub fn new(timing: &MoveTiming, received: Instant) -> Self {
        Self {
            move_ms: timing.move_ms,
            bank_ms: timing.bank_ms,
            deadline_ms: timing.deadline_ms,
            received,
        }
    }

    /// When the move is due, or `None` without a deadline. The broker started counting a little
    /// earlier (when it sent the state): keep a margin for the trip back.
    pub fn deadline(&self) -> Option<Instant> {
        (self.deadline_ms > 0)
            .then(|| self.received + Duration::from_millis(u64::from(self.deadline_ms)))
    }

    /// Time left before the deadline as of now (zero once past it), or `None` without one.
    pub fn remaining(&self) -> Option<Duration> {
        self.remaining_at(Instant::now())
    }

    /// Time left before the deadline as of `now` (zero once past it), or `None` without one.
    pub fn remaining_at(&self, now: Instant) -> Option<Duration> {
        self.deadline()
            .map(|due| due.saturating_duration_since(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_left_counts_down_from_the_deadline_and_stops_at_zero() {
        let t0 = Instant::now();
        let timing = MoveTiming {
            move_ms: 100,
            bank_ms: 50,
            deadline_ms: 150,
        };
        let clock = MoveClock::new(&timing, t0);
        assert_eq!(clock.deadline(), Some(t0 + Duration::from_millis(150)));
        let later = t0 + Duration::from_millis(40);
        assert_eq!(clock.remaining_at(later), Some(Duration::from_millis(110)));
        let past = t0 + Duration::from_secs(1);
        assert_eq!(clock.remaining_at(past), Some(Duration::ZERO));
    }

    #[test]
    fn no_deadline_means_no_time_limit() {
        let clock = MoveClock::new(&MoveTiming::default(), Instant::now());
        assert_eq!((clock.deadline(), clock.remaining()), (None, None));
    }
}
