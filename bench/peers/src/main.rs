// bench peers: `peers <role> --key value ...`, started and read by bench/run.ts.
// Roles: game, bots, direct-bots, direct-game, nats-game, nats-bots, idle, and the concurrency
// axis's swarm-ours, swarm-nats (many matches on one thread). Results are JSON lines.
mod bot;
mod game;
mod nats;
mod stats;
mod swarm;
mod swarm_nats;
mod swarm_ours;
mod wire;

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::net::TcpStream;
use wire::die;

struct Args(HashMap<String, String>);

impl Args {
    fn parse(rest: &[String]) -> Self {
        let mut map = HashMap::new();
        for pair in rest.chunks(2) {
            match pair {
                [k, v] if k.starts_with("--") => {
                    map.insert(k[2..].to_string(), v.clone());
                }
                _ => die("arguments", format!("expected --key value pairs, got {pair:?}")),
            }
        }
        Self(map)
    }
    fn str(&self, key: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| die("arguments", format!("--{key} is required")))
    }
    /// What the bots answer: `--reply fixed` (default) or `--reply echo`.
    fn reply(&self) -> wire::Reply {
        wire::Reply::parse(self.0.get("reply").map_or("fixed", |s| s.as_str()))
    }
    fn num<T: std::str::FromStr>(&self, key: &str) -> T {
        self.str(key).parse().unwrap_or_else(|_| die("arguments", format!("--{key} must be a number")))
    }
}

fn plan(a: &Args) -> game::Plan {
    game::Plan {
        bots: a.num("bots"),
        size: a.num("size"),
        warmup: a.num("warmup"),
        warmup_seconds: a.num("warmup-seconds"),
        turns: a.num("turns"),
        max_seconds: a.num("max-seconds"),
        reply: a.reply(),
    }
}

fn swarm_plan(a: &Args) -> swarm::Plan {
    let rooms = a.str("rooms");
    swarm::Plan {
        matches: a.num("matches"),
        bots: a.num("bots"),
        size: a.num("size"),
        warmup_seconds: a.num("warmup-seconds"),
        seconds: a.num("seconds"),
        rooms: match rooms.as_str() {
            "per-match" => true,
            "default" => false,
            other => die("--rooms", format!("per-match or default, not {other}")),
        },
    }
}

/// `count` silent connections (no hello), held until stdin closes: the broker's idle load.
fn idle(addr: &str, count: usize) {
    let conns: Vec<TcpStream> =
        (0..count).map(|_| TcpStream::connect(addr).unwrap_or_else(|e| die("idle connect", e))).collect();
    println!("{{\"event\":\"ready\",\"connections\":{}}}", conns.len());
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    drop(conns);
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some((role, rest)) = argv.split_first() else { die("usage", "peers <role> --key value ...") };
    let a = Args::parse(rest);
    match role.as_str() {
        "game" => game::via_broker(&a.str("addr"), &plan(&a)),
        "bots" => bot::via_broker(&a.str("addr"), a.num("count"), a.num("size"), a.reply()),
        "direct-bots" => bot::direct(a.num("count"), a.num("size"), a.reply()),
        "direct-game" => {
            let ports: Vec<u16> = a.str("ports").split(',').map(|p| p.parse().unwrap_or_else(|e| die("--ports", e))).collect();
            game::direct(&ports, &plan(&a))
        }
        "nats-game" => nats::game(&a.str("url"), &plan(&a)),
        "nats-bots" => nats::bots(&a.str("url"), a.num("count"), a.num("size"), a.reply()),
        "swarm-ours" => {
            let plan = swarm_plan(&a);
            swarm::run(&plan, &swarm_ours::Ours::new(&a.str("addr"), &plan))
        }
        "swarm-nats" => {
            let plan = swarm_plan(&a);
            swarm::run(&plan, &swarm_nats::Nats::new(&a.str("url"), &plan))
        }
        "idle" => idle(&a.str("addr"), a.num("count")),
        other => die("usage", format!("unknown role {other}")),
    }
}
