// The bench game: v1 through a broker, or the same exchange straight to the bots (direct TCP).
// Times each turn from writing the action to reading the reply; round-robins over the bots.
use crate::stats::Summary;
use crate::wire::{codes, die, line, state, Conn, Reply};
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

pub struct Plan {
    pub bots: usize,
    pub size: usize,
    pub warmup: usize,
    pub warmup_seconds: f64,
    pub turns: usize,
    pub max_seconds: f64,
    /// What the bots answer, so what the game expects back byte for byte.
    pub reply: Reply,
}

/// Tells the orchestrator where we are, then waits for its "go" (it samples the broker's
/// CPU time between the two), so the broker's counters cover exactly the timed turns.
pub fn checkpoint(event_json: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{event_json}");
    let _ = out.flush();
    drop(out);
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
}

/// At least `warmup` turns and at least `warmup_seconds`: a short warm-up leaves the CPUs'
/// power states and the scheduler's placement unsettled (p50 of direct TCP was 3× worse).
pub fn warm_up(plan: &Plan, mut turn: impl FnMut(usize)) {
    let start = Instant::now();
    let mut t = 0;
    while t < plan.warmup || start.elapsed().as_secs_f64() < plan.warmup_seconds {
        turn(t % plan.bots);
        t += 1;
    }
}

/// One turn: how the game asks bot `bot` and gets its reply, returning nanoseconds.
trait Exchange {
    fn turn(&mut self, bot: usize) -> u64;
    fn end(&mut self);
}

fn run(plan: &Plan, ex: &mut dyn Exchange) {
    warm_up(plan, |bot| {
        ex.turn(bot);
    });
    checkpoint("{\"event\":\"warm\"}");
    let mut samples = Vec::with_capacity(plan.turns);
    let start = Instant::now();
    let limit = Duration::from_secs_f64(plan.max_seconds);
    for t in 0..plan.turns {
        samples.push(ex.turn(t % plan.bots));
        // A guard, not a plan: stop early rather than blow the run's time budget.
        if t % 64 == 63 && start.elapsed() > limit {
            break;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    checkpoint(&Summary::new(samples, elapsed).json());
    ex.end();
}

/// Through a broker: hello, batch, then trigger → action → reply for every turn.
struct ViaBroker {
    conn: Conn,
    actions: Vec<Vec<u8>>,
    reply: Vec<u8>,
}

impl Exchange for ViaBroker {
    fn turn(&mut self, bot: usize) -> u64 {
        let trigger = self.conn.read_line().unwrap_or_else(|e| die("reading a trigger", e));
        if codes(trigger) != Some((0x01, 0x00)) {
            die("expected a trigger", String::from_utf8_lossy(trigger));
        }
        let t0 = Instant::now();
        self.conn.write(&self.actions[bot]).unwrap_or_else(|e| die("writing an action", e));
        let got = self.conn.read_line().unwrap_or_else(|e| die("reading a reply", e));
        let ns = t0.elapsed().as_nanos() as u64;
        if got != &self.reply[..] {
            die("unexpected reply", String::from_utf8_lossy(&got[..got.len().min(80)]));
        }
        ns
    }

    fn end(&mut self) {
        let _ = self.conn.read_line(); // the trigger that follows the last reply
        let _ = self.conn.write(&line(0x00, 0xFE, &[]));
        let _ = self.conn.read_line(); // 00 FF (or EOF: the original closes at once)
    }
}

pub fn via_broker(addr: &str, plan: &Plan) {
    let mut conn = Conn::connect(addr, Duration::from_secs(10)).unwrap_or_else(|e| die("connecting the game", e));
    conn.write(&line(0x00, 0x01, &[])).unwrap_or_else(|e| die("sending hello", e));
    let batch = conn.read_line().unwrap_or_else(|e| die("reading the batch", e));
    if codes(batch) != Some((0x00, 0x11)) {
        die("expected the batch", String::from_utf8_lossy(batch));
    }
    let body = state(plan.size);
    let actions = (0..plan.bots).map(|i| line(0x01, i as u8, &body)).collect();
    let mut ex = ViaBroker { conn, actions, reply: line(0x02, 0x00, &plan.reply.body(plan.size)) };
    run(plan, &mut ex);
}

/// Direct TCP: one connection to each bot; the game writes what a broker would forward.
struct Direct {
    conns: Vec<Conn>,
    ask: Vec<u8>,
    reply: Vec<u8>,
}

impl Exchange for Direct {
    fn turn(&mut self, bot: usize) -> u64 {
        let conn = &mut self.conns[bot];
        let t0 = Instant::now();
        conn.write(&self.ask).unwrap_or_else(|e| die("writing a state", e));
        let got = conn.read_line().unwrap_or_else(|e| die("reading a reply", e));
        let ns = t0.elapsed().as_nanos() as u64;
        if got != &self.reply[..] {
            die("unexpected reply", String::from_utf8_lossy(&got[..got.len().min(80)]));
        }
        ns
    }

    fn end(&mut self) {
        let end = line(0x00, 0xFF, &[]);
        for conn in &mut self.conns {
            let _ = conn.write(&end);
        }
    }
}

pub fn direct(ports: &[u16], plan: &Plan) {
    let conns = ports
        .iter()
        .map(|p| Conn::connect(&format!("127.0.0.1:{p}"), Duration::from_secs(10)).unwrap_or_else(|e| die("connecting a bot", e)))
        .collect();
    let mut ex = Direct { conns, ask: line(0x02, 0x05, &state(plan.size)), reply: line(0x02, 0x00, &plan.reply.body(plan.size)) };
    run(plan, &mut ex);
}
