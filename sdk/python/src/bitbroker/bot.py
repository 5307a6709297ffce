"""BaseBot: subclass it, write ``decide_move``, call ``run``. The blocking loop of a bot.

The protocol itself is in session.py; this file only wires it to a socket and to user code.
"""
from __future__ import annotations

import abc
from typing import Optional

from .connection import (CONNECT_TIMEOUT_S_DEFAULT, Connection, play_session, resolve_room, resolve_seat,
                         resolve_token)
from .message import LINE_BYTES_MAX_DEFAULT, Message
from .session import BotEvent, BotSession, ResultReceived, YourMove
from .types import MatchResult, Payload, to_bytes


class BaseBot(abc.ABC):
    """A bot: the broker sends it states, it answers each with a move.

    Set ``NAME`` (class or instance attribute; the class name if left empty) and implement
    :meth:`decide_move`. Bots never learn their index (docs/PROTOCOL.md §4).
    """

    NAME: str = ""

    @property
    def name(self) -> str:
        """The name sent to the broker."""
        return self.NAME or type(self).__name__

    @abc.abstractmethod
    def decide_move(self, state: bytes) -> Payload:
        """Returns the reply to ``state``: bytes, or a protobuf message (serialized for you)."""

    def match_result(self, result: MatchResult) -> None:
        """Called once, before the match ends normally, with the result the game reported (per
        bot a score and/or a rank). Not called when the game reports none, or by a broker that
        does not send results. The default does nothing."""

    def run(
        self,
        host: str = "127.0.0.1",
        port: int = 7878,
        *,
        room: Optional[str] = None,
        token: Optional[str] = None,
        seat: Optional[int] = None,
        connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
        read_timeout_s: Optional[float] = None,
        line_bytes_max: int = LINE_BYTES_MAX_DEFAULT,
    ) -> None:
        """Plays one match and returns when it ends normally. Blocks.

        ``room`` (default ``$BITBROKER_ROOM``, else the broker's default room), ``token`` (the
        access token, default ``$BITBROKER_TOKEN``) and ``seat`` (a seat ticket 0..254, default
        ``$BITBROKER_SEAT``, else seated by arrival) go in the Hello; the original broker
        ignores them. Raises ConnectFailedError if the broker cannot
        be reached within ``connect_timeout_s`` (retrying meanwhile); MatchAbortedError,
        RefusedError or BrokerShutdownError when the broker ends the session (``.reason_code``,
        ``.reason``); ConnectionLostError, ProtocolError, ReadTimeoutError (only with a
        ``read_timeout_s``; a bot may wait long for its match); and lets any exception raised
        by ``decide_move`` pass through unchanged after closing the connection.
        """
        session = BotSession(self.name, resolve_room(room), resolve_token(token), resolve_seat(seat))
        with Connection.open(host, port, connect_timeout_s=connect_timeout_s,
                             read_timeout_s=read_timeout_s, line_bytes_max=line_bytes_max) as connection:
            play_bot(self, session, connection)


def play_bot(bot: BaseBot, session: BotSession, connection: Connection) -> None:
    """Drives one bot session over an open connection until its end."""

    def answer(event: BotEvent) -> Optional[Message]:
        if isinstance(event, YourMove):
            return session.reply(to_bytes(bot.decide_move(event.state)))
        if isinstance(event, ResultReceived):
            bot.match_result(event.result)
        return None

    play_session(session, connection, answer)
