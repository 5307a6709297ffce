// The swarm through our broker: v1 lines; each match in its own room (a Hello in the hello
// line, PROTOCOL.md §9.1) or every match in the default room (v1 hellos, paired first come first served).
use crate::swarm::{buffer_bytes, AConn, Control, Phase, Plan, System};
use crate::wire::{check_state_line, codes, die, line, state, REPLY_BODY};
use std::rc::Rc;
use tokio::sync::watch;
use tokio::task::{spawn_local, JoinHandle};

pub struct Ours {
    addr: String,
    matches: usize,
    bots: usize,
    size: usize,
    rooms: bool,
    /// Shared by every game: one action line per bot index (`01 ii` + state).
    actions: Rc<Vec<Vec<u8>>>,
    reply: Rc<Vec<u8>>,
}

impl Ours {
    pub fn new(addr: &str, plan: &Plan) -> Self {
        let body = state(plan.size);
        Self {
            addr: addr.to_string(),
            matches: plan.matches,
            bots: plan.bots,
            size: plan.size,
            rooms: plan.rooms,
            actions: Rc::new((0..plan.bots).map(|i| line(0x01, i as u8, &body)).collect()),
            reply: Rc::new(line(0x02, 0x00, REPLY_BODY)),
        }
    }

    /// The hello line: v1 (empty body), or with a Hello{room: "m<i>"} (proto/arena.proto, field 1).
    fn hello(&self, operand: u8, m: usize) -> Vec<u8> {
        if !self.rooms {
            return line(0x00, operand, &[]);
        }
        let room = format!("m{m}");
        let mut body = vec![0x0A, room.len() as u8];
        body.extend_from_slice(room.as_bytes());
        line(0x00, operand, &body)
    }
}

impl System for Ours {
    fn bot(&self, m: usize, i: usize, ctl: Rc<Control>) -> JoinHandle<()> {
        let (addr, size, all) = (self.addr.clone(), self.size, self.matches * self.bots);
        let mut hello = self.hello(0x02, m);
        // PROTOCOL.md §4: InitialMessageProto{botName}, field 10 → tag 0x52.
        let name = format!("b{m}.{i}");
        let mut body = vec![0x52, name.len() as u8];
        body.extend_from_slice(name.as_bytes());
        hello.extend_from_slice(&line(0x00, 0x22, &body));
        let reply = self.reply.clone();
        spawn_local(async move {
            let mut conn = AConn::connect(&addr, &ctl, buffer_bytes(size)).await;
            conn.write(&hello, "bot hello").await;
            ctl.arrive(all);
            let mut checked = 0;
            loop {
                let got = conn.read_line("bot reading").await;
                match codes(got) {
                    Some((0x02, 0x05)) => {
                        if checked < 16 {
                            check_state_line(got, size).unwrap_or_else(|e| die("bot got a bad state", e));
                            checked += 1;
                        }
                        conn.write(&reply, "bot writing").await;
                    }
                    Some((0x00, 0x03)) => {} // the Welcome (PROTOCOL.md §9.1)
                    Some((0x00, 0xFF)) => return,
                    _ => die("bot got an unexpected line", String::from_utf8_lossy(&got[..got.len().min(80)])),
                }
            }
        })
    }

    fn game(&self, m: usize, ctl: Rc<Control>, mut phase: watch::Receiver<Phase>) -> JoinHandle<Vec<u64>> {
        let (addr, size, bots, matches) = (self.addr.clone(), self.size, self.bots, self.matches);
        let hello = self.hello(0x01, m);
        let (actions, reply) = (self.actions.clone(), self.reply.clone());
        spawn_local(async move {
            let mut conn = AConn::connect(&addr, &ctl, buffer_bytes(size)).await;
            conn.write(&hello, "game hello").await;
            loop {
                let got = conn.read_line("reading the batch").await;
                match codes(got) {
                    Some((0x00, 0x03)) => continue,
                    Some((0x00, 0x11)) => break,
                    _ => die("expected the batch", String::from_utf8_lossy(got)),
                }
            }
            ctl.arrive(matches);
            let mut samples = Vec::new();
            let mut bot = 0;
            loop {
                if codes(conn.read_line("reading a trigger").await) != Some((0x01, 0x00)) {
                    die("expected a trigger", String::from_utf8_lossy(&conn.buf));
                }
                let Some(record) = ctl.next_turn(&mut phase).await else { break };
                let t0 = std::time::Instant::now();
                conn.write(&actions[bot], "writing an action").await;
                let got = conn.read_line("reading a reply").await;
                let ns = t0.elapsed().as_nanos() as u64;
                if got != &reply[..] {
                    die("unexpected reply", String::from_utf8_lossy(&got[..got.len().min(80)]));
                }
                if record {
                    ctl.record(&mut samples, ns);
                }
                bot = (bot + 1) % bots;
            }
            conn.write(&line(0x00, 0xFE, &[]), "ending the match").await;
            if codes(conn.read_line("reading the end").await) != Some((0x00, 0xFF)) {
                die("expected 00 FF", String::from_utf8_lossy(&conn.buf));
            }
            samples
        })
    }
}
