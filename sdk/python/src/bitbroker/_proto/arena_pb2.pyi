from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Hello(_message.Message):
    __slots__ = ("room", "client", "client_version", "features", "bots")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    BOTS_FIELD_NUMBER: _ClassVar[int]
    room: str
    client: str
    client_version: str
    features: _containers.RepeatedScalarFieldContainer[str]
    bots: int
    def __init__(self, room: _Optional[str] = ..., client: _Optional[str] = ..., client_version: _Optional[str] = ..., features: _Optional[_Iterable[str]] = ..., bots: _Optional[int] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ("broker_version", "features", "room", "queue_position", "bots")
    BROKER_VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    QUEUE_POSITION_FIELD_NUMBER: _ClassVar[int]
    BOTS_FIELD_NUMBER: _ClassVar[int]
    broker_version: str
    features: _containers.RepeatedScalarFieldContainer[str]
    room: str
    queue_position: int
    bots: int
    def __init__(self, broker_version: _Optional[str] = ..., features: _Optional[_Iterable[str]] = ..., room: _Optional[str] = ..., queue_position: _Optional[int] = ..., bots: _Optional[int] = ...) -> None: ...

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
