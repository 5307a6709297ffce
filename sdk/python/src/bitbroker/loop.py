"""The session loop of the blocking API, and the log lines both loops (blocking and asyncio) write:
opening lines, then each message to the pure session and each event to the user's code.

All protocol decisions live in session.py; this file only says what is happening through
``logging.getLogger("bitbroker")``.
"""
from __future__ import annotations

import logging
from typing import Callable, Optional, Tuple, TypeVar

from .connection import Connection
from .message import Message
from .session import (MatchEnded, MatchStarted, MoveMissedReceived, ResultReceived, Session, WelcomeReceived,
                      YourMove)
from .tls import ResolvedTls

EventT = TypeVar("EventT")
log = logging.getLogger("bitbroker")


class SessionLog:
    """The log lines of one session, shared by the blocking and the asyncio loops: connected,
    Welcome, match start and end at info; each message at debug only (the per-turn path)."""

    def __init__(self, session: Session[object], address: Tuple[str, int],
                 tls: Optional[ResolvedTls] = None) -> None:
        self._session = session
        self._address = address
        self._tls = tls
        self._moved = False

    def connected(self) -> None:
        room = self._session.room
        over = f" over TLS, its certificate verified against {self._tls.trusting}" if self._tls else ""
        log.info("connected to the broker at %s:%s%s as %s (room %s); waiting for a match",
                 self._address[0], self._address[1], over, self._session.who,
                 repr(room) if room else "default")

    def received(self, message: Message, event: object, frames: bool = False) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s received %02x %02x (%d bytes)", self._session.who, message.opcode,
                      message.operand, len(message.body))
        if isinstance(event, WelcomeReceived):
            w = event.welcome
            log.info("welcome from the broker %s: room %r, queue position %d, %d bots per match",
                     w.broker_version or "(no version)", w.room, w.queue_position, w.bots)
            if frames:
                log.info("the broker granted v2 frames: binary frames from now on")
        elif isinstance(event, MatchStarted):
            names = ", ".join(f"{b.index} {b.name!r}" for b in event.bots)
            log.info("match started with %d bots: %s", len(event.bots), names)
        elif isinstance(event, YourMove) and not self._moved:
            self._moved = True
            log.info("match started: %s got its first state", self._session.who)
        elif isinstance(event, MoveMissedReceived):
            log.info("bot %d missed its move (deadline %d ms): the turn is skipped",
                     event.missed.bot, event.missed.deadline_ms)
        elif isinstance(event, ResultReceived):
            log.info("match result for %s: %s", self._session.who, event.result.summary or "(no summary)")
        elif isinstance(event, MatchEnded):
            log.info("match over for %s: it ended normally", self._session.who)


def play_session(session: Session[EventT], connection: Connection,
                 handle: Callable[[EventT], Optional[Message]]) -> None:
    """Sends the session's opening lines, then hands each event to ``handle`` and sends the line
    it returns, if any, until the normal end; the session raises for any other end."""
    session_log = SessionLog(session, connection.address, connection.tls)
    for line in session.start():
        connection.send(line)
    session_log.connected()
    while True:
        message = connection.receive()
        event = session.receive(message)
        session_log.received(message, event, connection.frames)
        if isinstance(event, MatchEnded):
            return
        reply = handle(event)
        if reply is not None:
            connection.send(reply)
