//! TLS through the real broker (README "TLS"), with certificates made by the test with openssl:
//! a game and bots verified against a CA file, for an address and for a name; another CA, the
//! system's CAs and a wrong name refused at once while the broker goes on; a TLS client on a
//! plain port refused; TLS turned on by the environment. Tests run one at a time (capture).
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use bitbroker::{run_bot_with, run_game_with, ConnectOptions, Error, Tls};
use common::capture::{capture, infos};
use common::players::{EchoBot, ScriptedGame, Seen};
use common::{is_event, runtime, within, Broker};

const LIMIT: Duration = Duration::from_secs(30);
const GRANTED: &str = "the broker granted v2 frames: binary frames from now on";

struct Certs {
    dir: PathBuf,
}

impl Certs {
    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a broker certificate it signed for localhost and 127.0.0.1 (chain.pem: leaf then CA),
/// and another CA; as test/tls/certs.ts makes them.
fn make_certs(tag: &str) -> Certs {
    let dir = std::env::temp_dir().join(format!("bitbroker-rust-tls-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let ca_ext = [
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ];
    for (key, pem, cn) in [
        ("ca.key", "ca.pem", "/CN=BitBroker Test CA"),
        ("other.key", "other.pem", "/CN=Another CA"),
    ] {
        let mut args = vec!["req", "-x509"];
        args.extend(ec);
        args.extend(["-keyout", key, "-out", pem, "-days", "1", "-subj", cn]);
        args.extend(ca_ext);
        openssl(&dir, &args);
    }
    let mut args = vec!["req"];
    args.extend(ec);
    args.extend([
        "-keyout",
        "broker.key",
        "-out",
        "broker.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(&dir, &args);
    let ext = "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    std::fs::write(dir.join("ext.cnf"), ext).unwrap();
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "broker.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "broker.pem",
            "-days",
            "1",
            "-extfile",
            "ext.cnf",
        ],
    );
    let chain = [
        std::fs::read(dir.join("broker.pem")).unwrap(),
        std::fs::read(dir.join("ca.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(dir.join("chain.pem"), chain).unwrap();
    Certs { dir }
}

fn tls_broker(certs: &Certs, bots: u8) -> Broker {
    let (chain, key) = (certs.path("chain.pem"), certs.path("broker.key"));
    Broker::start_with(
        bots,
        &[
            ("BROKER_TLS_CERT", chain.as_str()),
            ("BROKER_TLS_KEY", key.as_str()),
        ],
    )
}

fn with(tls: Tls) -> ConnectOptions {
    ConnectOptions {
        tls: Some(tls),
        read_timeout: Some(LIMIT),
        ..ConnectOptions::default()
    }
}

/// A game and one echo bot over TLS with `tls`, the game to `game_host`; the game's replies.
fn play(broker: &Broker, game_host: &str, tls: Tls) -> usize {
    let rt = runtime();
    let port = usize::from(broker.port);
    let bot = rt.spawn(run_bot_with(
        EchoBot::<0> {
            seen: Seen::default(),
        },
        "127.0.0.1",
        port,
        with(tls.clone()),
    ));
    let mut game = ScriptedGame::new(3);
    within(&rt, LIMIT, async {
        run_game_with(&mut game, game_host, port, with(tls))
            .await
            .unwrap();
        bot.await.unwrap().unwrap();
    });
    assert_eq!(game.problems, Vec::<String>::new());
    game.replies.len()
}

#[test]
fn a_game_and_a_bot_play_over_tls_verified_against_a_ca_file() {
    let _one = capture();
    let certs = make_certs("ok");
    let broker = tls_broker(&certs, 1);
    // The bot checks the certificate for 127.0.0.1, the game for localhost.
    assert_eq!(
        play(&broker, "localhost", Tls::with_ca(certs.path("ca.pem"))),
        3
    );
    let over = format!(
        "over TLS, its certificate verified against the CA in {}",
        certs.path("ca.pem")
    );
    let infos = infos();
    assert_eq!(
        infos.iter().filter(|l| l.contains(&over)).count(),
        2,
        "{infos:?}"
    );
    assert_eq!(
        infos.iter().filter(|l| *l == GRANTED).count(),
        2,
        "frames over TLS too"
    );
}

#[test]
fn a_certificate_that_is_not_trusted_fails_at_once_and_the_broker_goes_on() {
    let _one = capture();
    let certs = make_certs("refused");
    let broker = tls_broker(&certs, 1);
    let rt = runtime();
    let refusals = [
        Tls::with_ca(certs.path("other.pem")),
        Tls::system(),
        Tls::On {
            ca: Some(certs.path("ca.pem")),
            server_name: Some("broker.example.com".into()),
        },
    ];
    for tls in refusals {
        let options = ConnectOptions {
            connect_timeout: Duration::from_secs(60),
            ..with(tls.clone())
        };
        let bot = EchoBot::<0> {
            seen: Seen::default(),
        };
        let err = within(
            &rt,
            LIMIT,
            run_bot_with(bot, "127.0.0.1", usize::from(broker.port), options),
        )
        .unwrap_err();
        assert_eq!(err.code(), "connect_failed", "{tls:?}: {err}");
        assert!(
            matches!(err, Error::Connect { attempts: 1, .. }),
            "not retried: {err}"
        );
        assert!(
            err.to_string()
                .contains("TLS failed, its certificate checked against"),
            "{err}"
        );
    }
    broker.wait_for(LIMIT, |l| is_event(l, "tls handshake failed"));
    assert_eq!(
        play(&broker, "127.0.0.1", Tls::with_ca(certs.path("ca.pem"))),
        3
    );
}

#[test]
fn a_tls_client_on_a_plain_port_fails_at_once() {
    let _one = capture();
    let certs = make_certs("plain");
    let broker = Broker::start(1);
    let rt = runtime();
    let options = ConnectOptions {
        connect_timeout: Duration::from_secs(60),
        ..with(Tls::with_ca(certs.path("ca.pem")))
    };
    let bot = EchoBot::<0> {
        seen: Seen::default(),
    };
    let err = within(
        &rt,
        LIMIT,
        run_bot_with(bot, "127.0.0.1", usize::from(broker.port), options),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Connect { attempts: 1, .. }), "{err}");
    assert!(err.to_string().contains("TLS failed"), "{err}");
}

#[test]
fn the_environment_turns_tls_on_and_the_option_off_wins_over_it() {
    let _one = capture();
    let certs = make_certs("env");
    let broker = tls_broker(&certs, 1);
    std::env::set_var("BITBROKER_TLS_CA", certs.path("ca.pem"));
    let rt = runtime();
    let port = usize::from(broker.port);
    let env_only = ConnectOptions {
        read_timeout: Some(LIMIT),
        ..ConnectOptions::default()
    };
    let bot = rt.spawn(run_bot_with(
        EchoBot::<0> {
            seen: Seen::default(),
        },
        "127.0.0.1",
        port,
        env_only.clone(),
    ));
    let mut game = ScriptedGame::new(2);
    within(&rt, LIMIT, async {
        run_game_with(&mut game, "127.0.0.1", port, env_only)
            .await
            .unwrap();
        bot.await.unwrap().unwrap();
    });
    assert_eq!(game.replies.len(), 2);
    // Tls::Off: plain TCP whatever the environment says, so the TLS port refuses it.
    let plain = ConnectOptions {
        attempts_max: Some(1),
        ..with(Tls::Off)
    };
    let bot = EchoBot::<0> {
        seen: Seen::default(),
    };
    let err = within(&rt, LIMIT, run_bot_with(bot, "127.0.0.1", port, plain)).unwrap_err();
    std::env::remove_var("BITBROKER_TLS_CA");
    // At most a TLS alert comes back, then the close: never a v1 line.
    assert!(
        ["connection_lost", "bad_base64"].contains(&err.code()),
        "{err}"
    );
}
