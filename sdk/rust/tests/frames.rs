//! v2 binary frames end to end (PROTOCOL.md §11): Rust games and bots through the real broker
//! with frames granted, turned off, or beside a v1 client; a scripted peer that writes its
//! Welcome and the first frames in one write. Real sockets on 127.0.0.1; every wait is bounded.
mod common;

use std::future::{ready, Future};
use std::time::Duration;

use bitbroker::proto::{InitialMessageBatchProto, InitialMessageProto, Welcome};
use bitbroker::ConnectOptions;
use bitbroker::{run_bot_with, run_game_with, Action, BaseBot, BaseGame, BitBrokerMessage};
use common::capture::{capture, infos};
use common::players::{EchoBot, ScriptedGame, Seen};
use common::{is_event, json_string, runtime, within, Broker};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const HOST: &str = "127.0.0.1";
const LIMIT: Duration = Duration::from_secs(60);
const GRANTED: &str = "the broker granted v2 frames: binary frames from now on";
const MIB: usize = 1024 * 1024;

fn granted() -> usize {
    infos().iter().filter(|line| *line == GRANTED).count()
}

fn pattern(size: usize, seed: u8) -> Vec<u8> {
    (0..size)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

struct Reverse;

impl BaseBot for Reverse {
    type State<'a> = &'a [u8];
    type Response = Vec<u8>;
    const NAME: &'static str = "Reverse";

    fn decide_move<'a>(&mut self, state: Self::State<'a>) -> impl Future<Output = Vec<u8>> + Send {
        ready(state.iter().rev().copied().collect())
    }
}

struct BigStates {
    states: Vec<Vec<u8>>,
    replies: Vec<Vec<u8>>,
}

impl BaseGame for BigStates {
    type State = Vec<u8>;
    type Response<'a> = &'a [u8];

    fn initialise(&mut self, _: InitialMessageBatchProto) -> impl Future<Output = ()> + Send {
        ready(())
    }

    fn next_action(&mut self) -> impl Future<Output = Action<Vec<u8>>> + Send {
        let i = self.replies.len();
        ready(match self.states.get(i) {
            Some(state) => Action::PlayerAction(0, state.clone()),
            None => Action::EndGame,
        })
    }

    fn deliver_response<'a>(
        &mut self,
        response: Self::Response<'a>,
    ) -> impl Future<Output = ()> + Send {
        self.replies.push(response.to_vec());
        ready(())
    }
}

#[test]
fn a_game_and_a_bot_granted_frames_play_states_of_mib_both_ways() {
    let _one = capture();
    let broker = Broker::start(1);
    let rt = runtime();
    let port = usize::from(broker.port);
    let states = vec![pattern(4 * MIB, 1), Vec::new(), pattern(3 * MIB + 17, 2)];
    let mut game = BigStates {
        states: states.clone(),
        replies: Vec::new(),
    };
    let bot = rt.spawn(run_bot_with(Reverse, HOST, port, ConnectOptions::default()));
    within(&rt, LIMIT, async {
        run_game_with(&mut game, HOST, port, ConnectOptions::default())
            .await
            .unwrap();
        bot.await.unwrap().unwrap();
    });
    let reversed: Vec<Vec<u8>> = states
        .iter()
        .map(|s| s.iter().rev().copied().collect())
        .collect();
    assert!(
        game.replies == reversed,
        "the replies are the states reversed"
    );
    assert_eq!(granted(), 2, "the game's and the bot's connections");
}

