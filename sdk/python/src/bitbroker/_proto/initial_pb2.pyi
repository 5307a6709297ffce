from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InitialMessageProto(_message.Message):
    __slots__ = ("botIndex", "botName")
    BOTINDEX_FIELD_NUMBER: _ClassVar[int]
    BOTNAME_FIELD_NUMBER: _ClassVar[int]
    botIndex: int
    botName: str
    def __init__(self, botIndex: _Optional[int] = ..., botName: _Optional[str] = ...) -> None: ...

class InitialMessageBatchProto(_message.Message):
    __slots__ = ("initialMessages",)
    INITIALMESSAGES_FIELD_NUMBER: _ClassVar[int]
    initialMessages: _containers.RepeatedCompositeFieldContainer[InitialMessageProto]
    def __init__(self, initialMessages: _Optional[_Iterable[_Union[InitialMessageProto, _Mapping]]] = ...) -> None: ...
