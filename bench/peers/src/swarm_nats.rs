// The swarm through nats-server: request-reply in the NATS client protocol (INFO, CONNECT, SUB,
// PUB, MSG, PING/PONG), spoken by the same tasks and buffered I/O as the swarm through our
// broker, so both sides pay the same for their peers. Bot `i` of match `m` subscribes to
// `bot.m.i`; game `m` asks with a reply subject `_INBOX.m`. Payloads are the v1 lines without "\n".
use crate::swarm::{buffer_bytes, AConn, Control, Phase, Plan, System};
use crate::wire::{check_state_line, codes, die, line, state, REPLY_BODY};
use std::rc::Rc;
use tokio::sync::watch;
use tokio::task::{spawn_local, JoinHandle};

pub struct Nats {
    addr: String,
    matches: usize,
    bots: usize,
    size: usize,
    ask: Rc<Vec<u8>>,
    reply: Rc<Vec<u8>>,
}

fn payload(opcode: u8, operand: u8, body: &[u8]) -> Vec<u8> {
    let mut l = line(opcode, operand, body);
    l.pop();
    l
}

/// `PUB subject [reply] n\r\n` + payload + `\r\n`, built once.
fn publish(subject: &str, reply_to: Option<&str>, body: &[u8]) -> Vec<u8> {
    let head = match reply_to {
        Some(r) => format!("PUB {subject} {r} {}\r\n", body.len()),
        None => format!("PUB {subject} {}\r\n", body.len()),
    };
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n");
    out
}

/// Connects, subscribes to `subject` (sid 1) and waits for the PONG that says the server has it.
async fn connect(addr: &str, subject: &str, ctl: &Control, size: usize) -> AConn {
    let mut conn = AConn::connect(addr, ctl, buffer_bytes(size)).await;
    if !conn.read_line("nats INFO").await.starts_with(b"INFO ") {
        die("nats", "the server did not start with INFO");
    }
    let hello = format!(
        "CONNECT {{\"verbose\":false,\"pedantic\":false,\"name\":\"bench\",\"lang\":\"rust\",\"version\":\"0\",\"protocol\":1,\"echo\":false,\"headers\":false}}\r\nSUB {subject} 1\r\nPING\r\n"
    );
    conn.write(hello.as_bytes(), "nats CONNECT").await;
    flushed(&mut conn).await;
    conn
}

/// Reads until the server's PONG.
async fn flushed(conn: &mut AConn) {
    loop {
        let got = conn.read_line("nats PONG").await;
        if got == b"PONG\r\n" {
            return;
        }
        if got.starts_with(b"-ERR") {
            die("nats", String::from_utf8_lossy(got));
        }
    }
}

/// The next MSG: its reply subject (if any) in `conn.buf`'s words, its payload in `conn.body`.
/// Answers the server's PINGs on the way. Returns the payload length.
async fn next_msg(conn: &mut AConn) -> usize {
    loop {
        let got = conn.read_line("nats reading").await;
        if got.starts_with(b"MSG ") {
            let text = std::str::from_utf8(got).unwrap_or_else(|e| die("nats MSG", e));
            let n: usize = text.trim_end().rsplit(' ').next().and_then(|s| s.parse().ok()).unwrap_or_else(|| die("nats MSG", text.to_string()));
            conn.read_body(n + 2, "nats payload").await;
            return n;
        }
        if got == b"PING\r\n" {
            conn.write(b"PONG\r\n", "nats PONG").await;
        } else if got.starts_with(b"-ERR") {
            die("nats", String::from_utf8_lossy(got));
        }
        // +OK, INFO: nothing to do
    }
}

impl Nats {
    pub fn new(addr: &str, plan: &Plan) -> Self {
        Self {
            addr: addr.trim_start_matches("nats://").to_string(),
            matches: plan.matches,
            bots: plan.bots,
            size: plan.size,
            ask: Rc::new(payload(0x02, 0x05, &state(plan.size))),
            reply: Rc::new(payload(0x02, 0x00, REPLY_BODY)),
        }
    }
}

impl System for Nats {
    fn bot(&self, m: usize, i: usize, ctl: Rc<Control>) -> JoinHandle<()> {
        let (addr, size, all) = (self.addr.clone(), self.size, self.matches * self.bots);
        let answer = publish(&format!("_INBOX.{m}"), None, &self.reply);
        let inbox = format!(" _INBOX.{m} ");
        spawn_local(async move {
            let mut conn = connect(&addr, &format!("bot.{m}.{i}"), &ctl, size).await;
            ctl.arrive(all);
            let mut checked = 0;
            loop {
                let n = next_msg(&mut conn).await;
                let body = &conn.body[..n];
                match codes(body) {
                    Some((0x02, 0x05)) => {
                        if checked < 16 {
                            check_state_line(body, size).unwrap_or_else(|e| die("nats bot got a bad state", e));
                            // The reply subject is this match's game's inbox.
                            if !conn.buf.windows(inbox.len()).any(|w| w == inbox.as_bytes()) {
                                die("nats bot", String::from_utf8_lossy(&conn.buf));
                            }
                            checked += 1;
                        }
                        conn.write(&answer, "nats bot publishing").await;
                    }
                    Some((0x00, 0xFF)) => return,
                    _ => die("nats bot got an unexpected payload", n),
                }
            }
        })
    }

    fn game(&self, m: usize, ctl: Rc<Control>, mut phase: watch::Receiver<Phase>) -> JoinHandle<Vec<u64>> {
        let (addr, size, matches) = (self.addr.clone(), self.size, self.matches);
        let inbox = format!("_INBOX.{m}");
        let asks: Vec<Vec<u8>> = (0..self.bots).map(|i| publish(&format!("bot.{m}.{i}"), Some(&inbox), &self.ask)).collect();
        let ends: Vec<u8> = (0..self.bots).flat_map(|i| publish(&format!("bot.{m}.{i}"), None, &payload(0x00, 0xFF, &[]))).collect();
        let reply = self.reply.clone();
        spawn_local(async move {
            let mut conn = connect(&addr, &inbox, &ctl, size).await;
            ctl.arrive(matches);
            let mut samples = Vec::new();
            let mut bot = 0;
            while let Some(record) = ctl.next_turn(&mut phase).await {
                let t0 = std::time::Instant::now();
                conn.write(&asks[bot], "nats request").await;
                let n = next_msg(&mut conn).await;
                let ns = t0.elapsed().as_nanos() as u64;
                if conn.body[..n] != reply[..] {
                    die("nats game", "unexpected reply");
                }
                if record {
                    ctl.record(&mut samples, ns);
                }
                bot = (bot + 1) % asks.len();
            }
            conn.write(&ends, "nats end").await;
            conn.write(b"PING\r\n", "nats flush").await;
            flushed(&mut conn).await;
            samples
        })
    }
}
