// The same game and bots over NATS request-reply (async-nats, one current-thread runtime each).
// Payloads are the v1 lines without "\n", so NATS carries the same bytes our broker does.
use crate::game::{checkpoint, Plan};
use crate::stats::Summary;
use crate::wire::{check_state_line, codes, die, line, state, Reply};
use bytes::Bytes;
use futures_util::StreamExt;
use std::io::Write;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| die("tokio runtime", e))
}

fn payload(opcode: u8, operand: u8, body: &[u8]) -> Bytes {
    let mut l = line(opcode, operand, body);
    l.pop(); // NATS frames the message itself
    Bytes::from(l)
}

/// `count` bots, each its own connection subscribed to `bot.<i>`; ready once all are subscribed.
pub fn bots(url: &str, count: usize, size: usize, answer: Reply) {
    let (tx, rx) = mpsc::channel();
    let handles: Vec<_> = (0..count)
        .map(|i| {
            let (url, tx) = (url.to_string(), tx.clone());
            thread::spawn(move || runtime().block_on(bot(url, i, size, answer, tx)))
        })
        .collect();
    for _ in 0..count {
        let _ = rx.recv();
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{{\"event\":\"ready\"}}");
    let _ = out.flush();
    drop(out);
    for h in handles {
        let _ = h.join();
    }
}

async fn bot(url: String, index: usize, size: usize, answer: Reply, ready: mpsc::Sender<()>) {
    let client = async_nats::connect(url).await.unwrap_or_else(|e| die("nats bot connect", e));
    let mut sub = client.subscribe(format!("bot.{index}")).await.unwrap_or_else(|e| die("nats subscribe", e));
    client.flush().await.unwrap_or_else(|e| die("nats flush", e));
    let _ = ready.send(());
    let reply = payload(0x02, 0x00, &answer.body(size));
    let state_len = crate::wire::state_line_len(size) - 1; // NATS payloads have no "\n"
    let mut seen = 0usize;
    while let Some(msg) = sub.next().await {
        match codes(&msg.payload) {
            Some((0x02, 0x05)) => {
                if seen < 16 {
                    check_state_line(&msg.payload, size).unwrap_or_else(|e| die("nats bot got a bad state", e));
                    seen += 1;
                } else if msg.payload.len() != state_len {
                    die("nats bot got a state of the wrong length", msg.payload.len());
                }
                let to = msg.reply.unwrap_or_else(|| die("nats bot", "request without a reply subject"));
                client.publish(to, reply.clone()).await.unwrap_or_else(|e| die("nats publish", e));
            }
            Some((0x00, 0xFF)) => break,
            _ => die("nats bot got an unexpected payload", msg.payload.len()),
        }
    }
    let _ = client.flush().await;
}

/// The game: one `request` per turn to `bot.<i>`, timed from the call to the reply.
pub fn game(url: &str, plan: &Plan) {
    runtime().block_on(async {
        let client = async_nats::connect(url).await.unwrap_or_else(|e| die("nats game connect", e));
        let ask = payload(0x02, 0x05, &state(plan.size));
        let reply = payload(0x02, 0x00, &plan.reply.body(plan.size));
        let subjects: Vec<String> = (0..plan.bots).map(|i| format!("bot.{i}")).collect();
        let turn = |bot: usize| {
            let (client, ask, reply, subject) = (&client, ask.clone(), &reply, subjects[bot].clone());
            async move {
                let t0 = Instant::now();
                let got = client.request(subject, ask).await.unwrap_or_else(|e| die("nats request", e));
                let ns = t0.elapsed().as_nanos() as u64;
                if got.payload != *reply {
                    die("nats game", "unexpected reply");
                }
                ns
            }
        };
        // As game::warm_up: at least `warmup` turns and at least `warmup_seconds`.
        let (warm_start, mut t) = (Instant::now(), 0);
        while t < plan.warmup || warm_start.elapsed().as_secs_f64() < plan.warmup_seconds {
            turn(t % plan.bots).await;
            t += 1;
        }
        checkpoint("{\"event\":\"warm\"}");
        let mut samples = Vec::with_capacity(plan.turns);
        let start = Instant::now();
        let limit = Duration::from_secs_f64(plan.max_seconds);
        for t in 0..plan.turns {
            samples.push(turn(t % plan.bots).await);
            if t % 64 == 63 && start.elapsed() > limit {
                break;
            }
        }
        let elapsed = start.elapsed().as_secs_f64();
        checkpoint(&Summary::new(samples, elapsed).json());
        let end = payload(0x00, 0xFF, &[]);
        for s in &subjects {
            let _ = client.publish(s.clone(), end.clone()).await;
        }
        let _ = client.flush().await;
    });
}
