// The bench bots: one thread each, answering every state at once with the fixed 8-byte reply or
// the state itself (echo). Through a broker they say hello and a name; in direct mode each listens.
use crate::wire::{check_state_line, codes, die, line, state_line_len, Conn, Reply};
use std::io::Write;
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// The first few states are decoded in full and checked; after that only the codes are read.
const CHECKED_STATES: usize = 16;

fn serve(mut conn: Conn, size: usize, answer: Reply) {
    let reply = line(0x02, 0x00, &answer.body(size));
    let state_len = state_line_len(size);
    let mut seen = 0usize;
    loop {
        let got = conn.read_line().unwrap_or_else(|e| die("bot reading", e));
        if got.is_empty() {
            return; // the game or broker closed
        }
        match codes(got) {
            Some((0x02, 0x05)) => {
                if seen < CHECKED_STATES {
                    check_state_line(got, size).unwrap_or_else(|e| die("bot got a bad state", e));
                    seen += 1;
                } else if got.len() != state_len {
                    die("bot got a state of the wrong length", got.len());
                }
                conn.write(&reply).unwrap_or_else(|e| die("bot writing", e));
            }
            Some((0x00, 0xFF)) => return,
            _ => die("bot got an unexpected line", String::from_utf8_lossy(&got[..got.len().min(80)])),
        }
    }
}

fn ready(json: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{json}");
    let _ = out.flush();
}

/// `count` bots through the broker at `addr`; prints ready once all have sent hello and name.
pub fn via_broker(addr: &str, count: usize, size: usize, answer: Reply) {
    let (tx, rx) = mpsc::channel();
    let handles: Vec<_> = (0..count)
        .map(|i| {
            let (addr, tx) = (addr.to_string(), tx.clone());
            thread::spawn(move || {
                let mut conn = Conn::connect(&addr, Duration::from_secs(10)).unwrap_or_else(|e| die("connecting a bot", e));
                let name = format!("bench{i}");
                // PROTOCOL.md §4: InitialMessageProto{botName}, field 10 → tag 0x52.
                let mut body = vec![0x52, name.len() as u8];
                body.extend_from_slice(name.as_bytes());
                let mut hello = line(0x00, 0x02, &[]);
                hello.extend_from_slice(&line(0x00, 0x22, &body));
                conn.write(&hello).unwrap_or_else(|e| die("bot hello", e));
                let _ = tx.send(());
                serve(conn, size, answer);
            })
        })
        .collect();
    for _ in 0..count {
        let _ = rx.recv();
    }
    ready("{\"event\":\"ready\"}");
    for h in handles {
        let _ = h.join();
    }
}

/// `count` bots that each listen on a free loopback port for the game (direct TCP).
pub fn direct(count: usize, size: usize, answer: Reply) {
    let listeners: Vec<TcpListener> =
        (0..count).map(|_| TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| die("bot listen", e))).collect();
    let ports: Vec<String> = listeners.iter().map(|l| l.local_addr().map(|a| a.port().to_string()).unwrap_or_default()).collect();
    ready(&format!("{{\"event\":\"ready\",\"ports\":[{}]}}", ports.join(",")));
    let handles: Vec<_> = listeners
        .into_iter()
        .map(|l| {
            thread::spawn(move || {
                let (stream, _) = l.accept().unwrap_or_else(|e| die("bot accept", e));
                serve(Conn::new(stream).unwrap_or_else(|e| die("bot socket", e)), size, answer);
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
}
