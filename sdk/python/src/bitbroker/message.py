"""v1 envelopes and base64 line framing (docs/PROTOCOL.md §2–§4). Pure: bytes in, messages out.

Nothing here touches a socket, a clock or the console.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

from ._proto import initial_pb2
from .errors import ProtocolError
from .types import BotInfo

# Opcodes and operands of v1 (PROTOCOL.md §3).
OPCODE_MAX = 0x02
GAME_HELLO = (0x00, 0x01)
BOT_HELLO = (0x00, 0x02)
BOT_NAME = (0x00, 0x22)
WELCOME = (0x00, 0x03)
RESULT = (0x00, 0x32)
MOVE_TIMING = (0x00, 0x30)
MOVE_MISSED = (0x00, 0x31)
BATCH = (0x00, 0x11)
TRIGGER = (0x01, 0x00)
END_GAME = (0x00, 0xFE)
END = (0x00, 0xFF)
REPLY = (0x02, 0x00)
YOUR_MOVE_OPERAND = 0x05
# Longest line accepted from the broker, in bytes of base64 (PROTOCOL.md §10: 64 MiB, four times
# the broker's own default, so an operator may raise the broker's limit without touching clients).
LINE_BYTES_MAX_DEFAULT = 64 * 1024 * 1024


@dataclass(frozen=True)
class Message:
    """One envelope: ``[opcode: u8][operand: u8][body]``."""

    opcode: int
    operand: int
    body: bytes = b""

    def __post_init__(self) -> None:
        assert 0 <= self.opcode <= 0xFF and 0 <= self.operand <= 0xFF, "codes are bytes"

    @property
    def codes(self) -> Tuple[int, int]:
        """``(opcode, operand)``, to compare with the constants of this module."""
        return (self.opcode, self.operand)

    def to_bytes(self) -> bytes:
        """The envelope's raw bytes."""
        return bytes((self.opcode, self.operand)) + self.body

    @classmethod
    def from_bytes(cls, data: bytes) -> "Message":
        """Parses an envelope; raises ProtocolError ``short_envelope`` or ``unknown_opcode``."""
        if len(data) < 2:
            raise ProtocolError("short_envelope", f"an envelope needs 2 bytes, got {len(data)}")
        if data[0] > OPCODE_MAX:
            raise ProtocolError("unknown_opcode", f"opcode {data[0]:02x} does not exist in v1")
        return cls(data[0], data[1], bytes(data[2:]))

    def __repr__(self) -> str:
        body = self.body[:16].hex() + ("…" if len(self.body) > 16 else "")
        return f"Message({self.opcode:02x} {self.operand:02x} body={body or '-'})"


def encode_line(message: Message) -> bytes:
    """``base64(envelope) + b"\\n"``, the line sent on the wire."""
    return base64.b64encode(message.to_bytes()) + b"\n"


