//! CLI: plays one Connect Four match as the Rust example bot.
//! `connect4-bot [--host 127.0.0.1] [--port 7878] [--depth 5] [--room NAME]`; exit 0 on a normal
//! end, 1 otherwise. Host and port default to `$BITBROKER_HOST` and `$BITBROKER_PORT` (else
//! 127.0.0.1:7878), the room to `$BITBROKER_ROOM`, else the broker's default room.
use std::process::ExitCode;

use bitbroker::{broker_address_with, run_bot_with, ConnectOptions, HOST_ENV, PORT_ENV};
use connect4_bot::{strategy::DEPTH_DEFAULT, Connect4Bot};

const USAGE: &str =
    "usage: connect4-bot [--host 127.0.0.1] [--port 7878] [--depth 5] [--room NAME]";

struct Args {
    host: Option<String>,
    port: Option<usize>,
    depth: u32,
    room: Option<String>,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        host: None,
        port: None,
        depth: DEPTH_DEFAULT,
        room: None,
    };
    while let Some(flag) = argv.next() {
        let mut value = || argv.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => args.host = Some(value()?),
            "--port" => {
                let port = value()?.parse().ok().filter(|p| (1..=65535).contains(p));
                args.port = Some(port.ok_or("--port must be 1..65535")?)
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
    // What the command line does not say, the environment does (else 127.0.0.1:7878); a
    // variable the command line overrides is not read.
    let given = |name: &str| {
        (name == HOST_ENV && args.host.is_some()) || (name == PORT_ENV && args.port.is_some())
    };
    let (env_host, env_port) = match broker_address_with(|name| {
        (!given(name)).then(|| std::env::var(name).ok()).flatten()
    }) {
        Ok(address) => address,
        Err(e) => {
            eprintln!("connect4 bot: {e}");
            return ExitCode::from(2);
        }
    };
    let host = args.host.unwrap_or(env_host);
    let port = args.port.unwrap_or(env_port);
    let bot = Connect4Bot { depth: args.depth };
    match run_bot_with(bot, &host, port, options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("connect4 bot: {e}");
            ExitCode::FAILURE
        }
    }
}
