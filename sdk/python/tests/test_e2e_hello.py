"""The Hello on the wire and the Welcome path (docs/PROTOCOL.md §9.1), over a real socket with a
scripted peer that answers like a broker with rooms (ours does not send a Welcome yet): what the
client sends, what it logs, and that it never waits for a Welcome."""
from __future__ import annotations

import logging
import socket
import threading
from typing import List, Optional, Tuple, Union

import pytest

from bitbroker import BotInfo, RefusedError, decode_line, encode_line
from bitbroker import message as m
from bitbroker._proto import arena_pb2
from bitbroker.message import Message

from conftest import LogWatch
from players import RUN, CounterBot, CountingGame

WELCOME = Message(0x00, 0x03, arena_pb2.Welcome(broker_version="9.9.9", room="blitz", queue_position=2,
                                                bots=1).SerializeToString())
Step = Union[Message, int]  # a message to send, or how many lines to read from the client


class ScriptedPeer:
    """A one-connection TCP peer on 127.0.0.1 that plays ``script`` and keeps every line it read."""

    def __init__(self, script: List[Step]) -> None:
        self.received: List[Message] = []
        self.error: Optional[BaseException] = None
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(10.0)
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, args=(script,), daemon=True)
        self._thread.start()

    def _serve(self, script: List[Step]) -> None:
        try:
            with self._server, self._server.accept()[0] as conn:
                conn.settimeout(10.0)
                lines = conn.makefile("rb")
                for step in script:
                    if isinstance(step, Message):
                        conn.sendall(encode_line(step))
                        continue
                    for _ in range(step):
                        self.received.append(decode_line(lines.readline().rstrip(b"\n")))
        except BaseException as error:  # kept for the test to assert on
            self.error = error

    def join(self) -> List[Message]:
        self._thread.join(10.0)
        assert not self._thread.is_alive() and self.error is None, self.error
        return self.received


def hello(message: Message) -> Tuple[Tuple[int, int], str, str, int]:
    body = arena_pb2.Hello.FromString(message.body)
    assert body.client_version and list(body.features) == ["results", "frames"]  # the defaults
    return message.codes, body.room, body.client, body.bots


def test_a_game_sends_its_hello_notes_the_welcome_and_plays(sdk_log: LogWatch) -> None:
    peer = ScriptedPeer([1, WELCOME, m.encode_batch([BotInfo(0, "A")]), Message(0x01, 0x00), 1,
                         Message(0x02, 0x00, b"1"), Message(0x01, 0x00), 1, Message(0x00, 0xFF)])
    game = CountingGame(turns=1)
    game.run("127.0.0.1", peer.port, room="blitz", bots=1, **RUN)
    sent = peer.join()
    assert hello(sent[0]) == ((0x00, 0x01), "blitz", "bitbroker-python", 1)
    assert [x.codes for x in sent[1:]] == [(0x01, 0x00), (0x00, 0xFE)]
    assert game.count == 1
    sdk_log.wait_for(lambda t: t == "welcome from the broker 9.9.9: room 'blitz', queue position 2, 1 bots per match")
    sdk_log.wait_for(lambda t: t == "match started with 1 bots: 0 'A'")


def test_a_bot_sends_hello_and_name_takes_the_welcome_and_uses_bitbroker_room(
        sdk_log: LogWatch, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BITBROKER_ROOM", "from-env")
    peer = ScriptedPeer([2, WELCOME, Message(0x02, 0x05, b"41"), 1, Message(0x00, 0xFF)])
    bot = CounterBot("Solo")
    bot.run("127.0.0.1", peer.port, **RUN)
    sent = peer.join()
    assert hello(sent[0]) == ((0x00, 0x02), "from-env", "bitbroker-python", 0)
    assert m.decode_bot_name(sent[1].body) == "Solo" and sent[2] == Message(0x02, 0x00, b"42")
    infos = [r.getMessage() for r in sdk_log.records if r.levelno >= logging.INFO]
    assert infos[0] == f"connected to the broker at 127.0.0.1:{peer.port} as bot 'Solo' (room 'from-env'); waiting for a match"
    assert infos[1].startswith("welcome from the broker 9.9.9") and infos[2] == "match started: bot 'Solo' got its first state"
    assert infos[3:] == ["match over for bot 'Solo': it ended normally"]


def test_a_client_refused_by_a_broker_with_rooms_gets_refused_error() -> None:
    reason = b"unknown_room: room \"x\" is not declared"
    peer = ScriptedPeer([2, Message(0x00, 0xFF, reason)])
    with pytest.raises(RefusedError) as caught:
        CounterBot("Turned away").run("127.0.0.1", peer.port, room="x", **RUN)
    peer.join()
    assert (caught.value.code, caught.value.reason_code) == ("refused", "unknown_room")
    assert str(caught.value) == 'refused by the broker: unknown_room: room "x" is not declared'


def test_no_log_line_above_debug_is_written_per_turn(sdk_log: LogWatch) -> None:
    turns = 20
    script: List[Step] = [1, m.encode_batch([BotInfo(0, "A")])]
    for i in range(turns):
        script += [Message(0x01, 0x00), 1, Message(0x02, 0x00, str(i + 1).encode())]
    peer = ScriptedPeer(script + [Message(0x01, 0x00), 1, Message(0x00, 0xFF)])
    CountingGame(turns=turns).run("127.0.0.1", peer.port, **RUN)
    peer.join()
    infos = [r.getMessage() for r in sdk_log.records if r.levelno >= logging.INFO]
    assert len(infos) == 3, infos  # connected, match started, match over
    assert sum(r.levelno == logging.DEBUG for r in sdk_log.records) >= 2 * turns  # each message at debug
