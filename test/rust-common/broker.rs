//! The one real-broker launcher for every Rust crate's tests, `#[path]`-included by each: runs
//! `bun src/main.ts` on 127.0.0.1, free ports, JSON logs; waits on log lines; SIGTERM on drop.
#![allow(dead_code)] // each includer uses a different part; std only: it serves both SDK crates
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long the broker may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the broker may take to exit after SIGTERM (it promises 2 s).
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// Every stdout line of the broker so far, and a condvar rung on each new one.
type LogLines = Arc<(Mutex<Vec<String>>, Condvar)>;

/// A running broker; dropping it stops it.
pub struct Broker {
    child: Child,
    /// The TCP port for games and bots, read from the `listening` log line.
    pub port: u16,
    lines: LogLines,
}

/// The repository root: the nearest folder above the including crate that holds `src/main.ts`.
pub fn repo_root() -> PathBuf {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .expect("crate dir");
    let mut dir = crate_dir.as_path();
    while !dir.join("src/main.ts").is_file() {
        dir = dir
            .parent()
            .expect("a folder above the crate holds src/main.ts");
    }
    dir.to_path_buf()
}

/// The repository's own bun (`npm ci` installs it), else `bun` on PATH.
pub fn bun() -> PathBuf {
    let local = repo_root().join("node_modules/.bin/bun");
    if local.exists() {
        local
    } else {
        PathBuf::from("bun")
    }
}

/// The number after `"key":` in a JSON log line (our own log format: flat objects).
pub fn json_number(line: &str, key: &str) -> Option<u64> {
    let needle = format!("\"{key}\":");
    let start = line.find(&needle)? + needle.len();
    let digits: String = line[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// The string after `"key":"` in a JSON log line, up to the next quote (no escapes expected).
pub fn json_string(line: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\":\"");
    let start = line.find(&needle)? + needle.len();
    let len = line[start..].find('"')?;
    Some(line[start..start + len].to_string())
}

/// True if the JSON log line is the event `name`.
pub fn is_event(line: &str, name: &str) -> bool {
    line.contains(&format!("\"event\":\"{name}\""))
}

/// Locks the log even if a panicking test thread poisoned it (the lines are still good).
fn lock(lines: &Mutex<Vec<String>>) -> std::sync::MutexGuard<'_, Vec<String>> {
    lines.lock().unwrap_or_else(|e| e.into_inner())
}

impl Broker {
    /// Starts `bun src/main.ts` expecting `num_players` bots per match on any free port.
    pub fn start(num_players: u8) -> Broker {
        Self::start_with(num_players, &[])
    }

    /// Starts the broker with extra environment (e.g. `BROKER_PORT`, `BROKER_MOVE_TIMEOUT_MS`);
    /// panics if it does not report listening within START_TIMEOUT.
    pub fn start_with(num_players: u8, env: &[(&str, &str)]) -> Broker {
        let mut child = Command::new(bun())
            .arg("src/main.ts")
            .current_dir(repo_root())
            .env("BROKER_HOST", "127.0.0.1")
            .env("BROKER_PORT", "0")
            .env("BROKER_HEALTH_PORT", "0")
            .env("LOG_FORMAT", "json")
            // Records off unless the test sets BROKER_DB: brokers started at once must not share
            // (and lock) the default file in the repository.
            .env("BROKER_DB", "off")
            .env("BROKER_NUM_PLAYERS", num_players.to_string())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn bun src/main.ts (is bun installed? run npm ci)");
        let stdout = child.stdout.take().expect("piped stdout");
        let lines: LogLines = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let sink = Arc::clone(&lines);
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let (all, rung) = &*sink;
                lock(all).push(line);
                rung.notify_all();
            }
        });
        let mut broker = Broker {
            child,
            port: 0,
            lines,
        };
        let listening = broker.wait_for(START_TIMEOUT, |l| is_event(l, "listening"));
        broker.port = json_number(&listening, "port").expect("port in the listening line") as u16;
        broker
    }

    /// Blocks until some log line satisfies `pred` and returns it; panics at the timeout.
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        self.wait_for_count(timeout, 1, pred)
    }

    /// Blocks until `count` log lines satisfy `pred`; returns the last; panics at the timeout.
    pub fn wait_for_count(
        &self,
        timeout: Duration,
        count: usize,
        pred: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        let (all, rung) = &*self.lines;
        let mut guard = lock(all);
        loop {
            let hits: Vec<&String> = guard.iter().filter(|l| pred(l)).collect();
            if hits.len() >= count {
                return hits[count - 1].clone();
            }
            let now = Instant::now();
            if now >= deadline {
                let log = guard.join("\n");
                drop(guard);
                panic!("broker log: {count} matching line(s) not seen in {timeout:?}; log:\n{log}");
            }
            guard = rung
                .wait_timeout(guard, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Sends SIGTERM (the broker ends every match with `broker shutting down`). std has no
    /// kill(2) for other signals, so this runs `kill -TERM <pid>` and waits for it.
    pub fn sigterm(&self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .stdin(Stdio::null())
            .status();
    }

    /// Every log line so far.
    pub fn log(&self) -> Vec<String> {
        lock(&self.lines.0).clone()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.sigterm();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP port that was free a moment ago on 127.0.0.1 (for "nobody listens" and late starts).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("local addr").port()
}

/// Counts the broker's log lines for `event`.
pub fn count_events(broker: &Broker, event: &str) -> usize {
    broker.log().iter().filter(|l| is_event(l, event)).count()
}
