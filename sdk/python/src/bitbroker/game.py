"""BaseGame: subclass it, write ``initialise``, ``next_action`` and ``deliver_response``, call ``run``.

The protocol itself is in session.py; this file only wires it to a socket and to user code.
"""
from __future__ import annotations

import abc
from typing import List, Optional

from .connection import CONNECT_TIMEOUT_S_DEFAULT, Connection, play_session
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
        connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
        read_timeout_s: Optional[float] = None,
        line_bytes_max: int = LINE_BYTES_MAX_DEFAULT,
    ) -> None:
        """Runs one match and returns when it ends normally. Blocks.

        Raises BrokerUnavailableError if the broker cannot be reached within
        ``connect_timeout_s`` (retrying meanwhile), MatchAbortedError if the broker ends the
        match abnormally (a bot disconnected, missed its deadline, …), ConnectionLostError,
        ProtocolError, BrokerTimeoutError (only with a ``read_timeout_s``), and lets any
        exception raised by the game's own methods pass through after closing the connection.
        """
        with Connection.open(host, port, connect_timeout_s=connect_timeout_s,
                             read_timeout_s=read_timeout_s, line_bytes_max=line_bytes_max) as connection:
            play_game(self, GameSession(), connection)


def play_game(game: BaseGame, session: GameSession, connection: Connection) -> None:
    """Drives one game session over an open connection until the first ``00 FF``."""

    def act(event: GameEvent) -> Optional[Message]:
        if isinstance(event, MatchStarted):
            game.initialise(list(event.bots))
        elif isinstance(event, ActionRequested):
            return session.act(game.next_action())
        elif isinstance(event, ResponseReceived):
            game.deliver_response(event.response)
        return None

    play_session(session, connection, act)
