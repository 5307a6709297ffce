//! The ORIGINAL crate's broker (`bitbroker` 0.1.0, feature `broker`) as a program, so the
//! Python and TypeScript SDKs' tests can prove our clients still play against it:
//! `original_broker BOTS PORT`.
//! PORT 0 picks a free port. Prints `port N` once it has chosen, serves one match (as the
//! original does), exits 0; exits 1 with the original's error text. Adds no behaviour of its own.
use std::net::TcpListener;
use std::process::ExitCode;

const HOST: &str = "127.0.0.1";
const USAGE: &str = "usage: original_broker BOTS PORT   (PORT 0: any free port)";

fn parse(args: &[String]) -> Option<(usize, u16)> {
    match args {
        [bots, port] => Some((bots.parse().ok()?, port.parse().ok()?)),
        _ => None,
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((bots, port)) = parse(&args) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let port = if port != 0 {
        port
    } else {
        // The original binds the port itself; clients retry their connect until it listens.
        match TcpListener::bind((HOST, 0)).and_then(|l| l.local_addr()) {
            Ok(address) => address.port(),
            Err(error) => {
                eprintln!("original broker: no free port: {error}");
                return ExitCode::FAILURE;
            }
        }
    };
    println!("port {port}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(bitbroker::run_broker(bots, HOST, usize::from(port))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("original broker: {error}");
            ExitCode::FAILURE
        }
    }
}
