"""Time rules through the Python SDK and the real broker (docs/PROTOCOL.md §9.5), as the TypeScript
suite does it: a bot that blocks on purpose through its first move misses it under SKIP, its late
reply is dropped, and the next turn gets its own reply; bots read their time, games each turn's.
Assertions are on what happened, never on how long it took."""
from __future__ import annotations

import asyncio
import threading
from typing import List, Optional

from bitbroker import Action, BaseBot, BaseGame, BotInfo, MoveClock, MoveMissed, TimeRules, TurnTiming
from bitbroker.aio import AsyncBaseBot, AsyncBaseGame

from conftest import Runner
from players import RUN


class SlowStarter(BaseBot):
    """Blocks on its first state until ``released`` (the game saw the miss), then answers at once."""

    NAME = "SlowStarter"

    def __init__(self, released: Optional[threading.Event] = None) -> None:
        self.released = released
        self.clocks: List[Optional[MoveClock]] = []
        self.attributes: List[Optional[MoveClock]] = []

    def decide_move(self, state: bytes, clock: Optional[MoveClock] = None) -> bytes:
        self.clocks.append(clock)
        self.attributes.append(self.clock)
        if self.released is not None and len(self.clocks) == 1:
            assert self.released.wait(20.0), "the game never saw the missed move"
        return b"re:" + state


class TimedGame(BaseGame):
    """Asks bot 0 for ``turns`` turns; records replies, missed moves and timings."""

    def __init__(self, turns: int, missed: Optional[threading.Event] = None) -> None:
        self.turns, self.turn = turns, 0
        self.missed = missed
        self.log: List[str] = []
        self.timings: List[TurnTiming] = []

    def initialise(self, bots: List[BotInfo]) -> None:
        pass

    def next_action(self) -> Action:
        if self.turn == self.turns:
            return Action.end_game()
        self.turn += 1
        return Action.player_action(0, f"s{self.turn - 1}".encode())

    def deliver_response(self, response: bytes) -> None:
        self.log.append(response.decode())

    def move_missed(self, missed: MoveMissed) -> None:
        self.log.append(f"missed by bot {missed.bot} ({missed.deadline_ms} ms)")
        if self.missed is not None:
            self.missed.set()

    def turn_timing(self, timing: TurnTiming) -> None:
        self.timings.append(timing)


def test_skip_a_missed_first_move_is_forfeited_its_late_reply_dropped_the_next_turn_gets_its_own(
        broker_factory) -> None:
    broker = broker_factory(1)
    seen_miss = threading.Event()
    bot = SlowStarter(released=seen_miss)
    game = TimedGame(3, missed=seen_miss)
    # The first move has 500 ms and the bot holds it until the game has been told it missed;
    # later moves have 20 s, far more than they need.
    time = TimeRules(first_move_ms=500, move_ms=20_000, on_miss="skip")
    bot_runner = Runner(lambda: bot.run("127.0.0.1", broker.port, timing=True, **RUN), "bot")
    game.run("127.0.0.1", broker.port, timing=True, time=time, **RUN)
    assert bot_runner.join().error is None
    assert game.log == ["missed by bot 0 (500 ms)", "re:s1", "re:s2"]
    assert [t.missed for t in game.timings] == [True, False, False]
    assert game.timings[0].think_ms >= 500 and game.timings[0].bot == 0
    # The bot learnt its time with each state, as its parameter and as self.clock alike.
    assert [c.deadline_ms if c else None for c in bot.clocks] == [500, 20_000, 20_000]
    assert bot.attributes == bot.clocks
    broker.wait_for_log(lambda l: l.get("event") == "late reply dropped" and l.get("bot") == 0)
    ended = broker.wait_for_log(lambda l: l.get("event") == "match ended")
    assert (ended["code"], ended["turns"]) == ("normal", 3)


def test_without_the_timing_option_nothing_new_reaches_the_clients(broker_factory) -> None:
    broker = broker_factory(1)
    bot, game = SlowStarter(), TimedGame(2)
    bot_runner = Runner(lambda: bot.run("127.0.0.1", broker.port, **RUN), "bot")
    # SKIP without timing: the rules say END; no notice reaches either side.
    game.run("127.0.0.1", broker.port, time={"move_ms": 20_000, "on_miss": "skip"}, **RUN)
    assert bot_runner.join().error is None
    assert game.log == ["re:s0", "re:s1"] and game.timings == []
    assert bot.clocks == [None, None] and bot.attributes == [None, None]


class AsyncTimedBot(AsyncBaseBot):
    NAME = "AsyncTimed"

    def __init__(self) -> None:
        self.remaining: List[float] = []

    async def decide_move(self, state: bytes, clock: Optional[MoveClock] = None) -> bytes:
        assert clock is not None and clock is self.clock
        self.remaining.append(clock.remaining_ms())
        return b"re:" + state


class AsyncTimedGame(AsyncBaseGame):
    def __init__(self) -> None:
        self.inner = TimedGame(2)

    async def initialise(self, bots: List[BotInfo]) -> None:
        pass

    async def next_action(self) -> Action:
        return self.inner.next_action()

    async def deliver_response(self, response: bytes) -> None:
        self.inner.deliver_response(response)

    async def turn_timing(self, timing: TurnTiming) -> None:
        self.inner.turn_timing(timing)


def test_the_asyncio_api_hands_the_clock_to_bots_and_each_turns_timing_to_games(broker_factory) -> None:
    broker = broker_factory(1)
    bot, game = AsyncTimedBot(), AsyncTimedGame()

    async def main() -> None:
        await asyncio.wait_for(asyncio.gather(
            game.run("127.0.0.1", broker.port, timing=True, time=TimeRules(move_ms=60_000), **RUN),
            bot.run("127.0.0.1", broker.port, timing=True, **RUN)), 30)

    asyncio.run(main())
    assert game.inner.log == ["re:s0", "re:s1"]
    assert [t.missed for t in game.inner.timings] == [False, False]
    # Each move had 60 s; some of it is left (no bound on how much: that would be a clock race).
    assert len(bot.remaining) == 2 and all(0 < r <= 60_000 for r in bot.remaining)
