"""End to end against the real broker: Python games and Python bots play whole matches.

Real broker process, real sockets on 127.0.0.1; every wait is bounded.
"""
from __future__ import annotations

import asyncio
import re
import socket
import time

import pytest

from bitbroker import ConnectFailedError, MatchResult, SeatResult
from bitbroker.connection import ConnectRetry

from conftest import LogWatch, Runner
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
    assert ended["turns"] == 10 and ended["code"] == "normal"


def test_the_games_result_reaches_every_bot_before_the_end(broker_factory) -> None:
    broker = broker_factory(2)
    alpha, beta = CounterBot("Alpha"), CounterBot("Beta")
    bots = [Runner(lambda b=b: b.run("127.0.0.1", broker.port, **RUN), b.NAME) for b in (alpha, beta)]
    result = MatchResult((SeatResult(0, score=2.0, rank=1), SeatResult(1, score=1.0, rank=2)), "0 counts best")
    CountingGame(turns=4, result=result).run("127.0.0.1", broker.port, **RUN)
    for runner in bots:
        assert runner.join().error is None
    assert alpha.results == beta.results == [result]


def test_bots_may_connect_before_the_game_and_the_game_before_the_bots(broker_factory) -> None:
    broker = broker_factory(1)
    game = CountingGame(turns=3)
    game_runner = Runner(lambda: game.run("127.0.0.1", broker.port, **RUN), "game")
    broker.wait_for_log(lambda l: l.get("event") == "game joined the lobby")
    CounterBot("Solo").run("127.0.0.1", broker.port, **RUN)
    assert game_runner.join().error is None
    assert game.bots[0].name == "Solo" and game.count == 3


def test_a_bot_started_before_the_broker_connects_once_it_listens(broker_factory, sdk_log: LogWatch) -> None:
    with socket.socket() as probe:  # a free port for the broker-to-be
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = Runner(lambda: CounterBot("Early").run("127.0.0.1", port, read_timeout_s=20.0,
                                                  connect_timeout_s=20.0), "early bot")
    # The bot has really tried (and logged it) before the broker starts.
    sdk_log.wait_for(lambda text: text.startswith(f"broker at 127.0.0.1:{port} not reachable yet (attempt 1)"))
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


def test_connecting_to_an_absent_broker_retries_logs_and_raises_connect_failed(sdk_log: LogWatch) -> None:
    with socket.socket() as probe:  # bound, never listening: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        started_s = time.monotonic()
        runner = Runner(lambda: CounterBot("Nobody").run("127.0.0.1", port, connect_timeout_s=0.5), "bot")
        error = runner.join().error
    assert time.monotonic() - started_s >= 0.5  # it gives up only once the timeout has run out
    assert isinstance(error, ConnectFailedError) and error.code == "connect_failed"
    assert f"127.0.0.1:{port}" in str(error)
    retries = [t for t in sdk_log.messages() if t.startswith(f"broker at 127.0.0.1:{port} not reachable yet")]
    assert len(retries) >= 2, retries  # the schedule itself is checked with a fake clock
    for attempt, text in enumerate(retries, 1):
        assert re.fullmatch(rf"broker at 127\.0\.0\.1:{port} not reachable yet \(attempt {attempt}\): "
                            r".*refused.*, retrying in \d+ ms", text), text


def test_the_connect_schedule_backs_off_from_50_ms_to_1_s_within_the_time_left() -> None:
    clock = [100.0]
    retry = ConnectRetry("h", 1, 10.0, lambda: clock[0])
    delays = []
    while True:
        try:
            attempt_s = retry.attempt_s()
        except ConnectFailedError as error:
            assert "gave up after 14 attempt(s) in 10 s" in str(error), error
            break
        assert attempt_s == pytest.approx(110.0 - clock[0])  # each attempt bounded by the time left
        clock[0] += 0.01  # the attempt fails after 10 ms
        delays.append(round(retry.failed(ConnectionRefusedError("refused")), 3))
        clock[0] += delays[-1]
    assert delays[:7] == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    assert delays[-1] < 1.0 and sum(delays) + 0.01 * len(delays) == pytest.approx(10.0)
