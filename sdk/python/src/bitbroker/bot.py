"""BaseBot: subclass it, write ``decide_move``, call ``run``. The blocking loop of a bot.

The protocol itself is in session.py; this file only wires it to a socket and to user code.
"""
from __future__ import annotations

import abc
import inspect
import time
from typing import Any, Callable, Optional, cast

from .clock import MoveClock
from .connection import (CONNECT_TIMEOUT_S_DEFAULT, Connection, resolve_address, resolve_room, resolve_seat,
                         resolve_token)
from .loop import play_session
from .message import LINE_BYTES_MAX_DEFAULT, Message
from .tls import TlsOption, resolve_tls
from .session import BotEvent, BotSession, ResultReceived, TimingReceived, YourMove, features
from .types import MatchResult, Payload, to_bytes


class BaseBot(abc.ABC):
    """A bot: the broker sends it states, it answers each with a move.

    Set ``NAME`` (class or instance attribute; the class name if left empty) and implement
    :meth:`decide_move`. Bots never learn their index (docs/PROTOCOL.md §4).
    """

    NAME: str = ""

    clock: Optional[MoveClock] = None
    """With ``run(timing=True)``: the time for the state :meth:`decide_move` is deciding on, set
    just before each call (None when the broker sent none). Left alone without ``timing``."""

    @property
    def name(self) -> str:
        """The name sent to the broker."""
        return self.NAME or type(self).__name__

    @abc.abstractmethod
    def decide_move(self, state: bytes) -> Payload:
        """Returns the reply to ``state``: bytes, or a protobuf message (serialized for you).

        It may take a second parameter, ``decide_move(self, state, clock=None)``: the
        :class:`MoveClock` of that state (with ``timing=True``; else None), as ``self.clock``."""

    def match_result(self, result: MatchResult) -> None:
        """Called once, before the match ends normally, with the result the game reported (per
        bot a score and/or a rank). Not called when the game reports none, or by a broker that
        does not send results. The default does nothing."""

    def run(
        self,
        host: Optional[str] = None,
        port: Optional[int] = None,
        *,
        room: Optional[str] = None,
        token: Optional[str] = None,
        seat: Optional[int] = None,
        timing: bool = False,
        frames: bool = True,
        tls: TlsOption = None,
        connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
        read_timeout_s: Optional[float] = None,
        line_bytes_max: int = LINE_BYTES_MAX_DEFAULT,
    ) -> None:
        """Plays one match and returns when it ends normally. Blocks.

        ``host`` and ``port`` default to ``$BITBROKER_HOST`` and ``$BITBROKER_PORT``, else
        127.0.0.1:7878 (ValueError for a variable that is not a port). ``room`` (default
        ``$BITBROKER_ROOM``, else the broker's default room), ``token`` (the access token,
        default ``$BITBROKER_TOKEN``) and ``seat`` (a seat ticket 0..254, default
        ``$BITBROKER_SEAT``, else seated by arrival) go in the Hello; the original broker
        ignores them. ``timing`` asks for the bot's time with each state (``self.clock``);
        ``frames`` (default on) asks for v2 binary frames, used when the broker grants them.
        ``tls`` connects with TLS, always verifying the broker's certificate: True (the system's
        CAs), TlsOptions(ca=PEM file or text, server_name=…) or a dict of those; default from
        ``$BITBROKER_TLS``, ``$BITBROKER_TLS_CA``, ``$BITBROKER_TLS_SERVER_NAME``, else plain TCP.
        Raises ConnectFailedError if the broker cannot
        be reached within ``connect_timeout_s`` (retrying meanwhile); MatchAbortedError,
        RefusedError or BrokerShutdownError when the broker ends the session (``.reason_code``,
        ``.reason``); ConnectionLostError, ProtocolError, ReadTimeoutError (only with a
        ``read_timeout_s``; a bot may wait long for its match); and lets any exception raised
        by ``decide_move`` pass through unchanged after closing the connection.
        """
        address = resolve_address(host, port)
        secure = resolve_tls(tls, *address)
        session = BotSession(self.name, resolve_room(room), resolve_token(token), resolve_seat(seat),
                             features(timing, frames))
        with Connection.open(*address, connect_timeout_s=connect_timeout_s, read_timeout_s=read_timeout_s,
                             line_bytes_max=line_bytes_max, frames=frames, tls=secure) as connection:
            play_bot(self, session, connection, timing)


def takes_clock(decide: Callable[..., Any]) -> bool:
    """True when a bot's ``decide_move`` takes a second positional parameter (the clock)."""
    try:
        params = list(inspect.signature(decide).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


class ClockKeeper:
    """The clock of the state a bot decides on, shared by the blocking and asyncio loops: taken
    from the ``00 30`` before the state, handed over once, then forgotten."""

    def __init__(self, decide: Callable[..., Any], timing: bool) -> None:
        self.passes_clock = takes_clock(decide)
        self.timing = timing
        self._next: Optional[MoveClock] = None

    def noted(self, event: TimingReceived) -> None:
        self._next = MoveClock(event.timing, time.monotonic())

    def take(self, bot: Any) -> Optional[MoveClock]:
        """The clock of the state now being decided on (None if none came); sets ``bot.clock``
        when the bot asked for timing."""
        clock, self._next = self._next, None
        if self.timing:
            bot.clock = clock
        return clock


def play_bot(bot: BaseBot, session: BotSession, connection: Connection, timing: bool = False) -> None:
    """Drives one bot session over an open connection until its end."""
    clocks = ClockKeeper(bot.decide_move, timing)

    def answer(event: BotEvent) -> Optional[Message]:
        if isinstance(event, YourMove):
            clock = clocks.take(bot)
            if clocks.passes_clock:
                move = cast(Callable[[bytes, Optional[MoveClock]], Payload], bot.decide_move)(event.state, clock)
            else:
                move = bot.decide_move(event.state)
            return session.reply(to_bytes(move))
        if isinstance(event, TimingReceived):
            clocks.noted(event)
        elif isinstance(event, ResultReceived):
            bot.match_result(event.result)
        return None

    play_session(session, connection, answer)
