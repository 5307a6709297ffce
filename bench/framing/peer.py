"""The Python peer of the framing bench (bench/framing.ts): one game or one bot on the Python SDK,
v1 lines or v2 frames. The game times its turns and prints one JSON line.
``python bench/framing/peer.py game|bot PORT SIZE on|off [WARMUP_S MIN_S MIN_TURNS [gate]]``; with
``gate`` the game waits for a line on stdin after its report, before it ends the match. Not a test.
"""
from __future__ import annotations

import json
import logging
import math
import sys
import time
from typing import List

from bitbroker import Action, BaseBot, BaseGame, BotInfo

REPLY = b"move:42!"
GRANTED = "the broker granted v2 frames: binary frames from now on"


class FixedBot(BaseBot):
    """Answers every state with the same 8 bytes, never reading it (the SDK has decoded it)."""

    NAME = "bench-py"

    def decide_move(self, state: bytes) -> bytes:
        return REPLY


class TimedGame(BaseGame):
    """Asks bot 0 on the same state every turn: a warm-up, then timed turns (by count and time)."""

    def __init__(self, size: int, warmup_s: float, min_s: float, min_turns: int, gate: bool) -> None:
        self.gate = gate
        self.state = bytes((i * 31 + 7) & 0xFF for i in range(256)) * (size // 256) + bytes(size % 256)
        self.warmup_s, self.min_s, self.min_turns = warmup_s, min_s, min_turns
        self.samples_us: List[float] = []
        self.turns = self.timed_turns = 0
        self.phase = "warmup"
        self.phase_start = self.sent = time.perf_counter()

    def initialise(self, bots: List[BotInfo]) -> None:
        self.phase_start = time.perf_counter()

    def next_action(self) -> Action:
        now = time.perf_counter()
        elapsed = now - self.phase_start
        if self.phase == "warmup" and self.turns >= 5 and elapsed >= self.warmup_s:
            self.phase, self.phase_start = "timed", now
        elif self.phase == "timed" and self.timed_turns >= self.min_turns and elapsed >= self.min_s:
            self.report(now)
            if self.gate:  # the harness reads the broker's socket counters while the match is on
                sys.stdin.readline()
            return Action.end_game()
        self.sent = time.perf_counter()
        return Action.player_action(0, self.state)

    def deliver_response(self, response: bytes) -> None:
        took_us = (time.perf_counter() - self.sent) * 1e6
        if response != REPLY:
            raise ValueError("the bot's reply is not the fixed one")
        self.turns += 1
        if self.phase == "timed":
            self.timed_turns += 1
            self.samples_us.append(took_us)

    def report(self, now: float) -> None:
        s = sorted(self.samples_us)
        at = lambda q: s[min(len(s) - 1, math.ceil(q * len(s)) - 1)]  # noqa: E731
        seconds = now - self.phase_start
        print(json.dumps({"turns": self.timed_turns, "turnsTotal": self.turns, "seconds": seconds,
                          "turnsPerS": self.timed_turns / seconds, "p50Us": at(0.5), "p99Us": at(0.99)}), flush=True)


class Granted(logging.Handler):
    """Notes the SDK's line saying the broker granted frames."""

    seen = False

    def emit(self, record: logging.LogRecord) -> None:
        Granted.seen = Granted.seen or record.getMessage() == GRANTED


def main(argv: List[str]) -> None:
    role, port, size, frames = argv[0], int(argv[1]), int(argv[2]), argv[3] == "on"
    warmup_s, min_s, min_turns = (float(argv[4]), float(argv[5]), int(argv[6])) if len(argv) > 6 else (0.5, 1.5, 20)
    logger = logging.getLogger("bitbroker")
    logger.setLevel(logging.INFO)
    logger.addHandler(Granted())
    if role == "bot":
        FixedBot().run("127.0.0.1", port, frames=frames)
    else:
        TimedGame(size, warmup_s, min_s, min_turns, argv[7:8] == ["gate"]).run("127.0.0.1", port, frames=frames)
    if Granted.seen != frames:
        sys.exit(f"frames {'not ' if frames else ''}granted, as asked {frames}")


if __name__ == "__main__":
    main(sys.argv[1:])
