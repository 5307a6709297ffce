"""MoveClock: a bot's time for the state it is deciding on (docs/PROTOCOL.md §9.5).

What the broker said (``00 30``, only to a bot that asked for ``timing``), and what is left of it
now. The clock it reads is an argument (monotonic by default), so tests need no sleep.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from .types import MoveTiming


@dataclass(frozen=True)
class MoveClock:
    """The time a bot has for one state: ``move_ms`` (this move's own time), ``bank_ms`` (its time
    bank left) and ``deadline_ms`` (their sum, from when the broker sent the state; 0: no
    deadline), received at ``received_s`` on the ``now_s`` clock."""

    timing: MoveTiming
    received_s: float
    now_s: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)

    @property
    def move_ms(self) -> int:
        """This move's own time, in ms (0: no deadline)."""
        return self.timing.move_ms

    @property
    def bank_ms(self) -> int:
        """The bot's time bank left, in ms."""
        return self.timing.bank_ms

    @property
    def deadline_ms(self) -> int:
        """The whole time for this move, in ms from when the state was sent (0: no deadline)."""
        return self.timing.deadline_ms

    def deadline_s(self) -> Optional[float]:
        """When the move is due on the ``now_s`` clock (``time.monotonic``), or None without a
        deadline. The broker started counting a little earlier: keep a margin for the trip back."""
        return None if self.deadline_ms == 0 else self.received_s + self.deadline_ms / 1000

    def remaining_ms(self) -> float:
        """Milliseconds left before the deadline, as of now (negative once past it);
        ``float("inf")`` without a deadline."""
        due = self.deadline_s()
        return float("inf") if due is None else (due - self.now_s()) * 1000
