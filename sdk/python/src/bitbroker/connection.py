"""The thin blocking socket loop: connect with retry, send lines, receive messages, drive a session.

All protocol decisions live in message.py and session.py; this file only moves bytes and says
what is happening through ``logging.getLogger("bitbroker")``.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections import deque
from typing import Callable, Deque, Iterator, Mapping, Optional, Tuple, TypeVar

from .errors import ConnectFailedError, ConnectionLostError, ReadTimeoutError
from .message import LINE_BYTES_MAX_DEFAULT, LineDecoder, Message, encode_line
from .session import (MatchEnded, MatchStarted, MoveMissedReceived, ResultReceived, Session, WelcomeReceived,
                      YourMove)

EventT = TypeVar("EventT")

# Defaults shared by the three SDKs (docs/PROTOCOL.md §10; test/vectors/session.json "defaults").
CONNECT_TIMEOUT_S_DEFAULT = 10.0
RETRY_FIRST_DELAY_S = 0.05
RETRY_MAX_DELAY_S = 1.0
READ_TIMEOUT_S_DEFAULT: Optional[float] = None
ROOM_ENV = "BITBROKER_ROOM"
TOKEN_ENV = "BITBROKER_TOKEN"
SEAT_ENV = "BITBROKER_SEAT"
RECV_BYTES = 65536

log = logging.getLogger("bitbroker")


def resolve_room(room: Optional[str], environ: Mapping[str, str] = os.environ) -> str:
    """The room to ask for: ``room`` if given, else ``$BITBROKER_ROOM``, else ``""`` (the default room)."""
    return room if room is not None else environ.get(ROOM_ENV, "")


def resolve_token(token: Optional[str], environ: Mapping[str, str] = os.environ) -> str:
    """The access token to present (§9.6): ``token`` if given, else ``$BITBROKER_TOKEN``, else none."""
    return token if token is not None else environ.get(TOKEN_ENV, "")


def resolve_seat(seat: Optional[int], environ: Mapping[str, str] = os.environ) -> Optional[int]:
    """A bot's seat ticket (§9.7): ``seat`` if given, else ``$BITBROKER_SEAT``, else None (by
    arrival). Raises ValueError for a variable that is not a seat index."""
    if seat is not None:
        return seat
    text = environ.get(SEAT_ENV, "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 3 or int(text) > 254:
        raise ValueError(f"{SEAT_ENV} must be a seat index (0-254); got {text!r}")
    return int(text)


def retry_delays_s(first_s: float = RETRY_FIRST_DELAY_S, max_s: float = RETRY_MAX_DELAY_S) -> Iterator[float]:
    """Back-off between connect attempts: 50 ms doubling up to 1 s."""
    delay = first_s
    while True:
        yield delay
        delay = min(delay * 2, max_s)


class ConnectRetry:
    """The connect schedule of both socket loops (blocking and asyncio): how long each attempt
    may take and how long to back off after a failure. The clock comes in as an argument."""

    def __init__(self, host: str, port: int, connect_timeout_s: float, now_s: Callable[[], float]) -> None:
        self._host, self._port, self._connect_timeout_s = host, port, connect_timeout_s
        self._now_s = now_s
        self._deadline_s = now_s() + connect_timeout_s
        self._delays_s = retry_delays_s()
        self._last_error: Optional[BaseException] = None
        self.attempts = 0

    def attempt_s(self) -> float:
        """How long the next attempt may take (the time left); raises ConnectFailedError once
        time is up."""
        remaining_s = self._deadline_s - self._now_s()
        if remaining_s <= 0:
            raise ConnectFailedError(
                f"cannot connect to the broker at {self._host}:{self._port}: gave up after "
                f"{self.attempts} attempt(s) in {self._connect_timeout_s:g} s ({self._last_error})"
            )
        self.attempts += 1
        return remaining_s

    def failed(self, error: BaseException) -> float:
        """Records a failed attempt and logs it; returns how long to wait before the next one."""
        self._last_error = error
        delay_s = max(0.0, min(next(self._delays_s), self._deadline_s - self._now_s()))
        if delay_s > 0:  # else time is up: the error says so
            log.info("broker at %s:%s not reachable yet (attempt %d): %s, retrying in %d ms",
                     self._host, self._port, self.attempts, error or type(error).__name__,
                     round(delay_s * 1000))
        return delay_s


class Connection:
    """One TCP connection to the broker, speaking v1 lines."""

    def __init__(self, sock: socket.socket, line_bytes_max: int = LINE_BYTES_MAX_DEFAULT,
                 address: Tuple[str, int] = ("", 0)) -> None:
        self._sock = sock
        self._decoder = LineDecoder(line_bytes_max)
        self._inbox: Deque[Message] = deque()
        self._send_error: Optional[OSError] = None
        self.address = address

    @classmethod
    def open(
        cls,
        host: str,
        port: int,
        *,
        connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
        read_timeout_s: Optional[float] = READ_TIMEOUT_S_DEFAULT,
        line_bytes_max: int = LINE_BYTES_MAX_DEFAULT,
    ) -> "Connection":
        """Connects, retrying refused or failed attempts until ``connect_timeout_s`` has passed."""
        retry = ConnectRetry(host, port, connect_timeout_s, time.monotonic)
        while True:
            attempt_s = retry.attempt_s()
            try:
                sock = socket.create_connection((host, port), timeout=attempt_s)
            except OSError as error:
                # Back-off between attempts, not synchronisation: the broker may start later.
                time.sleep(retry.failed(error))
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(read_timeout_s)
            return cls(sock, line_bytes_max, (host, port))

    def send(self, message: Message) -> None:
        """Sends one line. A failure is kept, not raised: the broker may already have sent
        ``00 FF`` with its reason, which the next :meth:`receive` still reads."""
        if self._send_error is not None:
            return
        try:
            self._sock.sendall(encode_line(message))
        except OSError as error:
            self._send_error = error

    def receive(self) -> Message:
        """The next message; raises ProtocolError, ConnectionLostError or ReadTimeoutError."""
        while not self._inbox:
            try:
                chunk = self._sock.recv(RECV_BYTES)
            except socket.timeout:
                raise ReadTimeoutError("no message from the broker within the read timeout") from None
            except OSError as error:
                raise ConnectionLostError(f"connection to the broker broke: {error}") from None
            if not chunk:
                detail = f" (a send had failed: {self._send_error})" if self._send_error else ""
                raise ConnectionLostError("the broker closed the connection before the match ended" + detail)
            self._inbox.extend(self._decoder.push(chunk))
        return self._inbox.popleft()

    def close(self) -> None:
        """Closes the socket; safe to call twice."""
        try:
            self._sock.close()
        except OSError:
            pass

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SessionLog:
    """The log lines of one session, shared by the blocking and the asyncio loops: connected,
    Welcome, match start and end at info; each message at debug only (the per-turn path)."""

    def __init__(self, session: Session[object], address: Tuple[str, int]) -> None:
        self._session = session
        self._address = address
        self._moved = False

    def connected(self) -> None:
        room = self._session.room
        log.info("connected to the broker at %s:%s as %s (room %s); waiting for a match",
                 self._address[0], self._address[1], self._session.who,
                 repr(room) if room else "default")

    def received(self, message: Message, event: object) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s received %02x %02x (%d bytes)", self._session.who, message.opcode,
                      message.operand, len(message.body))
        if isinstance(event, WelcomeReceived):
            w = event.welcome
            log.info("welcome from the broker %s: room %r, queue position %d, %d bots per match",
                     w.broker_version or "(no version)", w.room, w.queue_position, w.bots)
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
    session_log = SessionLog(session, connection.address)
    for line in session.start():
        connection.send(line)
    session_log.connected()
    while True:
        message = connection.receive()
        event = session.receive(message)
        session_log.received(message, event)
        if isinstance(event, MatchEnded):
            return
        reply = handle(event)
        if reply is not None:
            connection.send(reply)
