"""Bodies of BitBroker's extensions (docs/PROTOCOL.md §9, proto/arena.proto): the Hello a client
sends, and the Welcome, results and time notices it may receive. Pure: bytes in, values out.
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Type, TypeVar

from google.protobuf.message import Message as ProtoMessage

from ._proto import arena_pb2
from .errors import ProtocolError
from .types import MatchResult, MoveMissed, MoveTiming, SeatResult, TimeRules, TurnTiming, Welcome

_MISS = {"end": arena_pb2.TimeRules.END, "skip": arena_pb2.TimeRules.SKIP}


def encode_hello(*, room: str, client: str, client_version: str, bots: int = 0,
                 features: Sequence[str] = (), token: str = "", seat: Optional[int] = None,
                 time: Optional[TimeRules] = None, human: bool = False) -> bytes:
    """A ``Hello`` body (PROTOCOL.md §9.1): ``room`` "" is the default room; ``bots`` (a game's
    line-up size, 1..255) 0 leaves it to the room; ``features`` asked for (§9.3); ``token`` the
    access token (§9.6, "" for none); ``seat`` a bot's seat ticket (§9.7, 0..254, None: by
    arrival); ``time`` a game's time rules (§9.5; None: the room's); ``human`` a bot played by a
    person (§12.2: records mark its seat)."""
    if not 0 <= bots <= 0xFF:
        raise ValueError(f"bots {bots} is not 1..255")
    if seat is not None and not 0 <= seat <= 254:
        raise ValueError(f"seat {seat} is not 0..254")
    hello = arena_pb2.Hello(room=room, client=client, client_version=client_version, bots=bots,
                            features=list(features), token=token, human=human)
    if seat is not None:
        hello.seat = seat
    if time is not None:
        hello.time.SetInParent()  # present even when every field is left to the room
        for name in ("move_ms", "first_move_ms", "bank_ms"):
            value = getattr(time, name)
            if value is not None:
                setattr(hello.time, name, value)
        if time.on_miss is not None:
            hello.time.on_miss = _MISS[time.on_miss]
    return hello.SerializeToString()


def _time_rules(t: "arena_pb2.TimeRules") -> TimeRules:
    """A TimeRules from its message; an unset on_miss is None."""
    miss = {arena_pb2.TimeRules.END: "end", arena_pb2.TimeRules.SKIP: "skip"}.get(t.on_miss)
    return TimeRules(int(t.move_ms) if t.HasField("move_ms") else None,
                     int(t.first_move_ms) if t.HasField("first_move_ms") else None,
                     int(t.bank_ms) if t.HasField("bank_ms") else None, miss)


ProtoT = TypeVar("ProtoT", bound=ProtoMessage)


def _parse(message_type: Type[ProtoT], body: bytes) -> ProtoT:
    """``body`` as a ``message_type``; raises ProtocolError ``bad_protobuf``."""
    parsed = message_type()
    try:
        parsed.ParseFromString(body)
    except Exception as error:  # protobuf raises DecodeError, a plain Exception subclass
        raise ProtocolError("bad_protobuf", f"{message_type.__name__} does not decode ({error})") from None
    return parsed


def decode_move_timing(body: bytes) -> MoveTiming:
    """The ``MoveTiming`` in a ``00 30`` body (§9.5)."""
    t = _parse(arena_pb2.MoveTiming, body)
    return MoveTiming(int(t.move_ms), int(t.bank_ms), int(t.deadline_ms))


def decode_turn_timing(body: bytes) -> TurnTiming:
    """The ``TurnTiming`` in a trigger's body (§9.5)."""
    t = _parse(arena_pb2.TurnTiming, body)
    return TurnTiming(int(t.bot), float(t.think_ms), int(t.bank_ms), bool(t.missed))


def decode_move_missed(body: bytes) -> MoveMissed:
    """The ``MoveMissed`` in a ``00 31`` body (§9.5)."""
    t = _parse(arena_pb2.MoveMissed, body)
    return MoveMissed(int(t.bot), int(t.deadline_ms))


def decode_welcome(body: bytes) -> Welcome:
    """The ``Welcome`` in a ``00 03`` body; raises ProtocolError ``bad_protobuf``."""
    welcome = _parse(arena_pb2.Welcome, body)
    return Welcome(str(welcome.broker_version), tuple(str(f) for f in welcome.features),
                   str(welcome.room), int(welcome.queue_position), int(welcome.bots),
                   _time_rules(welcome.time) if welcome.HasField("time") else None)


# PROTOCOL.md §9.4: a summary is at most this many characters.
RESULT_SUMMARY_MAX = 256


def encode_result(result: MatchResult) -> bytes:
    """A ``MatchResult`` body; an empty result encodes to no bytes (the v1 ``00 FE``)."""
    body = arena_pb2.MatchResult(summary=result.summary)
    for seat in result.seats:
        entry = body.seats.add(index=seat.index)
        if seat.score is not None:
            entry.score = seat.score
        if seat.rank is not None:
            entry.rank = seat.rank
    return body.SerializeToString()


def decode_result(body: bytes, bots: int = 256) -> MatchResult:
    """The ``MatchResult`` in a ``00 32`` (or ``00 FE``) body, checked: indices below ``bots``,
    each once, finite scores, a summary of at most 256 characters; seats in index order.
    Raises ProtocolError ``bad_protobuf``."""
    parsed = _parse(arena_pb2.MatchResult, body)
    seats: List[SeatResult] = []
    for entry in parsed.seats:
        index = int(entry.index)
        if index >= bots or any(seat.index == index for seat in seats):
            raise ProtocolError("bad_protobuf", f"MatchResult names bot {index} twice or out of 0..{bots - 1}")
        score = float(entry.score) if entry.HasField("score") else None
        if score is not None and not math.isfinite(score):
            raise ProtocolError("bad_protobuf", f"MatchResult gives bot {index} the score {score}")
        seats.append(SeatResult(index, score, int(entry.rank) if entry.HasField("rank") else None))
    if len(parsed.summary) > RESULT_SUMMARY_MAX:
        raise ProtocolError("bad_protobuf", f"MatchResult summary over {RESULT_SUMMARY_MAX} characters")
    return MatchResult(tuple(sorted(seats, key=lambda seat: seat.index)), str(parsed.summary))