def decode_line(line: bytes) -> Message:
    """Decodes one line without its ``\\n``: strict, canonical, padded standard base64."""
    try:
        raw = base64.b64decode(line, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ProtocolError("bad_base64", f"line is not padded standard base64 ({error})") from None
    # b64decode accepts non-zero trailing bits; re-encoding tells canonical lines apart.
    if base64.b64encode(raw) != line:
        raise ProtocolError("bad_base64", "line is not canonical base64 (trailing bits set)")
    return Message.from_bytes(raw)


def _never(_message: Message) -> bool:
    return False


class LineDecoder:
    """Splits a byte stream into messages; incomplete input is kept for the next push."""

    def __init__(self, line_bytes_max: int = LINE_BYTES_MAX_DEFAULT) -> None:
        assert line_bytes_max > 0
        self._line_bytes_max = line_bytes_max
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer already known to hold no newline

    def push(self, chunk: bytes) -> List[Message]:
        """Appends a chunk; returns every complete message in order. Raises ProtocolError."""
        return self.push_until(chunk, _never)[0]

    def push_until(self, chunk: bytes, stop: Callable[[Message], bool]) -> Tuple[List[Message], Optional[bytes]]:
        """Like :meth:`push`, but stops after the first message for which ``stop`` is true: returns
        the messages up to it and every byte after its newline (``None`` if none stopped), and
        forgets those bytes (§11: after a Welcome granting frames, the rest is not lines)."""
        self._buffer += chunk
        messages: List[Message] = []
        start = 0
        while True:
            newline = self._buffer.find(b"\n", max(start, self._scanned))
            if newline < 0:
                break
            if newline - start > self._line_bytes_max:
                raise ProtocolError("line_too_long", f"line over {self._line_bytes_max} bytes")
            message = decode_line(bytes(self._buffer[start:newline]))
            messages.append(message)
            start = newline + 1
            if stop(message):
                rest = bytes(self._buffer[start:])
                self._buffer.clear()
                self._scanned = 0
                return messages, rest
        del self._buffer[:start]
        self._scanned = len(self._buffer)
        if len(self._buffer) > self._line_bytes_max:
            raise ProtocolError("line_too_long", f"line over {self._line_bytes_max} bytes")
        return messages, None

    @property
    def pending_bytes(self) -> int:
        """Bytes of an incomplete line held back."""
        return len(self._buffer)


# Builders for each message a client sends (PROTOCOL.md §3).
def game_hello(hello: bytes = b"") -> Message:
    """``00 01``: "I am the game", with an encoded ``Hello`` (:func:`encode_hello`) or nothing (v1)."""
    return Message(*GAME_HELLO, hello)


def bot_hello(hello: bytes = b"") -> Message:
    """``00 02``: "I am a bot", with an encoded ``Hello`` or nothing (v1)."""
    return Message(*BOT_HELLO, hello)


def bot_name(name: str) -> Message:
    """``00 22`` + ``InitialMessageProto{botName}``; botIndex stays 0, so absent (§4)."""
    return Message(*BOT_NAME, initial_pb2.InitialMessageProto(botName=name).SerializeToString())


def ask_bot(index: int, state: bytes) -> Message:
    """``01 ii`` + state: "ask bot ``ii`` for a move on this state"."""
    if not 0 <= index <= 0xFF:
        raise ValueError(f"bot index {index} is not 0..255")
    return Message(0x01, index, bytes(state))


def end_game(result: bytes = b"") -> Message:
    """``00 FE``: the game ends the match, with an encoded ``MatchResult`` or nothing (v1)."""
    return Message(*END_GAME, result)


def reply(body: bytes) -> Message:
    """``02 00`` + the bot's answer."""
    return Message(*REPLY, bytes(body))


def encode_batch(bots: Sequence[BotInfo]) -> Message:
    """``00 11`` + ``InitialMessageBatchProto`` (what the broker sends; used by tests)."""
    batch = initial_pb2.InitialMessageBatchProto()
    for bot in bots:
        batch.initialMessages.add(botIndex=bot.index, botName=bot.name)
    return Message(*BATCH, batch.SerializeToString())


def decode_batch(body: bytes) -> List[BotInfo]:
    """The bots of a ``00 11`` body, in the order the broker listed them."""
    batch = initial_pb2.InitialMessageBatchProto()
    try:
        batch.ParseFromString(body)
    except Exception as error:  # protobuf raises DecodeError, a plain Exception subclass
        raise ProtocolError("bad_protobuf", f"batch does not decode ({error})") from None
    return [BotInfo(entry.botIndex, entry.botName) for entry in batch.initialMessages]


def decode_bot_name(body: bytes) -> str:
    """The name in a ``00 22`` body."""
    entry = initial_pb2.InitialMessageProto()
    try:
        entry.ParseFromString(body)
    except Exception as error:
        raise ProtocolError("bad_protobuf", f"bot name does not decode ({error})") from None
    return str(entry.botName)
