from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Hello(_message.Message):
    __slots__ = ("room", "client", "client_version", "features", "bots", "token", "seat", "time", "human")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    BOTS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    SEAT_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    HUMAN_FIELD_NUMBER: _ClassVar[int]
    room: str
    client: str
    client_version: str
    features: _containers.RepeatedScalarFieldContainer[str]
    bots: int
    token: str
    seat: int
    time: TimeRules
    human: bool
    def __init__(self, room: _Optional[str] = ..., client: _Optional[str] = ..., client_version: _Optional[str] = ..., features: _Optional[_Iterable[str]] = ..., bots: _Optional[int] = ..., token: _Optional[str] = ..., seat: _Optional[int] = ..., time: _Optional[_Union[TimeRules, _Mapping]] = ..., human: bool = ...) -> None: ...

class TimeRules(_message.Message):
    __slots__ = ("move_ms", "first_move_ms", "bank_ms", "on_miss")
    class Miss(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        MISS_UNSET: _ClassVar[TimeRules.Miss]
        END: _ClassVar[TimeRules.Miss]
        SKIP: _ClassVar[TimeRules.Miss]
    MISS_UNSET: TimeRules.Miss
    END: TimeRules.Miss
    SKIP: TimeRules.Miss
    MOVE_MS_FIELD_NUMBER: _ClassVar[int]
    FIRST_MOVE_MS_FIELD_NUMBER: _ClassVar[int]
    BANK_MS_FIELD_NUMBER: _ClassVar[int]
    ON_MISS_FIELD_NUMBER: _ClassVar[int]
    move_ms: int
    first_move_ms: int
    bank_ms: int
    on_miss: TimeRules.Miss
    def __init__(self, move_ms: _Optional[int] = ..., first_move_ms: _Optional[int] = ..., bank_ms: _Optional[int] = ..., on_miss: _Optional[_Union[TimeRules.Miss, str]] = ...) -> None: ...

class MoveTiming(_message.Message):
    __slots__ = ("move_ms", "bank_ms", "deadline_ms")
    MOVE_MS_FIELD_NUMBER: _ClassVar[int]
    BANK_MS_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_MS_FIELD_NUMBER: _ClassVar[int]
    move_ms: int
    bank_ms: int
    deadline_ms: int
    def __init__(self, move_ms: _Optional[int] = ..., bank_ms: _Optional[int] = ..., deadline_ms: _Optional[int] = ...) -> None: ...

class TurnTiming(_message.Message):
    __slots__ = ("bot", "think_ms", "bank_ms", "missed")
    BOT_FIELD_NUMBER: _ClassVar[int]
    THINK_MS_FIELD_NUMBER: _ClassVar[int]
    BANK_MS_FIELD_NUMBER: _ClassVar[int]
    MISSED_FIELD_NUMBER: _ClassVar[int]
    bot: int
    think_ms: float
    bank_ms: int
    missed: bool
    def __init__(self, bot: _Optional[int] = ..., think_ms: _Optional[float] = ..., bank_ms: _Optional[int] = ..., missed: bool = ...) -> None: ...

class MoveMissed(_message.Message):
    __slots__ = ("bot", "deadline_ms")
    BOT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_MS_FIELD_NUMBER: _ClassVar[int]
    bot: int
    deadline_ms: int
    def __init__(self, bot: _Optional[int] = ..., deadline_ms: _Optional[int] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ("broker_version", "features", "room", "queue_position", "bots", "time")
    BROKER_VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    QUEUE_POSITION_FIELD_NUMBER: _ClassVar[int]
    BOTS_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    broker_version: str
    features: _containers.RepeatedScalarFieldContainer[str]
    room: str
    queue_position: int
    bots: int
    time: TimeRules
    def __init__(self, broker_version: _Optional[str] = ..., features: _Optional[_Iterable[str]] = ..., room: _Optional[str] = ..., queue_position: _Optional[int] = ..., bots: _Optional[int] = ..., time: _Optional[_Union[TimeRules, _Mapping]] = ...) -> None: ...

class MatchResult(_message.Message):
    __slots__ = ("seats", "summary")
    SEATS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    seats: _containers.RepeatedCompositeFieldContainer[SeatResult]
    summary: str
    def __init__(self, seats: _Optional[_Iterable[_Union[SeatResult, _Mapping]]] = ..., summary: _Optional[str] = ...) -> None: ...

class SeatResult(_message.Message):
    __slots__ = ("index", "score", "rank")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    index: int
    score: float
    rank: int
    def __init__(self, index: _Optional[int] = ..., score: _Optional[float] = ..., rank: _Optional[int] = ...) -> None: ...
