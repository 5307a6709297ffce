"""The shared golden vectors (test/vectors/v1.json, test/vectors/arena.json): every message
decodes and encodes byte for byte, every invalid line gives its named ProtocolError, and every
Hello and Welcome body is the SDK's. Pure: no sockets."""
from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from bitbroker import LineDecoder, Message, ProtocolError, decode_line, encode_line
from bitbroker import arena
from bitbroker import message as m
from bitbroker._proto import arena_pb2, initial_pb2
from bitbroker.types import BotInfo, MatchResult, SeatResult, TimeRules, Welcome

from conftest import ROOT

VECTORS = json.loads((ROOT / "test/vectors/v1.json").read_text(encoding="utf-8"))
ARENA = json.loads((ROOT / "test/vectors/arena.json").read_text(encoding="utf-8"))
MESSAGES: List[Dict[str, Any]] = VECTORS["messages"]
INVALID: List[Dict[str, Any]] = VECTORS["invalid_lines"]


def by_name(vectors: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"argvalues": vectors, "ids": [v["name"] for v in vectors]}


def test_the_vector_file_is_v1_and_not_empty() -> None:
    assert VECTORS["protocol"] == "BitBroker v1"
    assert len(MESSAGES) >= 20 and len(INVALID) >= 8


@pytest.mark.parametrize("vector", **by_name(MESSAGES))
def test_decodes_each_message_line_byte_for_byte(vector: Dict[str, Any]) -> None:
    message = decode_line(vector["line"].encode("ascii"))
    assert message.to_bytes() == bytes.fromhex(vector["hex"])
    assert (message.opcode, message.operand) == (vector["opcode"], vector["operand"])
    assert message.body == bytes.fromhex(vector["body_hex"])


@pytest.mark.parametrize("vector", **by_name(MESSAGES))
def test_encodes_each_message_to_its_exact_line(vector: Dict[str, Any]) -> None:
    message = Message(vector["opcode"], vector["operand"], bytes.fromhex(vector["body_hex"]))
    assert encode_line(message) == vector["line"].encode("ascii") + b"\n"


@pytest.mark.parametrize("vector", **by_name([v for v in MESSAGES if "proto" in v]))
def test_protobuf_bodies_decode_and_re_encode_identically(vector: Dict[str, Any]) -> None:
    body = bytes.fromhex(vector["body_hex"])
    value = vector["proto"]["value"]
    if vector["proto"]["type"] == "InitialMessageProto":
        assert m.decode_bot_name(body) == value["botName"]
        assert m.bot_name(value["botName"]).to_bytes() == bytes.fromhex(vector["hex"])
        parsed = initial_pb2.InitialMessageProto.FromString(body)
        assert (parsed.botIndex, parsed.botName) == (value["botIndex"], value["botName"])
    else:
        assert vector["proto"]["type"] == "InitialMessageBatchProto"
        expected = [BotInfo(e["botIndex"], e["botName"]) for e in value["initialMessages"]]
        assert m.decode_batch(body) == expected
        assert m.encode_batch(expected).to_bytes() == bytes.fromhex(vector["hex"])


def test_the_builders_give_the_vector_bytes_of_each_client_message() -> None:
    hexes = {v["name"]: bytes.fromhex(v["hex"]) for v in MESSAGES}
    assert m.game_hello().to_bytes() == hexes["game_hello"]
    assert m.bot_hello().to_bytes() == hexes["bot_hello"]
    assert m.ask_bot(0, b"hello").to_bytes() == hexes["ask_bot_0"]
    assert m.ask_bot(1, b"").to_bytes() == hexes["ask_bot_1_empty"]
    assert m.ask_bot(3, bytes.fromhex("00ff0a0d")).to_bytes() == hexes["ask_bot_3_binary"]
    large = bytes((31 * i + 7) % 256 for i in range(4096))
    assert m.ask_bot(2, large).to_bytes() == hexes["ask_bot_2_large"]
    assert m.reply(b"xy").to_bytes() == hexes["reply_xy"]
    assert m.end_game().to_bytes() == hexes["end_game"]


