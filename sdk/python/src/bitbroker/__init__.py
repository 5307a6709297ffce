"""BitBroker Python SDK: write bots (BaseBot) and games (BaseGame) for the BitBroker v1 broker.

See docs/PROTOCOL.md in the repository for the wire protocol this package speaks. The SDK logs
through ``logging.getLogger("bitbroker")``.
"""
from __future__ import annotations

from ._version import __version__
from .bot import BaseBot
from .clock import MoveClock
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
from .types import (Action, BotInfo, MatchResult, MoveMissed, MoveTiming, SeatResult, TimeRules, TurnTiming,
                    Welcome)
from .tls import TlsOptions
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
    "MoveClock",
    "MoveMissed",
    "MoveTiming",
    "ProtoBot",
    "ProtoGame",
    "ProtocolError",
    "ReadTimeoutError",
    "RefusedError",
    "SeatResult",
    "TimeRules",
    "TlsOptions",
    "TurnTiming",
    "Welcome",
    "__version__",
    "decode_line",
    "encode_line",
]
