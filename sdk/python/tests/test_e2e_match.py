"""End to end against the real broker: Python games and Python bots play whole matches.

Real broker process, real sockets on 127.0.0.1; every wait is bounded.
"""
from __future__ import annotations

import asyncio
import socket
import time

import pytest

from bitbroker import BrokerUnavailableError

from conftest import Runner
from players import RUN, AsyncCounterBot, AsyncCountingGame, CounterBot, CountingGame


def test_a_python_game_plays_a_whole_match_with_two_python_bots(broker_factory) -> None:
    broker = broker_factory(2)
    alpha, beta = CounterBot("Alpha"), CounterBot("Beta")
    bots = [Runner(lambda b=b: b.run("127.0.0.1", broker.port, **RUN), b.NAME) for b in (alpha, beta)]
    game = CountingGame(turns=10)
    game.run("127.0.0.1", broker.port, **RUN)  # returns: the match ended normally
    for runner in bots:
        assert runner.join().error is None
    assert sorted(b.name for b in game.bots) == ["Alpha", "Beta"]
    assert [b.index for b in game.bots] == [0, 1]
    assert game.replies == [str(i).encode() for i in range(1, 11)]
    first = next(b for b in (alpha, beta) if b.NAME == game.bots[0].name)
    assert first.seen == [0, 2, 4, 6, 8]
    ended = broker.wait_for_log(lambda l: l.get("event") == "match ended")
    assert ended["turns"] == 10 and ended["cause"] == "the game ended the match"


def test_bots_may_connect_before_the_game_and_the_game_before_the_bots(broker_factory) -> None:
    broker = broker_factory(1)
    game = CountingGame(turns=3)
    game_runner = Runner(lambda: game.run("127.0.0.1", broker.port, **RUN), "game")
    broker.wait_for_log(lambda l: l.get("event") == "game joined the lobby")
    CounterBot("Solo").run("127.0.0.1", broker.port, **RUN)
    assert game_runner.join().error is None
    assert game.bots[0].name == "Solo" and game.count == 3


def test_a_bot_started_before_the_broker_connects_once_it_listens(broker_factory) -> None:
    with socket.socket() as probe:  # a free port for the broker-to-be
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = Runner(lambda: CounterBot("Early").run("127.0.0.1", port, read_timeout_s=20.0,
                                                  connect_timeout_s=20.0), "early bot")
    broker = broker_factory(1, BROKER_PORT=str(port))
    game = CountingGame(turns=2)
    game.run("127.0.0.1", broker.port, **RUN)
    assert bot.join().error is None and game.count == 2


def test_the_asyncio_api_plays_a_match(broker_factory) -> None:
    broker = broker_factory(3)

    async def main() -> AsyncCountingGame:
        game = AsyncCountingGame(turns=9)
        bots = [AsyncCounterBot(name).run("127.0.0.1", broker.port, **RUN) for name in ("A", "B", "C")]
        await asyncio.wait_for(asyncio.gather(game.run("127.0.0.1", broker.port, **RUN), *bots), 30)
        return game

    game = asyncio.run(main())
    assert sorted(b.name for b in game.inner.bots) == ["A", "B", "C"] and game.inner.count == 9


def test_connecting_to_an_absent_broker_raises_broker_unavailable_in_time() -> None:
    with socket.socket() as probe:  # bound, never listening: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        started_s = time.monotonic()
        with pytest.raises(BrokerUnavailableError) as caught:
            CounterBot("Nobody").run("127.0.0.1", port, connect_timeout_s=0.5)
    assert 0.4 <= time.monotonic() - started_s < 3.0  # it retried, and it gave up in time
    assert caught.value.code == "broker_unavailable" and f"127.0.0.1:{port}" in str(caught.value)
