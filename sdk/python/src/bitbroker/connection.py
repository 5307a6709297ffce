"""The thin blocking socket loop: connect with retry, send lines, receive messages, drive a session.

All protocol decisions live in message.py and session.py; this file only moves bytes and says
what is happening through ``logging.getLogger("bitbroker")``.
"""
from __future__ import annotations

import logging
import os
import socket
import ssl
import time
from collections import deque
from typing import Callable, Deque, Iterator, Mapping, Optional, Sequence, Tuple

from .errors import ConnectFailedError, ConnectionLostError, ReadTimeoutError
from .frames import Wire
from .tls import ResolvedTls, tls_failed
from .message import LINE_BYTES_MAX_DEFAULT, Message

# Defaults shared by the three SDKs (docs/PROTOCOL.md §10; test/vectors/session.json "defaults").
CONNECT_TIMEOUT_S_DEFAULT = 10.0
RETRY_FIRST_DELAY_S = 0.05
RETRY_MAX_DELAY_S = 1.0
READ_TIMEOUT_S_DEFAULT: Optional[float] = None
HOST_DEFAULT = "127.0.0.1"
PORT_DEFAULT = 7878
HOST_ENV = "BITBROKER_HOST"
PORT_ENV = "BITBROKER_PORT"
ROOM_ENV = "BITBROKER_ROOM"
TOKEN_ENV = "BITBROKER_TOKEN"
SEAT_ENV = "BITBROKER_SEAT"
RECV_BYTES = 65536
# A frame's known remainder is read in one call up to this size (fewer calls for large states).
RECV_BYTES_MAX = 4 * 1024 * 1024
# The least time one attempt (its TLS handshake included) gets, even near the connect deadline.
ATTEMPT_MIN_S = 1.0

log = logging.getLogger("bitbroker")


def resolve_address(host: Optional[str], port: Optional[int],
                    environ: Mapping[str, str] = os.environ) -> Tuple[str, int]:
    """Where the broker is: ``host``/``port`` if given, else ``$BITBROKER_HOST`` /
    ``$BITBROKER_PORT``, else 127.0.0.1:7878. Raises ValueError for a variable that is not a port."""
    if port is None:
        text = environ.get(PORT_ENV, "").strip()
        if text and not (text.isascii() and text.isdigit() and len(text) <= 5):
            raise ValueError(f'{PORT_ENV} must be a TCP port; got "{text}"')
        port = int(text) if text else PORT_DEFAULT
    return (host if host is not None else environ.get(HOST_ENV, HOST_DEFAULT)), port


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
    if not (text.isascii() and text.isdigit()) or len(text) > 3 or int(text) > 254:
        raise ValueError(f'{SEAT_ENV} must be a seat index (0-254); got "{text}"')
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


def handshake(sock: socket.socket, host: str, port: int, tls: ResolvedTls, limit_s: float) -> socket.socket:
    """The TLS handshake over a connected socket, within ``limit_s``: the broker's certificate
    and name verified; any failure closes the socket and is ConnectFailedError, not retried."""
    sock.settimeout(limit_s)
    try:
        return tls.context().wrap_socket(sock, server_hostname=tls.server_name or host)
    except (OSError, ssl.SSLError) as error:
        sock.close()
        raise tls_failed(host, port, tls, error) from None


def check_port(host: str, port: int) -> None:
    """Raises ConnectFailedError at once (no retry) for a port that is not a TCP port."""
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConnectFailedError(f"cannot connect to the broker at {host}:{port}: not a TCP port")


def send_all(sock: socket.socket, parts: Sequence[bytes]) -> None:
    """Writes ``parts`` in turn, whole: one ``sendmsg`` for them all where the system has it."""
    if len(parts) == 1 or isinstance(sock, ssl.SSLSocket) or not hasattr(sock, "sendmsg"):
        for part in parts:
            sock.sendall(part)
        return
    views = [memoryview(part) for part in parts if part]
    while views:
        sent = sock.sendmsg(views)
        while views and sent >= len(views[0]):
            sent -= len(views.pop(0))
        if views and sent:
            views[0] = views[0][sent:]


class Connection:
    """One TCP connection to the broker: v1 lines, then v2 frames once a Welcome grants them
    (when ``frames``, docs/PROTOCOL.md §11)."""

    def __init__(self, sock: socket.socket, line_bytes_max: int = LINE_BYTES_MAX_DEFAULT,
                 address: Tuple[str, int] = ("", 0), frames: bool = True,
                 tls: Optional[ResolvedTls] = None) -> None:
        self._sock = sock
        self.tls = tls
        self._wire = Wire(line_bytes_max, frames)
        self._inbox: Deque[Message] = deque()
        self._send_error: Optional[OSError] = None
        self.address = address

    @property
    def frames(self) -> bool:
        """True once this connection speaks v2 frames."""
        return self._wire.frames

    @classmethod
    def open(
        cls,
        host: str,
        port: int,
        *,
        connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
        read_timeout_s: Optional[float] = READ_TIMEOUT_S_DEFAULT,
        line_bytes_max: int = LINE_BYTES_MAX_DEFAULT,
        frames: bool = True,
        tls: Optional[ResolvedTls] = None,
    ) -> "Connection":
        """Connects, retrying refused or failed attempts until ``connect_timeout_s`` has passed;
        with ``tls``, a handshake that fails once TCP is up fails at once (ConnectFailedError)."""
        check_port(host, port)
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
            if tls is not None:
                sock = handshake(sock, host, port, tls, max(attempt_s, ATTEMPT_MIN_S))
            sock.settimeout(read_timeout_s)
            return cls(sock, line_bytes_max, (host, port), frames, tls)

    def send(self, message: Message) -> None:
        """Sends one message (a line, or a frame). A failure is kept, not raised: the broker may
        already have sent ``00 FF`` with its reason, which the next :meth:`receive` still reads."""
        if self._send_error is not None:
            return
        try:
            send_all(self._sock, self._wire.encode_parts(message))
        except OSError as error:
            self._send_error = error

    def receive(self) -> Message:
        """The next message; raises ProtocolError, ConnectionLostError or ReadTimeoutError."""
        while not self._inbox:
            try:
                chunk = self._sock.recv(min(max(RECV_BYTES, self._wire.bytes_wanted()), RECV_BYTES_MAX))
            except socket.timeout:
                raise ReadTimeoutError("no message from the broker within the read timeout") from None
            except OSError as error:
                raise ConnectionLostError(f"connection to the broker broke: {error}") from None
            if not chunk:
                detail = f" (a send had failed: {self._send_error})" if self._send_error else ""
                raise ConnectionLostError("the broker closed the connection before the match ended" + detail)
            self._inbox.extend(self._wire.push(chunk))
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
