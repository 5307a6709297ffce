//! Interop harness: starts our broker (`bun src/main.ts`) and defines a game and bots written
//! only against the ORIGINAL crate's public API. Must not adapt anything to our broker.
#[path = "../../rust-common/broker.rs"]
pub mod broker;
pub mod misbehaving;
pub mod players;
