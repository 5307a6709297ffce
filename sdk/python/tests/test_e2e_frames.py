"""v2 binary frames end to end (docs/PROTOCOL.md §11), and where a client connects from the
environment: Python games and bots through the real broker with frames granted, refused or not
asked for; a scripted peer that writes its Welcome and the first frames in one write; run() with
no address. Real sockets on 127.0.0.1; every wait is bounded."""
from __future__ import annotations

import hashlib
import socket
import threading
from typing import List, Optional

import pytest

from bitbroker import Action, BaseBot, BaseGame, BotInfo, encode_line
from bitbroker import message as m
from bitbroker._proto import arena_pb2
from bitbroker.frames import FrameDecoder, frame_bytes
from bitbroker.message import Message

from conftest import LogWatch, Runner
from players import RUN, CounterBot, CountingGame

GRANTED = "the broker granted v2 frames: binary frames from now on"
MIB = 1024 * 1024


def pattern(size: int, seed: int) -> bytes:
    return bytes((i * 31 + seed) & 0xFF for i in range(256)) * (size // 256)


class ReverseBot(BaseBot):
    NAME = "Reverse"

    def decide_move(self, state: bytes) -> bytes:
        return state[::-1]


class BigStateGame(BaseGame):
    def __init__(self, states: List[bytes]) -> None:
        self.states = list(states)
        self.replies: List[bytes] = []

    def initialise(self, bots: List[BotInfo]) -> None:
        pass

    def next_action(self) -> Action:
        return Action.player_action(0, self.states.pop(0)) if self.states else Action.end_game()

    def deliver_response(self, response: bytes) -> None:
        self.replies.append(response)


def test_a_game_and_a_bot_granted_frames_play_states_of_mib_both_ways(broker_factory, sdk_log: LogWatch) -> None:
    broker = broker_factory(1)
    states = [pattern(4 * MIB, 1), b"", pattern(3 * MIB + 256, 2)]
    game = BigStateGame(states)
    bot = Runner(lambda: ReverseBot().run("127.0.0.1", broker.port, **RUN), "bot")
    game.run("127.0.0.1", broker.port, **RUN)
    assert bot.join().error is None
    assert [hashlib.sha256(r).hexdigest() for r in game.replies] == [
        hashlib.sha256(s[::-1]).hexdigest() for s in states]
    assert sdk_log.messages().count(GRANTED) == 2  # the game's and the bot's connections


def test_with_frames_off_both_sides_keep_v1_lines(broker_factory, sdk_log: LogWatch) -> None:
    broker = broker_factory(2)
    bots = [Runner(lambda n=n: CounterBot(n).run("127.0.0.1", broker.port, frames=False, **RUN), n)
            for n in ("A", "B")]
    game = CountingGame(turns=6)
    game.run("127.0.0.1", broker.port, frames=False, **RUN)
    assert all(b.join().error is None for b in bots) and game.count == 6
    assert GRANTED not in sdk_log.messages()


def test_v1_and_v2_clients_share_a_match(broker_factory, sdk_log: LogWatch) -> None:
    broker = broker_factory(2)
    v1 = Runner(lambda: CounterBot("V1").run("127.0.0.1", broker.port, frames=False, **RUN), "v1")
    broker.wait_for_log(lambda l: l.get("event") == "seat taken" and l.get("name") == "V1")
    v2 = Runner(lambda: CounterBot("V2").run("127.0.0.1", broker.port, **RUN), "v2")
    game = CountingGame(turns=8)
    game.run("127.0.0.1", broker.port, **RUN)
    assert v1.join().error is None and v2.join().error is None
    assert game.replies == [str(i).encode() for i in range(1, 9)]
    assert sdk_log.messages().count(GRANTED) == 2  # the game and V2


class FramingPeer:
    """A one-connection peer that reads the game's hello line, then writes a Welcome granting
    frames together with the batch and the first trigger as frames, in one write; then plays
    one turn and the end in frames, keeping what the game sent."""

    def __init__(self) -> None:
        self.sent: List[Message] = []
        self.error: Optional[BaseException] = None
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(10.0)
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            with self._server, self._server.accept()[0] as conn:
                conn.settimeout(10.0)
                hello = conn.makefile("rb").readline()  # the hello line; nothing follows until asked
                self.sent.append(m.decode_line(hello.rstrip(b"\n")))
                welcome = Message(0x00, 0x03, arena_pb2.Welcome(features=["results", "frames"]).SerializeToString())
                batch = m.encode_batch([BotInfo(0, "A")])
                conn.sendall(encode_line(welcome) + frame_bytes(batch) + frame_bytes(Message(0x01, 0x00)))
                decoder = FrameDecoder(1 << 20)
                for answer in (Message(0x02, 0x00, b"1"), Message(0x01, 0x00)), (Message(0x00, 0xFF),):
                    got: List[Message] = []
                    while not got:
                        got = decoder.push(conn.recv(65536))
                    self.sent += got
                    conn.sendall(b"".join(frame_bytes(x) for x in answer))
        except BaseException as error:  # kept for the test to assert on
            self.error = error

    def join(self) -> List[Message]:
        self._thread.join(10.0)
        assert not self._thread.is_alive() and self.error is None, self.error
        return self.sent


def test_a_welcome_and_the_first_frames_in_one_write_switch_the_client_mid_read() -> None:
    peer = FramingPeer()
    game = CountingGame(turns=1)
    game.run("127.0.0.1", peer.port, **RUN)
    sent = peer.join()
    assert [x.codes for x in sent] == [(0x00, 0x01), (0x01, 0x00), (0x00, 0xFE)]
    assert sent[1].body == b"0" and game.count == 1


def test_run_with_no_address_goes_where_bitbroker_host_and_port_say(
        broker_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    broker = broker_factory(1)
    monkeypatch.setenv("BITBROKER_HOST", "127.0.0.1")
    monkeypatch.setenv("BITBROKER_PORT", str(broker.port))
    bot = Runner(lambda: CounterBot("FromEnv").run(**RUN), "bot")
    game = CountingGame(turns=2)
    game.run(**RUN)
    assert bot.join().error is None and game.bots[0].name == "FromEnv"


def test_a_bad_port_variable_is_a_clear_error_before_any_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BITBROKER_PORT", "seven")
    with pytest.raises(ValueError, match='BITBROKER_PORT must be a TCP port; got "seven"'):
        CounterBot("X").run(**RUN)