#[test]
fn with_frames_off_both_sides_keep_v1_lines_and_v1_beside_v2_share_a_match() {
    let _one = capture();
    for v2_bot in [false, true] {
        let broker = Broker::start(2);
        let rt = runtime();
        let port = usize::from(broker.port);
        let off = ConnectOptions {
            frames: false,
            ..ConnectOptions::default()
        };
        let first = rt.spawn(run_bot_with(
            EchoBot::<0> {
                seen: Seen::default(),
            },
            HOST,
            port,
            off.clone(),
        ));
        broker.wait_for(LIMIT, |l| {
            is_event(l, "seat taken") && json_string(l, "name").as_deref() == Some("interop-a")
        });
        let second_options = if v2_bot {
            ConnectOptions::default()
        } else {
            off.clone()
        };
        let second = rt.spawn(run_bot_with(
            EchoBot::<1> {
                seen: Seen::default(),
            },
            HOST,
            port,
            second_options,
        ));
        let mut game = ScriptedGame::new(3);
        within(&rt, LIMIT, async {
            run_game_with(&mut game, HOST, port, off.clone())
                .await
                .unwrap();
            first.await.unwrap().unwrap();
            second.await.unwrap().unwrap();
        });
        assert_eq!(game.problems, Vec::<String>::new());
        assert_eq!(game.replies.len(), 6);
    }
    assert_eq!(
        granted(),
        1,
        "only the second run's second bot asked for frames"
    );
}

#[test]
fn a_welcome_and_the_first_frames_in_one_write_switch_the_client_mid_read() {
    let _one = capture();
    let rt = runtime();
    let (sent, game) = within(&rt, LIMIT, async {
        let listener = TcpListener::bind((HOST, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let peer = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let mut socket = BufReader::new(socket);
            let mut hello = String::new();
            socket.read_line(&mut hello).await.unwrap();
            let welcome = Welcome {
                features: vec!["results".into(), "frames".into()],
                ..Welcome::default()
            };
            let batch = InitialMessageBatchProto {
                initial_messages: vec![InitialMessageProto {
                    bot_index: 0,
                    bot_name: "interop-a".into(),
                }],
            };
            let mut first =
                format!("{}\n", BitBrokerMessage::new_proto(0, 3, welcome).to_line()).into_bytes();
            first.extend(frame(&BitBrokerMessage::new_proto(0, 0x11, batch)));
            first.extend(frame(&BitBrokerMessage::new(1, 0, Vec::new())));
            socket.get_mut().write_all(&first).await.unwrap();
            let mut sent = vec![BitBrokerMessage::from_line(hello.trim_end().as_bytes()).unwrap()];
            let reply =
                common::players::expected_reply("interop-a", &common::players::state_for(0, 0));
            for answer in [
                vec![
                    BitBrokerMessage::new(2, 0, reply),
                    BitBrokerMessage::new(1, 0, Vec::new()),
                ],
                vec![BitBrokerMessage::termination_message()],
            ] {
                sent.push(read_frame(&mut socket).await);
                for message in answer {
                    socket.get_mut().write_all(&frame(&message)).await.unwrap();
                }
            }
            sent
        });
        let mut game = ScriptedGame::new(1);
        run_game_with(
            &mut game,
            HOST,
            usize::from(port),
            ConnectOptions::no_retry(),
        )
        .await
        .unwrap();
        (peer.await.unwrap(), game)
    });
    let codes: Vec<(u8, u8)> = sent.iter().map(|m| (*m.opcode(), *m.operand())).collect();
    assert_eq!(codes, [(0, 1), (1, 0), (0, 0xFE)]);
    assert_eq!(game.problems, Vec::<String>::new());
    assert_eq!(granted(), 1);
}

fn frame(message: &BitBrokerMessage) -> Vec<u8> {
    let envelope = message.as_ref();
    let mut frame = (envelope.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(envelope);
    frame
}

async fn read_frame(socket: &mut BufReader<tokio::net::TcpStream>) -> BitBrokerMessage {
    let mut header = [0u8; 4];
    socket.read_exact(&mut header).await.unwrap();
    let mut envelope = vec![0u8; u32::from_be_bytes(header) as usize];
    socket.read_exact(&mut envelope).await.unwrap();
    BitBrokerMessage::from(envelope)
}
