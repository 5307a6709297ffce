"""The SDK's exceptions: one base class and one subclass per kind of failure (docs/PROTOCOL.md §10).

Every exception carries a stable ``code``; match on the class or the code, never on the text.
Pure: the reason-code table below is data, shared with test/vectors/session.json by a test.
"""
from __future__ import annotations

import re
from typing import Dict, Type


class BitBrokerError(Exception):
    """Base class of every error raised by the SDK itself (user code's errors pass through)."""

    code: str = "bitbroker_error"


class ConnectFailedError(BitBrokerError):
    """The first connect kept failing until the connect timeout ran out."""

    code = "connect_failed"


class ConnectionLostError(BitBrokerError):
    """The broker closed the connection (or it broke) before the match ended with ``00 FF``."""

    code = "connection_lost"


class ReadTimeoutError(BitBrokerError):
    """No message arrived from the broker within the read timeout the caller set."""

    code = "read_timeout"


class ProtocolError(BitBrokerError):
    """The broker sent something the session does not allow (docs/PROTOCOL.md §2, §3, §10).

    ``code`` is one of ``bad_base64``, ``short_envelope``, ``unknown_opcode``,
    ``line_too_long``, ``bad_protobuf`` or ``unexpected_message``.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class BrokerEndedError(BitBrokerError):
    """The broker ended this client's session with ``00 FF`` and a reason, or with an empty
    ``00 FF`` the game did not ask for (§10). Subclasses say which kind, by the reason's code.

    ``reason`` is the whole reason text as sent (``""`` for an empty ``00 FF``);
    ``reason_code`` its code (``bot_disconnected`` in ``"bot_disconnected: bot 1 (B) …"``),
    ``""`` when the reason has none.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.reason_code = reason_code_of(reason)
        super().__init__(self._describe(reason))

    def _describe(self, reason: str) -> str:
        return f"the broker ended the session: {reason}"


class MatchAbortedError(BrokerEndedError):
    """The broker ended the match abnormally: a bot or the game left, misbehaved or missed a
    deadline, or a code this SDK does not know (§6.1)."""

    code = "match_aborted"

    def _describe(self, reason: str) -> str:
        if not reason:
            return "match aborted by the broker before the game ended it (no reason given)"
        return f"match aborted by the broker: {reason}"


class RefusedError(BrokerEndedError):
    """The broker turned this client away before a match (lobby full, bad handshake, …)."""

    code = "refused"

    def _describe(self, reason: str) -> str:
        return f"refused by the broker: {reason}"


class BrokerShutdownError(BrokerEndedError):
    """The broker is shutting down, or has played all the matches it was started for."""

    code = "broker_shutdown"

    def _describe(self, reason: str) -> str:
        return f"the broker is shutting down: {reason}"


# Names of the first release, kept importable.
BrokerUnavailableError = ConnectFailedError
BrokerTimeoutError = ReadTimeoutError

# PROTOCOL.md §6.1: each reason code and the error it is reported as. Unknown codes and reasons
# without a code are MatchAbortedError.
REASON_ERRORS: Dict[str, Type[BrokerEndedError]] = {
    "bot_disconnected": MatchAbortedError,
    "game_disconnected": MatchAbortedError,
    "move_timeout": MatchAbortedError,
    "bot_misbehaved": MatchAbortedError,
    "game_misbehaved": MatchAbortedError,
    "slow_consumer": MatchAbortedError,
    "hello_timeout": RefusedError,
    "bad_handshake": RefusedError,
    "protocol_error": RefusedError,
    "unexpected_message": RefusedError,
    "lobby_full": RefusedError,
    "queue_full": RefusedError,
    "bad_hello": RefusedError,
    "unknown_room": RefusedError,
    "unauthorized": RefusedError,
    "limit_exceeded": RefusedError,
    "broker_shutdown": BrokerShutdownError,
    "broker_finished": BrokerShutdownError,
}

_REASON_CODE = re.compile(r"([a-z_]+): ")


def reason_code_of(reason: str) -> str:
    """The code at the start of a reason (``code: text``, §6.1), or ``""`` if it has none."""
    found = _REASON_CODE.match(reason)
    return found.group(1) if found else ""


def error_for_reason(reason: str) -> BrokerEndedError:
    """The error for ``00 FF`` with this reason, of the kind its code says (§6.1, §10)."""
    return REASON_ERRORS.get(reason_code_of(reason), MatchAbortedError)(reason)

