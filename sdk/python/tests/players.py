"""Small bots and games the end-to-end tests play with: a counting game and its bots.

The game asks the bots in turn to add one to a counter, then ends the match.
"""
from __future__ import annotations

import threading
from typing import Callable, List, Optional

from bitbroker import Action, BaseBot, BaseGame, BotInfo, BrokerEndedError, MatchResult
from bitbroker.aio import AsyncBaseBot, AsyncBaseGame
from bitbroker.errors import REASON_ERRORS

# Settings every test run passes: a read timeout keeps a broken test from hanging forever.
RUN = {"read_timeout_s": 20.0, "connect_timeout_s": 5.0}


def expect_reason(error: Optional[BaseException], code: str, text: str) -> BrokerEndedError:
    """Checks an end-of-session error from our broker: the reason code ``code`` (§6.1), the error
    kind the table gives it, and ``text`` in the reason."""
    assert isinstance(error, BrokerEndedError), repr(error)
    assert error.reason_code == code, error
    assert error.code == REASON_ERRORS[code].code, error
    assert text in error.reason, error
    return error


class CounterBot(BaseBot):
    """Replies with the decimal state plus one; ``fail_at`` makes it raise on that state."""

    def __init__(self, name: str, fail_at: Optional[int] = None) -> None:
        self.NAME = name
        self.fail_at = fail_at
        self.seen: List[int] = []
        self.results: List[MatchResult] = []

    def match_result(self, result: MatchResult) -> None:
        self.results.append(result)

    def decide_move(self, state: bytes) -> bytes:
        value = int(state.decode("ascii"))
        self.seen.append(value)
        if value == self.fail_at:
            raise RuntimeError(f"{self.NAME} cannot count past {value}")
        return str(value + 1).encode("ascii")


class BlockingBot(BaseBot):
    """Waits (bounded) for ``release`` before replying: it misses any short move deadline."""

    NAME = "Sleepy"

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.release = threading.Event()

    def decide_move(self, state: bytes) -> bytes:
        self.asked.set()
        self.release.wait(20.0)
        return b"late"


class CountingGame(BaseGame):
    """Asks bot (turn mod N) to add one to the counter, ``turns`` times, then ends the match."""

    def __init__(self, turns: int = 10, fail_at: Optional[int] = None,
                 on_start: Optional[Callable[[], None]] = None, result: Optional[MatchResult] = None) -> None:
        self.turns = turns
        self.result = result
        self.fail_at = fail_at
        self.on_start = on_start
        self.bots: List[BotInfo] = []
        self.count = 0
        self.replies: List[bytes] = []

    def initialise(self, bots: List[BotInfo]) -> None:
        self.bots = bots
        if self.on_start is not None:
            self.on_start()

    def next_action(self) -> Action:
        if self.count == self.fail_at:
            raise ValueError(f"the referee gives up at {self.count}")
        if self.count >= self.turns:
            return Action.end_game(self.result)
        bot = self.bots[self.count % len(self.bots)]
        return Action.player_action(bot.index, str(self.count).encode("ascii"))

    def deliver_response(self, response: bytes) -> None:
        self.replies.append(response)
        assert int(response) == self.count + 1, f"bot replied {response!r} to {self.count}"
        self.count += 1


class AsyncCounterBot(AsyncBaseBot):
    """CounterBot for the asyncio API."""

    def __init__(self, name: str) -> None:
        self.NAME = name

    async def decide_move(self, state: bytes) -> bytes:
        return str(int(state) + 1).encode("ascii")


class AsyncCountingGame(AsyncBaseGame):
    """CountingGame for the asyncio API."""

    def __init__(self, turns: int) -> None:
        self.inner = CountingGame(turns)

    async def initialise(self, bots: List[BotInfo]) -> None:
        self.inner.initialise(bots)

    async def next_action(self) -> Action:
        return self.inner.next_action()

    async def deliver_response(self, response: bytes) -> None:
        self.inner.deliver_response(response)
