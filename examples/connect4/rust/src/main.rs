//! CLI: plays one Connect Four match as the Rust example bot.
//! `connect4-bot [--host 127.0.0.1] [--port 7878] [--depth 5] [--room NAME]`; exit 0 on a normal
//! end, 1 otherwise. The room defaults to `$BITBROKER_ROOM`, else the broker's default room.
use std::process::ExitCode;

use bitbroker::{run_bot_with, ConnectOptions};
use connect4_bot::{strategy::DEPTH_DEFAULT, Connect4Bot};

const USAGE: &str =
    "usage: connect4-bot [--host 127.0.0.1] [--port 7878] [--depth 5] [--room NAME]";

struct Args {
    host: String,
    port: usize,
    depth: u32,
    room: Option<String>,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        host: "127.0.0.1".into(),
        port: 7878,
        depth: DEPTH_DEFAULT,
        room: None,
    };
    while let Some(flag) = argv.next() {
        let mut value = || argv.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => args.host = value()?,
            "--port" => {
                args.port = value()?
                    .parse()
                    .ok()
                    .filter(|p| (1..=65535).contains(p))
                    .ok_or("--port must be 1..65535")?
            }
            "--depth" => {
                args.depth = value()?
                    .parse()
                    .ok()
                    .filter(|d| (1..=9).contains(d))
                    .ok_or("--depth must be 1..9")?
            }
            "--room" => args.room = Some(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse(argv.into_iter()) {
        Ok(args) => args,
        Err(problem) => {
            eprintln!("{problem}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let options = ConnectOptions {
        room: args.room,
        ..ConnectOptions::default()
    };
    let bot = Connect4Bot { depth: args.depth };
    match run_bot_with(bot, &args.host, args.port, options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("connect4 bot: {e}");
            ExitCode::FAILURE
        }
    }
}
