"""The thin blocking socket loop: connect with retry, send lines, receive messages, drive a session.

All protocol decisions live in message.py and session.py; this file only moves bytes.
"""
from __future__ import annotations

import socket
import time
from collections import deque
from typing import Callable, Deque, Iterator, Optional, TypeVar

from .errors import BrokerTimeoutError, BrokerUnavailableError, ConnectionLostError
from .message import LINE_BYTES_MAX_DEFAULT, LineDecoder, Message, encode_line
from .session import Session, match_over

EventT = TypeVar("EventT")

CONNECT_TIMEOUT_S_DEFAULT = 10.0
RECV_BYTES = 65536


def retry_delays_s(first_s: float = 0.05, max_s: float = 1.0) -> Iterator[float]:
    """Back-off between connect attempts: 0.05 s doubling up to 1 s."""
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

    def attempt_s(self) -> float:
        """How long the next attempt may take; raises BrokerUnavailableError once time is up."""
        remaining_s = self._deadline_s - self._now_s()
        if remaining_s <= 0:
            raise BrokerUnavailableError(
                f"cannot connect to the broker at {self._host}:{self._port} within "
                f"{self._connect_timeout_s} s ({self._last_error})"
            )
        return remaining_s

    def failed(self, error: BaseException) -> float:
        """Records a failed attempt; returns how long to wait before the next one."""
        self._last_error = error
        return max(0.0, min(next(self._delays_s), self._deadline_s - self._now_s()))


class Connection:
    """One TCP connection to the broker, speaking v1 lines."""

    def __init__(self, sock: socket.socket, line_bytes_max: int = LINE_BYTES_MAX_DEFAULT) -> None:
        self._sock = sock
        self._decoder = LineDecoder(line_bytes_max)
        self._inbox: Deque[Message] = deque()
        self._send_error: Optional[OSError] = None

    @classmethod
    def open(
        cls,
        host: str,
        port: int,
        *,
        connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
        read_timeout_s: Optional[float] = None,
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
            return cls(sock, line_bytes_max)

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
        """The next message; raises ProtocolError, ConnectionLostError or BrokerTimeoutError."""
        while not self._inbox:
            try:
                chunk = self._sock.recv(RECV_BYTES)
            except socket.timeout:
                raise BrokerTimeoutError("no message from the broker within the read timeout") from None
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


def play_session(session: Session[EventT], connection: Connection,
                 handle: Callable[[EventT], Optional[Message]]) -> None:
    """Sends the session's opening lines, then hands each event to ``handle`` and sends the line
    it returns, if any, until ``00 FF``; raises MatchAbortedError if the broker aborted the match."""
    for line in session.start():
        connection.send(line)
    while True:
        event = session.receive(connection.receive())
        if match_over(event):
            return
        reply = handle(event)
        if reply is not None:
            connection.send(reply)
