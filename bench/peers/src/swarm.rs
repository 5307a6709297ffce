// The concurrency axis: many matches at once from one process on ONE thread (a tokio
// current-thread runtime, every connection a task), through our broker or through NATS.
// The games stop together at two barriers so the harness samples the server around the window.
use crate::stats::Summary;
use crate::wire::die;
use std::cell::Cell;
use std::io::{BufRead, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch, Notify, Semaphore};
use tokio::task::JoinHandle;

pub struct Plan {
    pub matches: usize,
    pub bots: usize,
    pub size: usize,
    pub warmup_seconds: f64,
    pub seconds: f64,
    /// Each match in its own room `m<i>` (a Hello in the hello line); false: v1 hellos, default room.
    pub rooms: bool,
}

/// What the games do next: warm up, play timed turns, wait at the barrier, or end their match.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    Warm,
    Timed,
    Pause,
    End,
}

/// Connections opening at once: a bound on the listener's accept queue, not on the matches.
const CONNECTING_MAX: usize = 64;

/// Shared by every task of the swarm (one thread: Cell, no locks).
pub struct Control {
    pub matches: usize,
    /// Games (or bots) that reached the point being waited for.
    pub count: Cell<usize>,
    pub reached: Notify,
    /// Turns recorded in the timed window, all games together.
    pub turns: Cell<u64>,
    connecting: Semaphore,
}

impl Control {
    /// One more task reached the point `main` waits for (all bots ready, all games started, all parked).
    pub fn arrive(&self, of: usize) {
        self.count.set(self.count.get() + 1);
        if self.count.get() == of {
            self.reached.notify_one();
        }
    }

    /// Before each turn: Some(record?) to play one, None to end the match. Parks at a pause.
    pub async fn next_turn(&self, phase: &mut watch::Receiver<Phase>) -> Option<bool> {
        loop {
            let now = *phase.borrow_and_update();
            match now {
                Phase::Warm => return Some(false),
                Phase::Timed => return Some(true),
                Phase::End => return None,
                Phase::Pause => {
                    self.arrive(self.matches);
                    if phase.changed().await.is_err() {
                        return None;
                    }
                }
            }
        }
    }

    pub fn record(&self, samples: &mut Vec<u64>, ns: u64) {
        samples.push(ns);
        self.turns.set(self.turns.get() + 1);
    }
}

/// One connection: Nagle off, buffered reads, one write per message.
pub struct AConn {
    reader: BufReader<TcpStream>,
    pub buf: Vec<u8>,
    pub body: Vec<u8>,
}

impl AConn {
    /// Connects (at most CONNECTING_MAX at once across the swarm).
    pub async fn connect(addr: &str, ctl: &Control, buffer_bytes: usize) -> Self {
        let _permit = ctl.connecting.acquire().await.unwrap_or_else(|e| die("semaphore", e));
        let stream = TcpStream::connect(addr).await.unwrap_or_else(|e| die("swarm connect", e));
        stream.set_nodelay(true).unwrap_or_else(|e| die("nodelay", e));
        Self { reader: BufReader::with_capacity(buffer_bytes, stream), buf: Vec::with_capacity(buffer_bytes), body: Vec::new() }
    }

    /// One line (with its "\n") into `self.buf`; dies at end of stream.
    pub async fn read_line(&mut self, what: &str) -> &[u8] {
        self.buf.clear();
        let n = self.reader.read_until(b'\n', &mut self.buf).await.unwrap_or_else(|e| die(what, e));
        if n == 0 {
            die(what, "connection closed");
        }
        &self.buf
    }

    /// `n` bytes into `self.body` (a NATS payload and its "\r\n").
    pub async fn read_body(&mut self, n: usize, what: &str) -> &[u8] {
        self.body.resize(n, 0);
        self.reader.read_exact(&mut self.body).await.unwrap_or_else(|e| die(what, e));
        &self.body
    }

    pub async fn write(&mut self, bytes: &[u8], what: &str) {
        self.reader.get_mut().write_all(bytes).await.unwrap_or_else(|e| die(what, e));
    }
}

/// Read buffer per connection: a few lines of this size (3,000 connections × 64 KiB is too much).
pub fn buffer_bytes(size: usize) -> usize {
    (4 * (size + 2) / 3 * 2 + 256).clamp(4096, 1 << 16)
}

fn say(json: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{json}");
    let _ = out.flush();
}

/// stdin lines ("go") from a plain thread: the runtime's one thread must not block on them.
fn stdin_lines() -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// How a system starts its bots and games; each game returns its recorded turn times.
pub trait System {
    fn bot(&self, m: usize, i: usize, ctl: Rc<Control>) -> JoinHandle<()>;
    fn game(&self, m: usize, ctl: Rc<Control>, phase: watch::Receiver<Phase>) -> JoinHandle<Vec<u64>>;
}

/// Bots first (all ready), then games (all started), warm-up, barrier, window, barrier, end.
pub fn run(plan: &Plan, system: &dyn System) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| die("tokio runtime", e));
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async {
        let mut go = stdin_lines();
        let (tx, rx) = watch::channel(Phase::Warm);
        let ctl = Rc::new(Control {
            matches: plan.matches,
            count: Cell::new(0),
            reached: Notify::new(),
            turns: Cell::new(0),
            connecting: Semaphore::new(CONNECTING_MAX),
        });
        let connect_start = Instant::now();
        let bots: Vec<_> = (0..plan.matches).flat_map(|m| (0..plan.bots).map(move |i| (m, i))).map(|(m, i)| system.bot(m, i, ctl.clone())).collect();
        ctl.reached.notified().await;
        ctl.count.set(0);
        let games: Vec<_> = (0..plan.matches).map(|m| system.game(m, ctl.clone(), rx.clone())).collect();
        ctl.reached.notified().await;
        say(&format!("{{\"event\":\"ready\",\"connectS\":{:.3}}}", connect_start.elapsed().as_secs_f64()));

        let pause = |then: Phase| {
            ctl.count.set(0);
            let _ = tx.send(then);
        };
        tokio::time::sleep(Duration::from_secs_f64(plan.warmup_seconds)).await;
        pause(Phase::Pause);
        ctl.reached.notified().await;
        say("{\"event\":\"warm\"}");
        let _ = go.recv().await;

        let start = Instant::now();
        pause(Phase::Timed);
        tokio::time::sleep(Duration::from_secs_f64(plan.seconds)).await;
        pause(Phase::Pause);
        ctl.reached.notified().await;
        let elapsed = start.elapsed().as_secs_f64();
        say(&format!("{{\"event\":\"window\",\"turns\":{},\"elapsedS\":{elapsed:.6}}}", ctl.turns.get()));
        let _ = go.recv().await;

        pause(Phase::End);
        let mut samples = Vec::with_capacity(ctl.turns.get() as usize);
        let (mut least, mut most) = (usize::MAX, 0);
        for g in games {
            let mine = g.await.unwrap_or_else(|e| die("game task", e));
            least = least.min(mine.len());
            most = most.max(mine.len());
            samples.extend_from_slice(&mine);
        }
        for b in bots {
            b.await.unwrap_or_else(|e| die("bot task", e));
        }
        let extra = format!("\"matches\":{},\"matchTurnsMin\":{least},\"matchTurnsMax\":{most}", plan.matches);
        say(&Summary::new(samples, elapsed).json_with(&extra));
    });
}
