"""Plain value types of the public API: who is playing, and what the game does next.

No I/O here; these are what user code receives from and hands back to the SDK.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple, Union

from google.protobuf.message import Message as ProtoMessage

# A state or reply: raw bytes, or a protobuf message the SDK serializes.
Payload = Union[bytes, bytearray, memoryview, ProtoMessage]


@dataclass(frozen=True)
class BotInfo:
    """One bot of the match: its 0-based index (as the game addresses it) and its name."""

    index: int
    name: str


@dataclass(frozen=True)
class TimeRules:
    """Time rules (docs/PROTOCOL.md §9.5), in ms: what a game asks for with its ``time`` option
    (a field left None takes the room's or the broker's value), and what a game that asked for
    ``timing`` is told is in force (every field set) in its Welcome.

    ``move_ms``: each move's own time (0: no deadline); ``first_move_ms``: a bot's first move;
    ``bank_ms``: each bot's time bank (overage across the match); ``on_miss``: ``"end"`` (the
    match ends) or ``"skip"`` (the turn is lost and the match goes on; needs ``timing``).
    """

    move_ms: Optional[int] = None
    first_move_ms: Optional[int] = None
    bank_ms: Optional[int] = None
    on_miss: Optional[str] = None

    def __post_init__(self) -> None:
        for name in ("move_ms", "first_move_ms", "bank_ms"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or not 0 <= value <= 0xFFFFFFFF):
                raise ValueError(f"time rules: {name} must be a whole number of ms (0..4294967295), got {value!r}")
        if self.on_miss not in (None, "end", "skip"):
            raise ValueError(f"time rules: on_miss must be \"end\" or \"skip\", got {self.on_miss!r}")


@dataclass(frozen=True)
class Welcome:
    """The broker's answer to this client's ``Hello`` (``00 03``, docs/PROTOCOL.md §9.1).

    Only brokers that know rooms send one; the original broker never does.
    """

    broker_version: str
    features: Tuple[str, ...]
    room: str
    queue_position: int
    bots: int
    time: Optional[TimeRules] = None
    """The rules in force for a game that asked for ``timing`` (every field set); else None."""


@dataclass(frozen=True)
class MoveTiming:
    """A bot's time for the state that follows (``00 30``, docs/PROTOCOL.md §9.5), in ms: the
    move's own time, its time bank left, and their sum (0: no deadline)."""

    move_ms: int
    bank_ms: int
    deadline_ms: int


@dataclass(frozen=True)
class TurnTiming:
    """The last turn's timing, in a trigger's body (§9.5): the bot asked, how long it thought
    (ms, as the broker measured it), its time bank left, and whether it missed its deadline."""

    bot: int
    think_ms: float
    bank_ms: int
    missed: bool


@dataclass(frozen=True)
class MoveMissed:
    """Under SKIP (``00 31``, §9.5): the asked bot missed its deadline of ``deadline_ms``; no reply
    comes, a trigger follows."""

    bot: int
    deadline_ms: int


@dataclass(frozen=True)
class SeatResult:
    """One bot's result in a MatchResult: its index, and a score (higher is better) and/or a rank
    (1 = first; ties share), each None when not given."""

    index: int
    score: Optional[float] = None
    rank: Optional[int] = None


@dataclass(frozen=True)
class MatchResult:
    """A match's result (docs/PROTOCOL.md §9.4): what the game reports with its end, and what a bot
    receives (``00 32``) before its ``00 FF``. Seats are in index order; bots without a result
    are left out."""

    seats: Tuple[SeatResult, ...] = ()
    summary: str = ""


@dataclass(frozen=True)
class Action:
    """What the game does when the broker asks for its next action.

    Build one with :meth:`player_action` (ask a bot for a move) or :meth:`end_game`.
    """

    bot_index: Optional[int]
    state: bytes = b""
    result: Optional[MatchResult] = None

    @classmethod
    def player_action(cls, index: int, state: Payload) -> "Action":
        """Ask bot ``index`` (0..255) for a move on ``state``; its reply goes to ``deliver_response``.

        ``state`` is bytes, or a protobuf message that is serialized for the bot.
        """
        if not 0 <= index <= 0xFF:
            raise ValueError(f"bot index {index} is not 0..255")
        return cls(index, to_bytes(state))

    @classmethod
    def end_game(cls, result: Optional[MatchResult] = None) -> "Action":
        """End the match normally: every participant gets ``00 FF``. With a ``result`` (per bot a
        score and/or a rank, and a short summary), the broker records it and tells the bots that
        asked for results (PROTOCOL.md §9.4); the original broker ignores it."""
        return cls(None, result=result)

    @property
    def is_end(self) -> bool:
        """True for :meth:`end_game`."""
        return self.bot_index is None


def to_bytes(payload: Payload) -> bytes:
    """Bytes of a state or reply: bytes-like as is, a protobuf message serialized."""
    if isinstance(payload, ProtoMessage):
        return payload.SerializeToString()
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    raise TypeError(f"expected bytes or a protobuf message, got {type(payload).__name__}")
