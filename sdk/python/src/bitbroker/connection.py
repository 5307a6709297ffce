"""The thin blocking socket loop: connect with retry, send lines, receive messages.

All protocol decisions live in message.py and session.py; this file only moves bytes.
"""
from __future__ import annotations

import socket
import time
from collections import deque
from typing import Deque, Iterator, Optional

from .errors import BrokerTimeoutError, BrokerUnavailableError, ConnectionLostError
from .message import LINE_BYTES_MAX_DEFAULT, LineDecoder, Message, encode_line

CONNECT_TIMEOUT_S_DEFAULT = 10.0
RECV_BYTES = 65536


def retry_delays_s(first_s: float = 0.05, max_s: float = 1.0) -> Iterator[float]:
    """Back-off between connect attempts: 0.05 s doubling up to 1 s."""
    delay = first_s
    while True:
        yield delay
        delay = min(delay * 2, max_s)


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
        deadline = time.monotonic() + connect_timeout_s
        last_error: Optional[OSError] = None
        for delay_s in retry_delays_s():
            remaining_s = deadline - time.monotonic()
            if remaining_s <= 0:
                break
            try:
                sock = socket.create_connection((host, port), timeout=remaining_s)
            except OSError as error:
                last_error = error
                # Back-off between attempts, not synchronisation: the broker may start later.
                time.sleep(max(0.0, min(delay_s, deadline - time.monotonic())))
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(read_timeout_s)
            return cls(sock, line_bytes_max)
        raise BrokerUnavailableError(
            f"cannot connect to the broker at {host}:{port} within {connect_timeout_s} s ({last_error})"
        )

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
