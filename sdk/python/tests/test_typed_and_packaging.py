"""Typed protobuf use, the generated code check, and what the installed package ships."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
from google.protobuf import __version__ as protobuf_version

import bitbroker
from bitbroker import Action, BotInfo, ProtoBot, ProtoGame, ProtocolError
from bitbroker._proto.initial_pb2 import InitialMessageBatchProto, InitialMessageProto

from conftest import ROOT

SDK = ROOT / "sdk/python"


class NameLengthBot(ProtoBot[InitialMessageProto]):
    """Replies to a name with a batch holding the name's length as botIndex."""

    STATE_TYPE = InitialMessageProto

    def decide(self, state: InitialMessageProto) -> InitialMessageBatchProto:
        return InitialMessageBatchProto(initialMessages=[{"botIndex": len(state.botName)}])


class CollectingGame(ProtoGame[InitialMessageBatchProto]):
    RESPONSE_TYPE = InitialMessageBatchProto

    def __init__(self) -> None:
        self.got: List[InitialMessageBatchProto] = []

    def initialise(self, bots: List[BotInfo]) -> None: ...

    def next_action(self) -> Action:
        return Action.end_game()

    def deliver(self, response: InitialMessageBatchProto) -> None:
        self.got.append(response)


def test_a_proto_bot_decodes_the_state_and_encodes_its_reply() -> None:
    reply = NameLengthBot().decide_move(InitialMessageProto(botName="four").SerializeToString())
    assert InitialMessageBatchProto.FromString(reply).initialMessages[0].botIndex == 4
    with pytest.raises(ProtocolError) as caught:
        NameLengthBot().decide_move(b"\xff\xff\xff")
    assert caught.value.code == "bad_protobuf"


def test_a_proto_game_receives_decoded_replies() -> None:
    game = CollectingGame()
    game.deliver_response(InitialMessageBatchProto(initialMessages=[{"botName": "x"}]).SerializeToString())
    assert game.got[0].initialMessages[0].botName == "x"


def test_the_committed_protobuf_code_is_what_the_pinned_protoc_generates() -> None:
    result = subprocess.run([sys.executable, str(SDK / "scripts/gen_proto.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_protobuf_runtime_matches_the_gencode_major_version_and_is_not_older() -> None:
    gencode = (6, 31, 1)  # "Protobuf Python Version" in the committed *_pb2.py files
    runtime = tuple(int(x) for x in protobuf_version.split(".")[:3])
    assert runtime[0] == gencode[0] and runtime >= gencode, protobuf_version
    header = (SDK / "src/bitbroker/_proto/initial_pb2.py").read_text()
    assert "# Protobuf Python Version: 6.31.1" in header


def test_the_sdk_and_the_example_bot_type_check_strictly_for_python_3_9(tmp_path: Path) -> None:
    # Settings in pyproject.toml [tool.mypy]: strict, python_version 3.9.
    command = [sys.executable, "-m", "mypy", "--config-file", str(SDK / "pyproject.toml"),
               "--cache-dir", str(tmp_path), str(SDK / "src/bitbroker"), str(ROOT / "examples/connect4/python")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=SDK)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_ships_py_typed_and_exports_its_api() -> None:
    package = Path(bitbroker.__file__).parent
    assert (package / "py.typed").exists()
    for name in ("BaseBot", "BaseGame", "Action", "BotInfo", "Welcome", "BitBrokerError",
                 "MatchAbortedError", "RefusedError", "BrokerShutdownError", "BrokerEndedError",
                 "ConnectFailedError", "ConnectionLostError", "ProtocolError", "ReadTimeoutError",
                 "BrokerUnavailableError", "BrokerTimeoutError"):
        assert name in bitbroker.__all__ and hasattr(bitbroker, name)
    for kind in (bitbroker.MatchAbortedError, bitbroker.RefusedError, bitbroker.BrokerShutdownError):
        assert issubclass(kind, bitbroker.BrokerEndedError)
    assert issubclass(bitbroker.ProtocolError, bitbroker.BitBrokerError)
    # The first release's names still import, as the new classes.
    assert bitbroker.BrokerUnavailableError is bitbroker.ConnectFailedError
    assert bitbroker.BrokerTimeoutError is bitbroker.ReadTimeoutError


def test_the_version_told_to_the_broker_is_the_packages() -> None:
    pyproject = (SDK / "pyproject.toml").read_text()
    assert f'\nversion = "{bitbroker.__version__}"\n' in pyproject
