"""BitBroker Python SDK: write bots (BaseBot) and games (BaseGame) for the BitBroker v1 broker.

See docs/PROTOCOL.md in the repository for the wire protocol this package speaks.
"""
from __future__ import annotations

from .bot import BaseBot
from .errors import (
    BitBrokerError,
    BrokerTimeoutError,
    BrokerUnavailableError,
    ConnectionLostError,
    MatchAbortedError,
    ProtocolError,
)
from .game import BaseGame
from .message import LineDecoder, Message, decode_line, encode_line
from .types import Action, BotInfo
from .typed import ProtoBot, ProtoGame

__version__ = "0.1.0"

__all__ = [
    "Action",
    "BaseBot",
    "BaseGame",
    "BitBrokerError",
    "BotInfo",
    "BrokerTimeoutError",
    "BrokerUnavailableError",
    "ConnectionLostError",
    "LineDecoder",
    "MatchAbortedError",
    "Message",
    "ProtoBot",
    "ProtoGame",
    "ProtocolError",
    "__version__",
    "decode_line",
    "encode_line",
]
