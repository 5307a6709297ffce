"""Error paths end to end: user code raises, the broker aborts a match (deadline, shutdown),
and a server that breaks the protocol. Real broker or real sockets; every wait is bounded."""
from __future__ import annotations

import socket
import threading

import pytest

from bitbroker import ConnectionLostError, MatchAbortedError, ProtocolError, RefusedError

from conftest import Runner
from players import RUN, BlockingBot, CounterBot, CountingGame, expect_reason


def test_a_bot_whose_decide_move_raises_lets_it_through_and_the_game_sees_an_abort(broker_factory) -> None:
    broker = broker_factory(1)
    game = Runner(lambda: CountingGame(turns=10).run("127.0.0.1", broker.port, **RUN), "game")
    with pytest.raises(RuntimeError, match="cannot count past 3"):
        CounterBot("Fragile", fail_at=3).run("127.0.0.1", broker.port, **RUN)
    error = expect_reason(game.join().error, "bot_disconnected", "disconnected")
    assert isinstance(error, MatchAbortedError) and error.code == "match_aborted"
    assert "Fragile" in error.reason


def test_a_game_whose_next_action_raises_lets_it_through_and_every_bot_sees_an_abort(broker_factory) -> None:
    broker = broker_factory(2)
    bots = [Runner(lambda n=n: CounterBot(n).run("127.0.0.1", broker.port, **RUN), n) for n in ("A", "B")]
    with pytest.raises(ValueError, match="gives up at 4"):
        CountingGame(turns=10, fail_at=4).run("127.0.0.1", broker.port, **RUN)
    for runner in bots:
        error = expect_reason(runner.join().error, "game_disconnected", "disconnected")
        assert isinstance(error, MatchAbortedError) and "game" in error.reason


def test_a_missed_move_deadline_aborts_the_match_for_the_game_and_the_bot(broker_factory) -> None:
    broker = broker_factory(1, BROKER_MOVE_TIMEOUT_MS="300")
    bot = BlockingBot()
    bot_runner = Runner(lambda: bot.run("127.0.0.1", broker.port, **RUN), "sleepy bot")
    with pytest.raises(MatchAbortedError) as caught:
        CountingGame(turns=5).run("127.0.0.1", broker.port, **RUN)
    expect_reason(caught.value, "move_timeout", "deadline")
    # The broker asked the bot before the deadline ran out; its thread may not have seen it yet.
    assert bot.asked.wait(10.0)
    bot.release.set()  # the bot answers late, into a match that is over
    bot_error = bot_runner.join().error
    assert isinstance(bot_error, MatchAbortedError) and bot_error.reason == caught.value.reason
    ended = broker.wait_for_log(lambda l: l.get("event") == "match ended")
    assert ended["code"] == "move_timeout", ended


def test_the_broker_shutting_down_aborts_a_waiting_bot_with_its_reason(broker_factory) -> None:
    broker = broker_factory(2)
    bot = Runner(lambda: CounterBot("Waiting").run("127.0.0.1", broker.port, **RUN), "waiting bot")
    broker.wait_for_log(lambda l: l.get("event") == "seat taken")
    assert broker.stop() == 0
    expect_reason(bot.join().error, "broker_shutdown", "broker shutting down")


def serve_once(reply: bytes) -> "tuple[int, threading.Thread]":
    """A one-connection TCP server on 127.0.0.1 that sends ``reply`` and closes (a broken broker)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(10.0)

    def serve() -> None:
        with server:
            conn, _ = server.accept()
            with conn:
                conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server.getsockname()[1], thread


@pytest.mark.parametrize("reply, code", [
    (b"AAE=\r\n", "bad_base64"),
    (b"BAE=\n", "unknown_opcode"),
    (b"AgA=\n", "unexpected_message"),  # 02 00 sent to a bot is an error (PROTOCOL.md §3)
])
def test_a_bot_talking_to_a_server_that_breaks_the_protocol_raises_protocol_error(reply: bytes, code: str) -> None:
    port, thread = serve_once(reply)
    with pytest.raises(ProtocolError) as caught:
        CounterBot("Strict").run("127.0.0.1", port, **RUN)
    assert caught.value.code == code
    thread.join(10.0)


def test_a_game_whose_connection_closes_without_00_ff_raises_connection_lost() -> None:
    port, thread = serve_once(b"")
    with pytest.raises(ConnectionLostError) as caught:
        CountingGame().run("127.0.0.1", port, **RUN)
    assert caught.value.code == "connection_lost"
    thread.join(10.0)


def test_a_broker_that_requires_a_token_refuses_a_bot_without_it_and_plays_with_it(broker_factory) -> None:
    broker = broker_factory(1, BROKER_TOKEN="s3cret-token")
    with pytest.raises(RefusedError) as caught:
        CounterBot("Stranger").run("127.0.0.1", broker.port, token="wrong", **RUN)
    expect_reason(caught.value, "unauthorized", "")
    bot = Runner(lambda: CounterBot("Member").run("127.0.0.1", broker.port, token="s3cret-token", **RUN), "bot")
    game = CountingGame(turns=2)
    game.run("127.0.0.1", broker.port, token="s3cret-token", **RUN)
    assert bot.join().error is None and [b.name for b in game.bots] == ["Member"]


def test_seat_tickets_decide_the_bots_indices_whatever_their_arrival(broker_factory) -> None:
    broker = broker_factory(2)
    second = Runner(lambda: CounterBot("Second").run("127.0.0.1", broker.port, seat=1, **RUN), "seat 1")
    broker.wait_for_log(lambda l: l.get("event") == "seat taken" and l.get("name") == "Second")
    first = Runner(lambda: CounterBot("First").run("127.0.0.1", broker.port, seat=0, **RUN), "seat 0")
    game = CountingGame(turns=2)
    game.run("127.0.0.1", broker.port, **RUN)
    assert first.join().error is None and second.join().error is None
    assert [(b.index, b.name) for b in game.bots] == [(0, "First"), (1, "Second")]
