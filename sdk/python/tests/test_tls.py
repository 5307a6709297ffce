"""TLS (README "TLS"): the shared table of when and how a client uses TLS, then matches through the
real broker behind TLS with certificates made by the test: verified against a CA file, the
system's CAs refused, another CA and a wrong name refused at once, a plain broker refused, the
asyncio API, the settings from the environment. Every wait is bounded."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from bitbroker import ConnectFailedError, TlsOptions
from bitbroker.tls import resolve_tls

from certs import Certs, make_certs
from conftest import ROOT, Broker, LogWatch, Runner
from players import RUN, AsyncCounterBot, AsyncCountingGame, CounterBot, CountingGame

TABLE: List[Dict[str, Any]] = json.loads((ROOT / "test/vectors/session.json").read_text(encoding="utf-8"))["tls"]["cases"]
PEM = "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIUQ0E=\n-----END CERTIFICATE-----\n"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("tls"))


@pytest.mark.parametrize("case", TABLE, ids=[c["name"] for c in TABLE])
def test_each_tls_case_of_the_shared_table(case: Dict[str, Any], tmp_path: Path) -> None:
    files = {"$CA": tmp_path / "ca.pem", "$NOT_PEM": tmp_path / "not.pem"}
    files["$CA"].write_text(PEM)
    files["$NOT_PEM"].write_text("not a certificate\n")

    def fill(text: str) -> str:
        return text.replace("$NOT_PEM", str(files["$NOT_PEM"])).replace("$CA", str(files["$CA"])).replace("$PEM", PEM)

    env = {k: fill(v) for k, v in case["env"].items()}
    option = case.get("option")
    if isinstance(option, dict):
        option = {k: fill(v) for k, v in option.items()}
    expect = case["expect"]
    if "error" in expect or "error_starts" in expect:
        with pytest.raises(ConnectFailedError) as caught:
            resolve_tls(option, "h", 1, env)
        why = str(caught.value).replace("cannot connect to the broker at h:1: ", "")
        assert why == fill(expect["error"]) if "error" in expect else why.startswith(fill(expect["error_starts"]))
        return
    got = resolve_tls(option, "h", 1, env)
    if not expect["tls"]:
        assert got is None
        return
    assert got is not None
    trusting = {"the system's CAs": "system", "the CA given in the tls option": "inline"}.get(got.trusting, "file")
    assert (trusting, got.server_name) == (expect["trusting"], expect.get("server_name"))


def tls_broker(broker_factory: Callable[..., Broker], certs: Certs, bots: int = 1) -> Broker:
    return broker_factory(bots, BROKER_TLS_CERT=str(certs.chain), BROKER_TLS_KEY=str(certs.key))


def test_a_game_and_a_bot_play_over_tls_verified_against_a_ca_file(broker_factory, certs: Certs,
                                                                     sdk_log: LogWatch) -> None:
    broker = tls_broker(broker_factory, certs)
    bot = Runner(lambda: CounterBot("Secure").run("127.0.0.1", broker.port, tls=TlsOptions(ca=str(certs.ca)), **RUN))
    game = CountingGame(turns=4)
    game.run("localhost", broker.port, tls={"ca": str(certs.ca)}, **RUN)  # checked for the name localhost
    assert bot.join().error is None and game.count == 4
    over = [m for m in sdk_log.messages() if f"over TLS, its certificate verified against the CA in {certs.ca}" in m]
    assert len(over) == 2
    assert sdk_log.messages().count("the broker granted v2 frames: binary frames from now on") == 2


@pytest.mark.parametrize("refusal", ["another CA", "the system's CAs", "a wrong name"])
def test_a_certificate_that_is_not_trusted_fails_at_once_and_the_broker_goes_on(
        broker_factory, certs: Certs, sdk_log: LogWatch, refusal: str) -> None:
    broker = tls_broker(broker_factory, certs)
    tls = {"another CA": TlsOptions(ca=str(certs.other_ca)), "the system's CAs": True,
           "a wrong name": TlsOptions(ca=str(certs.ca), server_name="broker.example.com")}[refusal]
    with pytest.raises(ConnectFailedError, match="TLS failed, its certificate checked against") as caught:
        CounterBot("Doubtful").run("127.0.0.1", broker.port, tls=tls, connect_timeout_s=60.0)
    assert caught.value.code == "connect_failed"
    assert not any("not reachable yet" in m for m in sdk_log.messages())  # not retried
    broker.wait_for_log(lambda l: l.get("event") == "tls handshake failed")
    bot = Runner(lambda: CounterBot("Trusting").run("127.0.0.1", broker.port, tls={"ca": str(certs.ca)}, **RUN))
    CountingGame(turns=1).run("127.0.0.1", broker.port, tls={"ca": str(certs.ca)}, **RUN)
    assert bot.join().error is None


def test_a_tls_client_on_a_plain_port_fails_at_once(broker_factory, certs: Certs) -> None:
    broker = broker_factory(1)
    with pytest.raises(ConnectFailedError, match="TLS failed"):
        CounterBot("Lost").run("127.0.0.1", broker.port, tls={"ca": str(certs.ca)}, connect_timeout_s=60.0,
                               read_timeout_s=20.0)


def test_the_environment_turns_tls_on_and_the_asyncio_api_speaks_it(
        broker_factory, certs: Certs, monkeypatch: pytest.MonkeyPatch) -> None:
    broker = tls_broker(broker_factory, certs, bots=2)
    monkeypatch.setenv("BITBROKER_TLS_CA", str(certs.ca))

    async def main() -> AsyncCountingGame:
        game = AsyncCountingGame(turns=4)
        bots = [AsyncCounterBot(name).run("127.0.0.1", broker.port, **RUN) for name in ("A", "B")]
        await asyncio.wait_for(asyncio.gather(game.run("127.0.0.1", broker.port, **RUN), *bots), 30)
        return game

    assert asyncio.run(main()).inner.count == 4
