"""v2 binary frames (docs/PROTOCOL.md §11) and the switch to them: bytes in, messages out. Pure.

A frame is ``[length: u32 big-endian][envelope]``. A client that asked for the ``frames``
feature reads v1 lines until a ``Welcome`` that grants them; every byte after that line's
newline, both ways, is a frame (even within the same read). Nothing here touches a socket, a
clock or the console.
"""
from __future__ import annotations

import struct
from typing import List, Optional, Tuple

from . import arena
from . import message as m
from .errors import ProtocolError
from .message import LINE_BYTES_MAX_DEFAULT, LineDecoder, Message, encode_line

HEADER_BYTES = 4
FEATURE = "frames"
# A body at least this long is written apart from its header rather than copied behind it.
SPLIT_BYTES_MIN = 64 * 1024
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
    push. A frame over the limit is refused as soon as its header is whole (§11). A frame within
    one chunk is decoded in place; one spread over chunks is joined once, when whole."""

    def __init__(self, envelope_bytes_max: int) -> None:
        assert envelope_bytes_max >= 2
        self._max = envelope_bytes_max
        self._parts: List[bytes] = []  # the start of a frame not whole yet
        self._held = 0  # bytes in _parts
        self._need = 0  # the whole frame's bytes once its header is known, else 0

    def push(self, chunk: bytes) -> List[Message]:
        """Appends a chunk; returns every complete message in order. Raises ProtocolError."""
        if self._held:
            self._parts.append(bytes(chunk))
            self._held += len(chunk)
            if not self._need and self._held >= HEADER_BYTES:
                self._need = HEADER_BYTES + self._length_at(b"".join(self._parts)[:HEADER_BYTES], 0)
            if self._held < max(self._need, HEADER_BYTES):
                return []
            chunk, self._parts, self._held, self._need = b"".join(self._parts), [], 0, 0
        messages: List[Message] = []
        at, size = 0, len(chunk)
        with memoryview(chunk) as view:
            while size - at >= HEADER_BYTES:
                end = at + HEADER_BYTES + self._length_at(chunk, at)
                if end > size:
                    break
                messages.append(_message(chunk, view, at + HEADER_BYTES, end))
                at = end
            if at < size:
                rest = chunk if at == 0 else bytes(view[at:])
                self._parts, self._held = [bytes(rest)], size - at
                if self._held >= HEADER_BYTES:
                    self._need = HEADER_BYTES + self._length_at(rest, 0)
        return messages

    def _length_at(self, data: bytes, at: int) -> int:
        (length,) = _HEADER.unpack_from(data, at)
        if length > self._max:
            raise ProtocolError("line_too_long", f"frame of {length} bytes; at most {self._max}")
        return int(length)

    @property
    def pending_bytes(self) -> int:
        """Bytes of an incomplete frame held back."""
        return self._held

    def bytes_wanted(self) -> int:
        """How many more bytes complete the frame being read (at least 1): a hint for the size
        of the next read, so a large frame is read in few calls."""
        return max(1, (self._need or HEADER_BYTES) - self._held)


def _message(data: bytes, view: memoryview, start: int, end: int) -> Message:
    """The envelope ``data[start:end]`` as a Message, its body copied once; checked as v1's are."""
    if end - start < 2:
        raise ProtocolError("short_envelope", f"an envelope needs 2 bytes, got {end - start}")
    if data[start] > m.OPCODE_MAX:
        raise ProtocolError("unknown_opcode", f"opcode {data[start]:02x} does not exist in v1")
    return Message(data[start], data[start + 1], bytes(view[start + 2:end]))


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

    def encode_parts(self, message: Message) -> Tuple[bytes, ...]:
        """The same bytes in parts to write in turn: a large body is not copied to be framed."""
        if self._frames is None or len(message.body) < SPLIT_BYTES_MIN:
            return (self.encode(message),)
        head = _HEADER.pack(2 + len(message.body)) + bytes((message.opcode, message.operand))
        return head, message.body

    def bytes_wanted(self) -> int:
        """A hint for the next read's size: what completes the frame being read (1 on lines)."""
        return self._frames.bytes_wanted() if self._frames is not None else 1

