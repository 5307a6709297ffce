"""BaseGame: subclass it, write ``initialise``, ``next_action`` and ``deliver_response``, call ``run``.

The protocol itself is in session.py; this file only wires it to a socket and to user code.
"""
from __future__ import annotations

import abc
from typing import Any, List, Mapping, Optional, Union

from .connection import CONNECT_TIMEOUT_S_DEFAULT, Connection, resolve_address, resolve_room, resolve_token
from .loop import play_session
from .message import LINE_BYTES_MAX_DEFAULT, Message
from .tls import TlsOption, resolve_tls
from .session import (ActionRequested, GameEvent, GameSession, MatchStarted, MoveMissedReceived, ResponseReceived,
                      features)
from .types import Action, BotInfo, MoveMissed, TimeRules, TurnTiming

# A game's ``time`` option: TimeRules, or a dict of its fields ({"move_ms": 100, "on_miss": "skip"}).
TimeOption = Union[TimeRules, Mapping[str, Any], None]


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

    def turn_timing(self, timing: TurnTiming) -> None:
        """With ``run(timing=True)``: each turn's timing (the bot asked, its think time as the
        broker measured it, its time bank left, whether it missed), before the next
        :meth:`next_action`. The default does nothing."""

    def move_missed(self, missed: MoveMissed) -> None:
        """With ``run(timing=True)``, under ``on_miss="skip"``: called in place of
        :meth:`deliver_response` when the asked bot missed its deadline; the turn is lost and the
        match goes on. The default does nothing."""

    def run(
        self,
        host: Optional[str] = None,
        port: Optional[int] = None,
        *,
        room: Optional[str] = None,
        bots: Optional[int] = None,
        token: Optional[str] = None,
        time: TimeOption = None,
        timing: bool = False,
        frames: bool = True,
        tls: TlsOption = None,
        connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
        read_timeout_s: Optional[float] = None,
        line_bytes_max: int = LINE_BYTES_MAX_DEFAULT,
    ) -> None:
        """Runs one match and returns when it ends normally. Blocks.

        ``host`` and ``port`` default to ``$BITBROKER_HOST`` and ``$BITBROKER_PORT``, else
        127.0.0.1:7878 (ValueError for a variable that is not a port). ``room`` (default
        ``$BITBROKER_ROOM``, else the broker's default room), ``bots`` (how many bots this
        game's matches need, 1..255; default: the room's line-up size), ``token`` (the access
        token, default ``$BITBROKER_TOKEN``) and ``time`` (its matches' time rules: a
        TimeRules or a dict of its fields; a declared room's win) go in the Hello; the
        original broker ignores them. ``timing`` asks for each turn's timing
        (:meth:`turn_timing`) and missed moves (:meth:`move_missed`; needed for
        ``on_miss="skip"``); ``frames`` (default on) asks for v2 binary frames; ``tls`` connects
        with TLS, verifying the broker's certificate (see BaseBot.run).
        Raises ConnectFailedError if the broker
        cannot be reached within ``connect_timeout_s`` (retrying meanwhile); MatchAbortedError
        when the broker ends the match abnormally (a bot disconnected, missed its deadline, …),
        RefusedError or BrokerShutdownError (``.reason_code``, ``.reason``); ConnectionLostError,
        ProtocolError, ReadTimeoutError (only with a ``read_timeout_s``); and lets any exception
        raised by the game's own methods pass through after closing the connection.
        """
        address = resolve_address(host, port)
        secure = resolve_tls(tls, *address)
        session = GameSession(resolve_room(room), bots_of(bots), resolve_token(token), features(timing, frames),
                              time_of(time))
        with Connection.open(*address, connect_timeout_s=connect_timeout_s, read_timeout_s=read_timeout_s,
                             line_bytes_max=line_bytes_max, frames=frames, tls=secure) as connection:
            play_game(self, session, connection)


def bots_of(bots: Optional[int]) -> int:
    """The Hello's ``bots`` for a game's ``bots`` option: 0 (the room's size) when not given."""
    if bots is None:
        return 0
    if isinstance(bots, bool) or not isinstance(bots, int) or not 1 <= bots <= 0xFF:
        raise ValueError(f"bots must be an int in 1..255, got {bots!r}")
    return bots


def time_of(time: TimeOption) -> Optional[TimeRules]:
    """The Hello's time rules for a game's ``time`` option; a dict is TimeRules' fields."""
    if time is None or isinstance(time, TimeRules):
        return time
    if isinstance(time, Mapping):
        unknown = set(time) - {"move_ms", "first_move_ms", "bank_ms", "on_miss"}
        if unknown:
            raise ValueError(f"time rules: unknown field(s) {', '.join(sorted(unknown))}")
        return TimeRules(**time)
    raise TypeError(f"time must be TimeRules or a dict, got {type(time).__name__}")


def play_game(game: BaseGame, session: GameSession, connection: Connection) -> None:
    """Drives one game session over an open connection until its end."""

    def act(event: GameEvent) -> Optional[Message]:
        if isinstance(event, MatchStarted):
            game.initialise(list(event.bots))
        elif isinstance(event, ActionRequested):
            if event.timing is not None:
                game.turn_timing(event.timing)
            return session.act(game.next_action())
        elif isinstance(event, ResponseReceived):
            game.deliver_response(event.response)
        elif isinstance(event, MoveMissedReceived):
            game.move_missed(event.missed)
        return None

    play_session(session, connection, act)
