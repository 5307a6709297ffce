//! A `log` logger for the tests that check what the SDK logs: it keeps every record of the
//! `bitbroker` targets, and runs those tests one at a time so each sees only its own records.
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Every record logged through the `log` facade by this test binary: (level, text).
pub static RECORDS: Mutex<Vec<(log::Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("bitbroker") {
            let text = record.args().to_string();
            RECORDS.lock().unwrap().push((record.level(), text));
        }
    }
    fn flush(&self) {}
}

/// Installs the capturing logger once, and runs the tests of this file one at a time so each
/// sees only its own records; returns the guard and clears the records.
pub fn capture() -> MutexGuard<'static, ()> {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        log::set_logger(&Capture).unwrap();
        log::set_max_level(log::LevelFilter::Debug);
    });
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    RECORDS.lock().unwrap().clear();
    // Hermetic: each test sets the variables it needs.
    for name in ["BITBROKER_ROOM", "BITBROKER_TOKEN", "BITBROKER_SEAT"] {
        std::env::remove_var(name);
    }
    guard
}

pub fn infos() -> Vec<String> {
    let records = RECORDS.lock().unwrap();
    let infos = records
        .iter()
        .filter(|(level, _)| *level <= log::Level::Info);
    infos.map(|(_, text)| text.clone()).collect()
}
