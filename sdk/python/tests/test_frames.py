"""v2 binary frames (docs/PROTOCOL.md §11) against the shared vectors (test/vectors/frames.json,
made by the TypeScript codec): every frame byte for byte, every stream a client reads after its
handshake split at every byte (the switch after a Welcome that grants frames, mid-read), every
refused frame with its code, the limits. Pure: no sockets."""
from __future__ import annotations

import json
import random
from typing import Any, Dict, List

import pytest

from bitbroker import Message, ProtocolError
from bitbroker.frames import FrameDecoder, Wire, envelope_bytes_max, frame_bytes, grants_frames
from bitbroker.message import LineDecoder, encode_line

from conftest import ROOT

VECTORS = json.loads((ROOT / "test/vectors/frames.json").read_text(encoding="utf-8"))
FRAMES: List[Dict[str, Any]] = VECTORS["frames"]
STREAMS: List[Dict[str, Any]] = VECTORS["streams"]
INVALID: List[Dict[str, Any]] = VECTORS["invalid"]


def ids(vectors: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"argvalues": vectors, "ids": [v["name"] for v in vectors]}


def test_the_vector_file_covers_frames_streams_and_refusals() -> None:
    assert VECTORS["protocol"].startswith("BitBroker v2 frames")
    assert len(FRAMES) >= 20 and len(STREAMS) >= 4 and len(INVALID) >= 4


@pytest.mark.parametrize("vector", **ids(FRAMES))
def test_each_message_is_its_frame_and_back(vector: Dict[str, Any]) -> None:
    message = Message.from_bytes(bytes.fromhex(vector["hex"]))
    assert frame_bytes(message).hex() == vector["frame_hex"]
    assert [x.to_bytes().hex() for x in FrameDecoder(1 << 20).push(bytes.fromhex(vector["frame_hex"]))] == [vector["hex"]]


def test_a_stream_of_every_frame_splits_identically_at_every_byte_boundary() -> None:
    stream = b"".join(bytes.fromhex(v["frame_hex"]) for v in FRAMES[:12])
    expected = [v["hex"] for v in FRAMES[:12]]
    for cut in range(len(stream) + 1):
        decoder = FrameDecoder(1 << 20)
        got = decoder.push(stream[:cut]) + decoder.push(stream[cut:])
        assert [x.to_bytes().hex() for x in got] == expected and decoder.pending_bytes == 0
    decoder = FrameDecoder(1 << 20)
    one_by_one = [x for i in range(len(stream)) for x in decoder.push(stream[i:i + 1])]
    assert [x.to_bytes().hex() for x in one_by_one] == expected


def read(wire: Wire, parts: List[bytes]) -> List[str]:
    return [x.to_bytes().hex() for part in parts for x in wire.push(part)]


@pytest.mark.parametrize("vector", **ids(STREAMS))
def test_each_stream_gives_its_messages_and_framing_however_it_is_split(vector: Dict[str, Any]) -> None:
    data = bytes.fromhex(vector["bytes_hex"])
    for cut in range(len(data) + 1):
        wire = Wire(ask_frames=True)
        assert read(wire, [data[:cut], data[cut:]]) == vector["messages_hex"], cut
        assert wire.frames == vector["frames_after"]
    wire = Wire(ask_frames=True)
    assert read(wire, [data[i:i + 1] for i in range(len(data))]) == vector["messages_hex"]


def test_after_the_switch_the_client_sends_frames_and_before_it_lines() -> None:
    granting = bytes.fromhex(STREAMS[0]["bytes_hex"])
    wire = Wire(ask_frames=True)
    reply = Message(0x02, 0x00, b"xy")
    assert wire.encode(reply) == encode_line(reply)
    wire.push(granting)
    assert wire.frames and wire.encode(reply) == bytes.fromhex("000000040200" + b"xy".hex())


def test_a_client_that_did_not_ask_for_frames_keeps_lines_whatever_the_welcome_says() -> None:
    welcome_line = bytes.fromhex(STREAMS[0]["bytes_hex"]).split(b"\n")[0] + b"\n"
    wire = Wire(ask_frames=False)
    [welcome] = wire.push(welcome_line)
    assert grants_frames(welcome) and not wire.frames
    assert [x.codes for x in wire.push(encode_line(Message(0x01, 0x00)))] == [(0x01, 0x00)]


@pytest.mark.parametrize("vector", **ids(INVALID))
def test_each_refused_frame_gives_its_code_as_soon_as_it_is_known(vector: Dict[str, Any]) -> None:
    with pytest.raises(ProtocolError) as caught:
        FrameDecoder(vector["envelope_bytes_max"]).push(bytes.fromhex(vector["bytes_hex"]))
    assert caught.value.code == vector["error"]


def test_frames_carry_the_messages_a_line_limit_carries() -> None:
    for limit in VECTORS["limits"]:
        assert envelope_bytes_max(limit["line_bytes_max"]) == limit["envelope_bytes_max"]


def test_a_welcome_that_does_not_decode_grants_nothing() -> None:
    assert not grants_frames(Message(0x00, 0x03, bytes.fromhex("0a0552")))
    assert not grants_frames(Message(0x01, 0x00))


def test_random_bytes_give_messages_or_a_protocol_error_and_nothing_else() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 41)))
        try:
            FrameDecoder(64).push(data)
        except ProtocolError:
            pass


def test_a_line_decoder_stops_after_the_message_it_is_told_and_hands_back_the_rest() -> None:
    lines = encode_line(Message(0x01, 0x00)) + encode_line(Message(0x00, 0x03)) + b"\x00\x00\x00"
    decoder = LineDecoder()
    got, rest = decoder.push_until(lines, lambda x: x.codes == (0x00, 0x03))
    assert [x.codes for x in got] == [(0x01, 0x00), (0x00, 0x03)] and rest == b"\x00\x00\x00"
    assert decoder.pending_bytes == 0
    assert decoder.push_until(b"AQA=", lambda x: True) == ([], None)


def test_a_large_body_is_written_apart_from_its_header_and_the_bytes_are_the_same() -> None:
    wire = Wire(ask_frames=True)
    wire.push(bytes.fromhex(STREAMS[0]["bytes_hex"]))
    small, large = Message(0x02, 0x00, b"xy"), Message(0x01, 0x00, bytes(range(256)) * 1024)
    assert wire.encode_parts(small) == (wire.encode(small),)
    head, body = wire.encode_parts(large)
    assert len(head) == 6 and body is large.body and head + body == wire.encode(large)
    assert Wire(ask_frames=True).encode_parts(large) == (encode_line(large),)  # not framed yet: a line
