"""BitBroker Python SDK: write bots (BaseBot) and games (BaseGame) for the BitBroker v1 broker.

See docs/PROTOCOL.md in the repository for the wire protocol this package speaks. The SDK logs
through ``logging.getLogger("bitbroker")``.
"""
from __future__ import annotations

from ._version import __version__
from .bot import BaseBot
from .errors import (
    BitBrokerError,
    BrokerEndedError,
    BrokerShutdownError,
    BrokerTimeoutError,
    BrokerUnavailableError,
    ConnectFailedError,
    ConnectionLostError,
    MatchAbortedError,
    ProtocolError,
    ReadTimeoutError,
    RefusedError,
)
from .game import BaseGame
from .message import LineDecoder, Message, decode_line, encode_line
from .types import Action, BotInfo, MatchResult, SeatResult, Welcome
from .typed import ProtoBot, ProtoGame

__all__ = [
    "Action",
    "BaseBot",
    "BaseGame",
    "BitBrokerError",
    "BotInfo",
    "BrokerEndedError",
    "BrokerShutdownError",
    "BrokerTimeoutError",
    "BrokerUnavailableError",
    "ConnectFailedError",
    "ConnectionLostError",
    "LineDecoder",
    "MatchAbortedError",
    "MatchResult",
    "Message",
    "ProtoBot",
    "ProtoGame",
    "ProtocolError",
    "ReadTimeoutError",
    "RefusedError",
    "SeatResult",
    "Welcome",
    "__version__",
    "decode_line",
    "encode_line",
]
