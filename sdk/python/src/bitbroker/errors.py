"""The SDK's exceptions: one base class and one subclass per kind of failure.

Every exception carries a stable ``code``; match on the class or the code, never on the text.
"""
from __future__ import annotations

from typing import Optional


class BitBrokerError(Exception):
    """Base class of every error raised by the SDK itself (user code's errors pass through)."""

    code: str = "bitbroker_error"


class BrokerUnavailableError(BitBrokerError):
    """The broker could not be reached before the connect timeout ran out."""

    code = "broker_unavailable"


class ConnectionLostError(BitBrokerError):
    """The broker closed the connection (or it broke) before the match ended with ``00 FF``."""

    code = "connection_lost"


class BrokerTimeoutError(BitBrokerError):
    """No message arrived from the broker within the read timeout the caller set."""

    code = "broker_timeout"


class ProtocolError(BitBrokerError):
    """The broker sent something v1 does not allow (docs/PROTOCOL.md §2, §3, §7).

    ``code`` is one of ``bad_base64``, ``short_envelope``, ``unknown_opcode``,
    ``line_too_long``, ``bad_protobuf`` or ``unexpected_message``.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class MatchAbortedError(BitBrokerError):
    """The broker ended the match abnormally: ``00 FF`` with a reason (docs/PROTOCOL.md §6)."""

    code = "match_aborted"

    def __init__(self, reason: str) -> None:
        super().__init__(f"match aborted by the broker: {reason}")
        self.reason = reason


def describe(error: Optional[BaseException]) -> str:
    """A short ``Class: message`` text for logs, or ``""`` for None."""
    if error is None:
        return ""
    return f"{type(error).__name__}: {error}"
