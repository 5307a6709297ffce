// Runs the ORIGINAL broker (crate bitbroker 0.1.0, feature "broker") on 127.0.0.1:<port>.
// It serves one match, then exits; it has no health endpoint. Usage: original_broker <port> <bots>
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(port), Some(bots)) = (args.first().and_then(|p| p.parse().ok()), args.get(1).and_then(|b| b.parse().ok())) else {
        eprintln!("usage: original_broker <port> <bots>");
        std::process::exit(2);
    };
    // current_thread: the original broker is one sequential task, so one thread serves it best.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    if let Err(e) = rt.block_on(bitbroker::run_broker(bots, "127.0.0.1", port)) {
        eprintln!("original broker: {e:?}");
        std::process::exit(1);
    }
}
