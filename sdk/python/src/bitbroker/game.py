"""BaseGame: subclass it, write ``initialise``, ``next_action`` and ``deliver_response``, call ``run``.

The protocol itself is in session.py; this file only wires it to a socket and to user code.
"""
from __future__ import annotations

import abc
from typing import List, Optional

from .connection import CONNECT_TIMEOUT_S_DEFAULT, Connection, play_session, resolve_room, resolve_token
from .message import LINE_BYTES_MAX_DEFAULT, Message
from .session import ActionRequested, GameEvent, GameSession, MatchStarted, ResponseReceived
from .types import Action, BotInfo


class BaseGame(abc.ABC):
    """A game (the referee): it drives the turns, asking one bot at a time for a move."""

    @abc.abstractmethod
    def initialise(self, bots: List[BotInfo]) -> None:
        """Called once when the match starts, with every bot's index and name in index order."""

    @abc.abstractmethod
    def next_action(self) -> Action:
        """Returns ``Action.player_action(index, state)`` or ``Action.end_game()``."""

    @abc.abstractmethod
    def deliver_response(self, response: bytes) -> None:
        """Called with the reply of the bot the last player action asked."""

    def run(
        self,
        host: str = "127.0.0.1",
        port: int = 7878,
        *,
        room: Optional[str] = None,
        bots: Optional[int] = None,
        token: Optional[str] = None,
        connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
        read_timeout_s: Optional[float] = None,
        line_bytes_max: int = LINE_BYTES_MAX_DEFAULT,
    ) -> None:
        """Runs one match and returns when it ends normally. Blocks.

        ``room`` (default ``$BITBROKER_ROOM``, else the broker's default room) and ``bots``
        (how many bots this game's matches need, 1..255; default: the room's line-up size) and
        ``token`` (the access token, default ``$BITBROKER_TOKEN``) go in the Hello; the
        original broker ignores them. Raises ConnectFailedError if the broker
        cannot be reached within ``connect_timeout_s`` (retrying meanwhile); MatchAbortedError
        when the broker ends the match abnormally (a bot disconnected, missed its deadline, …),
        RefusedError or BrokerShutdownError (``.reason_code``, ``.reason``); ConnectionLostError,
        ProtocolError, ReadTimeoutError (only with a ``read_timeout_s``); and lets any exception
        raised by the game's own methods pass through after closing the connection.
        """
        session = GameSession(resolve_room(room), bots_of(bots), resolve_token(token))
        with Connection.open(host, port, connect_timeout_s=connect_timeout_s,
                             read_timeout_s=read_timeout_s, line_bytes_max=line_bytes_max) as connection:
            play_game(self, session, connection)


def bots_of(bots: Optional[int]) -> int:
    """The Hello's ``bots`` for a game's ``bots`` option: 0 (the room's size) when not given."""
    if bots is None:
        return 0
    if isinstance(bots, bool) or not isinstance(bots, int) or not 1 <= bots <= 0xFF:
        raise ValueError(f"bots must be an int in 1..255, got {bots!r}")
    return bots


def play_game(game: BaseGame, session: GameSession, connection: Connection) -> None:
    """Drives one game session over an open connection until its end."""

    def act(event: GameEvent) -> Optional[Message]:
        if isinstance(event, MatchStarted):
            game.initialise(list(event.bots))
        elif isinstance(event, ActionRequested):
            return session.act(game.next_action())
        elif isinstance(event, ResponseReceived):
            game.deliver_response(event.response)
        return None

    play_session(session, connection, act)
