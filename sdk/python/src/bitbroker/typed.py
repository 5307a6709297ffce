"""Optional typed use with protobuf: bots and games that see messages instead of bytes.

Thin adapters over BaseBot and BaseGame; the game and its bots share the .proto of their game.
"""
from __future__ import annotations

import abc
from typing import Generic, Type, TypeVar

from google.protobuf.message import DecodeError
from google.protobuf.message import Message as ProtoMessage

from .bot import BaseBot
from .errors import ProtocolError
from .game import BaseGame

StateT = TypeVar("StateT", bound=ProtoMessage)
ResponseT = TypeVar("ResponseT", bound=ProtoMessage)


def parse_as(message_type: Type[StateT], data: bytes) -> StateT:
    """Decodes ``data`` as ``message_type``; raises ProtocolError ``bad_protobuf``."""
    parsed = message_type()
    try:
        parsed.ParseFromString(data)
    except DecodeError as error:
        raise ProtocolError("bad_protobuf", f"not a {message_type.__name__}: {error}") from None
    return parsed


class ProtoBot(BaseBot, Generic[StateT]):
    """A bot whose states are ``STATE_TYPE`` messages; :meth:`decide` returns a message.

    Example: ``class MyBot(ProtoBot[GameState]): STATE_TYPE = GameState``.
    """

    STATE_TYPE: Type[StateT]

    @abc.abstractmethod
    def decide(self, state: StateT) -> ProtoMessage:
        """Returns the reply to ``state``; it is serialized for you."""

    def decide_move(self, state: bytes) -> bytes:
        """Decodes the state, calls :meth:`decide`, encodes its reply."""
        return self.decide(parse_as(self.STATE_TYPE, state)).SerializeToString()


class ProtoGame(BaseGame, Generic[ResponseT]):
    """A game whose bots reply with ``RESPONSE_TYPE`` messages, delivered to :meth:`deliver`.

    States go out as messages too: ``Action.player_action(index, state_message)``.
    """

    RESPONSE_TYPE: Type[ResponseT]

    @abc.abstractmethod
    def deliver(self, response: ResponseT) -> None:
        """Called with the decoded reply of the bot the last player action asked."""

    def deliver_response(self, response: bytes) -> None:
        """Decodes the reply and calls :meth:`deliver`."""
        self.deliver(parse_as(self.RESPONSE_TYPE, response))
