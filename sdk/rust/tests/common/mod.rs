//! Shared test helpers: the real-broker launcher (test/rust-common/broker.rs, shared with the
//! interop crate and the Connect Four example), tokio runtimes, and the test players.
#![allow(dead_code)] // each test file uses a different part of the helpers

#[path = "../../../../test/rust-common/broker.rs"]
mod broker;
pub mod capture;
pub mod players;

use std::time::Duration;

#[allow(unused_imports)] // connection.rs uses only the players
pub use broker::*;

/// Runs `client` on its own thread with its own single-threaded runtime, like a separate
/// process; for clients whose futures are not `Send` (the original crate's).
pub fn on_own_thread<T, F>(
    client: impl FnOnce() -> F + Send + 'static,
) -> std::sync::mpsc::Receiver<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = T>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _ = tx.send(rt.block_on(client()));
    });
    rx
}

/// A two-worker runtime for the test's clients; `tokio::spawn` on it needs `Send` futures.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `f` on `rt`, failing the test if it takes longer than `limit`.
pub fn within<T>(
    rt: &tokio::runtime::Runtime,
    limit: Duration,
    f: impl std::future::Future<Output = T>,
) -> T {
    rt.block_on(async { tokio::time::timeout(limit, f).await })
        .unwrap_or_else(|_| panic!("not done in {limit:?}"))
}

/// Checks an error from OUR broker ending the session: its reason code is `code` (PROTOCOL.md
/// §6.1), the error is the kind the table gives that code, and `text` is in the reason.
pub fn expect_reason(err: &bitbroker::Error, code: &str, text: &str) {
    assert_eq!(err.reason_code(), Some(code), "{err}");
    let kind = bitbroker::Error::from_reason(format!("{code}: x"));
    assert_eq!(err.code(), kind.code(), "{err}");
    assert!(err.reason().unwrap_or_default().contains(text), "{err}");
}
