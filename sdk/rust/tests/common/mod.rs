//! Shared test helpers: the real-broker harness (broker.rs, also used by the Connect Four
//! example's tests) and the test players (players.rs).
#![allow(dead_code)]

mod broker;
pub mod players;

#[allow(unused_imports)] // connection.rs uses only the players
pub use broker::*;
