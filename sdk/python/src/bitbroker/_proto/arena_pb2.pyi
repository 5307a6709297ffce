from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

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