@pytest.mark.parametrize("vector", **by_name(INVALID))
def test_each_invalid_line_gives_its_named_protocol_error(vector: Dict[str, Any]) -> None:
    line = vector["line"].encode("utf-8")
    with pytest.raises(ProtocolError) as caught:
        decode_line(line)
    assert caught.value.code == vector["error"]
    with pytest.raises(ProtocolError) as streamed:
        LineDecoder().push(line + b"\n")
    assert streamed.value.code == vector["error"]


def test_a_stream_of_every_message_splits_identically_at_every_byte_boundary() -> None:
    stream = b"".join(v["line"].encode("ascii") + b"\n" for v in MESSAGES)
    expected = [bytes.fromhex(v["hex"]) for v in MESSAGES]
    whole = LineDecoder().push(stream)
    assert [x.to_bytes() for x in whole] == expected
    for cut in range(len(stream) + 1):
        decoder = LineDecoder()
        got = decoder.push(stream[:cut]) + decoder.push(stream[cut:])
        assert [x.to_bytes() for x in got] == expected
    decoder = LineDecoder()
    one_by_one = [x for i in range(len(stream)) for x in decoder.push(stream[i:i + 1])]
    assert [x.to_bytes() for x in one_by_one] == expected and decoder.pending_bytes == 0


def test_refuses_an_over_long_line_before_its_newline_arrives() -> None:
    decoder = LineDecoder(line_bytes_max=8)
    assert decoder.push(b"AAE=") == []
    with pytest.raises(ProtocolError) as caught:
        decoder.push(b"AAEAAE")
    assert caught.value.code == "line_too_long"
    assert [x.codes for x in LineDecoder(line_bytes_max=8).push(b"AAEAAQA=\n")] == [(0, 1)]


@pytest.mark.parametrize("vector", **by_name(ARENA["hellos"]))
def test_each_hello_vector_is_what_the_sdk_encodes(vector: Dict[str, Any]) -> None:
    value = vector["value"]
    time = TimeRules(**value["time"]) if "time" in value else None
    body = arena.encode_hello(room=value["room"], client=value["client"], client_version=value["client_version"],
                              bots=value["bots"], features=value["features"], time=time,
                              human=value.get("human", False))
    assert body.hex() == vector["body_hex"]
    role = bytes.fromhex(vector["hex"])[1]
    hello = m.bot_hello(body) if role == 0x02 else m.game_hello(body)
    assert hello.to_bytes().hex() == vector["hex"]
    parsed = arena_pb2.Hello.FromString(body)
    assert (parsed.room, parsed.client, parsed.client_version, list(parsed.features), parsed.bots, parsed.human) == (
        value["room"], value["client"], value["client_version"], value["features"], value["bots"], value.get("human", False))


@pytest.mark.parametrize("vector", **by_name(ARENA["welcomes"]))
def test_each_welcome_vector_decodes_to_its_value(vector: Dict[str, Any]) -> None:
    message = Message.from_bytes(bytes.fromhex(vector["hex"]))
    assert message.codes == m.WELCOME and message.body.hex() == vector["body_hex"]
    v = vector["value"]
    time = TimeRules(**v["time"]) if "time" in v else None
    assert arena.decode_welcome(message.body) == Welcome(v["broker_version"], tuple(v["features"]), v["room"],
                                                     v["queue_position"], v["bots"], time)


@pytest.mark.parametrize("vector", **by_name(ARENA["results"]))
def test_each_result_vector_is_what_the_sdk_encodes_and_decodes(vector: Dict[str, Any]) -> None:
    v = vector["value"]
    result = MatchResult(tuple(SeatResult(s["index"], s.get("score"), s.get("rank")) for s in v["seats"]),
                         v["summary"])
    assert arena.encode_result(result).hex() == vector["body_hex"]
    assert m.end_game(arena.encode_result(result)).to_bytes().hex() == vector["hex"]
    assert arena.decode_result(bytes.fromhex(vector["body_hex"])) == result
