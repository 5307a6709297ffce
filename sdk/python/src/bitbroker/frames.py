"""v2 binary frames (docs/PROTOCOL.md §11) and the switch to them: bytes in, messages out. Pure.

A frame is ``[length: u32 big-endian][envelope]``. A client that asked for the ``frames``
feature reads v1 lines until a ``Welcome`` that grants them; every byte after that line's
newline, both ways, is a frame (even within the same read). Nothing here touches a socket, a
clock or the console.
"""
from __future__ import annotations

import struct
from typing import List, Optional

from . import arena
from . import message as m
from .errors import ProtocolError
from .message import LINE_BYTES_MAX_DEFAULT, LineDecoder, Message, encode_line

HEADER_BYTES = 4
FEATURE = "frames"
_HEADER = struct.Struct(">I")


def envelope_bytes_max(line_bytes_max: int) -> int:
    """The largest envelope a frame may carry under a v1 line limit: the same messages fit
    either way (§11: 12 MiB for the broker's 16 MiB)."""
    return line_bytes_max // 4 * 3


def frame_bytes(message: Message) -> bytes:
    """The frame of one message: its envelope's length, then the envelope."""
    return _HEADER.pack(2 + len(message.body)) + bytes((message.opcode, message.operand)) + message.body


class FrameDecoder:
    """Splits a byte stream into frames and decodes each; incomplete input is kept for the next
    push. A frame over the limit is refused as soon as its header is whole (§11)."""

    def __init__(self, envelope_bytes_max: int) -> None:
        assert envelope_bytes_max >= 2
        self._max = envelope_bytes_max
        self._buffer = bytearray()

    def push(self, chunk: bytes) -> List[Message]:
        """Appends a chunk; returns every complete message in order. Raises ProtocolError."""
        self._buffer += chunk
        buffer, messages, at = self._buffer, [], 0
        while len(buffer) - at >= HEADER_BYTES:
            length = self._length_at(at)
            end = at + HEADER_BYTES + length
            if len(buffer) < end:
                break
            messages.append(Message.from_bytes(bytes(buffer[at + HEADER_BYTES:end])))
            at = end
        if at:
            del buffer[:at]
        return messages

    def _length_at(self, at: int) -> int:
        (length,) = _HEADER.unpack_from(self._buffer, at)
        if length > self._max:
            raise ProtocolError("line_too_long", f"frame of {length} bytes; at most {self._max}")
        return int(length)

    @property
    def pending_bytes(self) -> int:
        """Bytes of an incomplete frame held back."""
        return len(self._buffer)

    def bytes_wanted(self) -> int:
        """How many more bytes complete the frame being read (at least 1): a hint for the size
        of the next read, so a large frame is read in few calls."""
        if len(self._buffer) < HEADER_BYTES:
            return HEADER_BYTES - len(self._buffer)
        return max(1, HEADER_BYTES + self._length_at(0) - len(self._buffer))


def grants_frames(message: Message) -> bool:
    """A ``Welcome`` (``00 03``) whose features include ``frames``. A body that does not decode is
    not a grant (the session reports it as ``bad_protobuf``)."""
    if message.codes != m.WELCOME:
        return False
    try:
        return FEATURE in arena.decode_welcome(message.body).features
    except ProtocolError:
        return False


class Wire:
    """One connection's framing: v1 lines, and v2 frames from the ``Welcome`` that grants them
    when ``ask_frames`` (§11). ``push`` decodes what arrives, ``encode`` what is sent."""

    def __init__(self, line_bytes_max: int = LINE_BYTES_MAX_DEFAULT, ask_frames: bool = True) -> None:
        self._lines: Optional[LineDecoder] = LineDecoder(line_bytes_max)
        self._frames: Optional[FrameDecoder] = None
        self._ask_frames = ask_frames
        self._envelope_bytes_max = envelope_bytes_max(line_bytes_max)

    @property
    def frames(self) -> bool:
        """True once the connection speaks v2 frames."""
        return self._frames is not None

    def push(self, chunk: bytes) -> List[Message]:
        """Every complete message in ``chunk`` (and what came before it), in order."""
        if self._lines is None:
            assert self._frames is not None
            return self._frames.push(chunk)
        if not self._ask_frames:
            return self._lines.push(chunk)
        messages, rest = self._lines.push_until(chunk, grants_frames)
        if rest is None:
            return messages
        self._lines, self._frames = None, FrameDecoder(self._envelope_bytes_max)
        return messages + self._frames.push(rest) if rest else messages

    def encode(self, message: Message) -> bytes:
        """The bytes of ``message`` on this connection: a frame, or a line."""
        return frame_bytes(message) if self._frames is not None else encode_line(message)

    def bytes_wanted(self) -> int:
        """A hint for the next read's size: what completes the frame being read (1 on lines)."""
        return self._frames.bytes_wanted() if self._frames is not None else 1

