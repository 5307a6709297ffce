// Latency summary for the bench game: sorted-array percentiles of per-turn nanoseconds.
// Prints one JSON object; no allocation or timing logic of its own in the turn loop.
use std::fmt::Write;

pub struct Summary {
    pub turns: usize,
    pub elapsed_s: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p95_us: f64,
    pub p98_us: f64,
    pub p99_us: f64,
    pub p995_us: f64,
    pub p999_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
}

impl Summary {
    pub fn new(mut samples_ns: Vec<u64>, elapsed_s: f64) -> Self {
        samples_ns.sort_unstable();
        let n = samples_ns.len();
        let at = |q: f64| -> f64 {
            if n == 0 {
                return 0.0;
            }
            // Nearest-rank percentile.
            let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
            samples_ns[rank - 1] as f64 / 1000.0
        };
        let sum: u128 = samples_ns.iter().map(|&s| s as u128).sum();
        Self {
            turns: n,
            elapsed_s,
            p50_us: at(0.50),
            p90_us: at(0.90),
            p95_us: at(0.95),
            p98_us: at(0.98),
            p99_us: at(0.99),
            p995_us: at(0.995),
            p999_us: at(0.999),
            max_us: samples_ns.last().map_or(0.0, |&s| s as f64 / 1000.0),
            mean_us: if n == 0 { 0.0 } else { sum as f64 / n as f64 / 1000.0 },
        }
    }

    pub fn json(&self) -> String {
        let mut s = String::new();
        let tps = if self.elapsed_s > 0.0 { self.turns as f64 / self.elapsed_s } else { 0.0 };
        let _ = write!(
            s,
            "{{\"event\":\"done\",\"turns\":{},\"elapsedS\":{:.6},\"turnsPerS\":{:.1},\"p50Us\":{:.2},\"p90Us\":{:.2},\"p95Us\":{:.2},\"p98Us\":{:.2},\"p99Us\":{:.2},\"p995Us\":{:.2},\"p999Us\":{:.2},\"maxUs\":{:.2},\"meanUs\":{:.2}}}",
            self.turns, self.elapsed_s, tps, self.p50_us, self.p90_us, self.p95_us, self.p98_us, self.p99_us, self.p995_us, self.p999_us, self.max_us, self.mean_us
        );
        s
    }

    /// The same object with more fields (`"key":value,...`) before its closing brace.
    pub fn json_with(&self, extra: &str) -> String {
        let mut s = self.json();
        s.pop();
        s.push(',');
        s.push_str(extra);
        s.push('}');
        s
    }
}
