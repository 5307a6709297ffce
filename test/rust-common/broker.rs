//! Runs our real broker as a child process on 127.0.0.1, port 0, JSON logs on stdout.
//! Waits on its log lines (never on blind sleeps); SIGTERM on drop, SIGKILL if it hangs.
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

/// The repository root (this crate lives in test/interop/).
pub fn repo_root() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    dir.join("../..").canonicalize().expect("repository root")
}

fn bun() -> PathBuf {
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
    /// Starts `bun src/main.ts` expecting `num_players` bots per match; panics if it does not
    /// report listening within START_TIMEOUT.
    pub fn start(num_players: u8) -> Broker {
        Broker::start_with(num_players, &[])
    }

    /// Like `start`, with extra environment for the broker (e.g. `BROKER_MOVE_TIMEOUT_MS`).
    pub fn start_with(num_players: u8, env: &[(&str, &str)]) -> Broker {
        let mut child = Command::new(bun())
            .arg("src/main.ts")
            .current_dir(repo_root())
            .env("BROKER_HOST", "127.0.0.1")
            .env("BROKER_PORT", "0")
            .env("BROKER_HEALTH_PORT", "0")
            .env("LOG_FORMAT", "json")
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

    /// Every log line so far.
    pub fn log(&self) -> Vec<String> {
        lock(&self.lines.0).clone()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's pid; no memory is touched.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
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
