"""The pure bot and game sessions, message by message: no sockets, no user code, no clock.
(Each message in each state is in test_session_table.py; this file covers the rest.)"""
from __future__ import annotations

import pytest

from bitbroker import (Action, BotInfo, MatchAbortedError, MatchResult, ProtocolError, SeatResult, Welcome,
                       __version__)
from bitbroker import arena
from bitbroker import message as m
from bitbroker._proto import arena_pb2
from bitbroker.connection import resolve_room, resolve_seat, resolve_token
from bitbroker.game import bots_of
from bitbroker.message import Message
from bitbroker.session import (ActionRequested, BotSession, GameSession, MatchEnded, MatchStarted,
                               ResponseReceived, ResultReceived, WelcomeReceived, YourMove)

END = Message(0x00, 0xFF)
TRIGGER = Message(0x01, 0x00)


def started_bot() -> BotSession:
    session = BotSession("Bot")
    session.start()
    return session


def started_game() -> GameSession:
    session = GameSession()
    session.start()
    return session


def hello_of(message: Message) -> arena_pb2.Hello:
    return arena_pb2.Hello.FromString(message.body)


def test_a_bot_opens_with_its_hello_carrying_a_hello_body_then_its_name() -> None:
    hello, name = BotSession("RandomBot", room="blitz").start()
    assert hello.codes == (0x00, 0x02) and m.encode_line(name) == b"ACJSCVJhbmRvbUJvdA==\n"
    body = hello_of(hello)
    assert (body.room, body.client, body.client_version) == ("blitz", "bitbroker-python", __version__)
    assert list(body.features) == ["results"] and body.bots == 0


def test_a_game_opens_with_its_hello_carrying_the_room_and_line_up_size() -> None:
    (hello,) = GameSession(room="", bots=3).start()
    assert hello.codes == (0x00, 0x01)
    body = hello_of(hello)
    assert (body.room, body.client, body.bots) == ("", "bitbroker-python", 3)
    assert hello_of(GameSession().start()[0]).bots == 0  # not given: the room's size
    with pytest.raises(ValueError):
        GameSession(bots=256)


def test_the_bots_option_is_1_to_255_and_the_room_defaults_to_bitbroker_room() -> None:
    assert (bots_of(None), bots_of(1), bots_of(255)) == (0, 1, 255)
    for bad in (0, 256, -1, True, 2.0):
        with pytest.raises(ValueError):
            bots_of(bad)  # type: ignore[arg-type]
    assert resolve_room(None, {}) == ""
    assert resolve_room(None, {"BITBROKER_ROOM": "blitz"}) == "blitz"
    assert resolve_room("given", {"BITBROKER_ROOM": "blitz"}) == "given"
    assert resolve_room("", {"BITBROKER_ROOM": "blitz"}) == ""  # an explicit default room wins


def test_a_welcome_is_decoded_for_the_bot_and_the_game() -> None:
    body = arena_pb2.Welcome(broker_version="0.3.0", features=["timing"], room="blitz",
                             queue_position=2, bots=3).SerializeToString()
    want = WelcomeReceived(Welcome("0.3.0", ("timing",), "blitz", 2, 3))
    assert started_bot().receive(Message(0x00, 0x03, body)) == want
    assert started_game().receive(Message(0x00, 0x03, body)) == want


def test_a_bot_turns_each_state_into_one_reply_and_ends_on_00_ff() -> None:
    session = started_bot()
    assert session.receive(Message(0x02, 0x05, b"s1")) == YourMove(b"s1")
    assert session.reply(b"r1") == Message(0x02, 0x00, b"r1")
    assert session.receive(Message(0x02, 0x07, b"")) == YourMove(b"")  # any non-zero operand
    session.reply(b"")
    assert session.receive(END) == MatchEnded() and session.ended


def test_a_bot_waits_on_after_a_welcome_between_states() -> None:
    session = started_bot()
    session.receive(Message(0x02, 0x05, b"s1"))
    session.reply(b"r1")
    assert isinstance(session.receive(Message(0x00, 0x03)), WelcomeReceived)
    assert session.receive(Message(0x02, 0x05, b"s2")) == YourMove(b"s2")


def test_a_bot_reports_the_whole_reason_of_an_abnormal_end() -> None:
    with pytest.raises(MatchAbortedError) as caught:
        started_bot().receive(Message(0x00, 0xFF, "bot_disconnected: bot 1 (Bø) disconnected".encode()))
    assert caught.value.reason == "bot_disconnected: bot 1 (Bø) disconnected"
    assert caught.value.reason_code == "bot_disconnected"
    assert str(caught.value) == "match aborted by the broker: bot_disconnected: bot 1 (Bø) disconnected"


@pytest.mark.parametrize("message", [
    Message(0x02, 0x00, b"x"),  # a reply sent to a bot
    Message(0x01, 0x00),        # a trigger sent to a bot
    Message(0x00, 0x11, b""),   # a batch sent to a bot
])
def test_a_bot_refuses_what_a_bot_is_never_sent(message: Message) -> None:
    with pytest.raises(ProtocolError) as caught:
        started_bot().receive(message)
    assert caught.value.code == "unexpected_message"


def test_a_bot_refuses_a_second_state_before_it_replied_and_anything_after_the_end() -> None:
    session = started_bot()
    session.receive(Message(0x02, 0x05, b"a"))
    with pytest.raises(ProtocolError):
        session.receive(Message(0x02, 0x05, b"b"))
    ended = started_bot()
    ended.receive(END)
    with pytest.raises(ProtocolError):
        ended.receive(Message(0x02, 0x05))


def test_a_game_goes_hello_batch_trigger_action_reply_trigger_end() -> None:
    session = GameSession()
    assert [line.codes for line in session.start()] == [(0x00, 0x01)]
    batch = m.encode_batch([BotInfo(0, "A"), BotInfo(1, "B")])
    assert session.receive(batch) == MatchStarted((BotInfo(0, "A"), BotInfo(1, "B")))
    assert session.receive(TRIGGER) == ActionRequested()
    assert session.act(Action.player_action(1, b"state")) == Message(0x01, 0x01, b"state")
    assert session.receive(Message(0x02, 0x00, b"move")) == ResponseReceived(b"move")
    assert session.receive(TRIGGER) == ActionRequested()
    assert session.act(Action.end_game()) == Message(0x00, 0xFE)
    assert session.receive(END) == MatchEnded() and session.ended


def test_a_game_waiting_for_a_reply_stops_at_the_first_of_two_00_ff() -> None:
    session = started_game()
    session.receive(m.encode_batch([BotInfo(0, "A")]))
    session.receive(TRIGGER)
    session.act(Action.player_action(0, b""))
    with pytest.raises(MatchAbortedError) as caught:
        session.receive(Message(0x00, 0xFF, b"bot_disconnected: bot 0 (A) disconnected"))
    assert caught.value.reason_code == "bot_disconnected" and session.ended
    with pytest.raises(ProtocolError):
        session.receive(Message(0x00, 0xFF, b"bot_disconnected: bot 0 (A) disconnected"))


@pytest.mark.parametrize("message", [TRIGGER, Message(0x02, 0x00), Message(0x02, 0x05)])
def test_a_game_refuses_anything_but_the_batch_first(message: Message) -> None:
    with pytest.raises(ProtocolError) as caught:
        started_game().receive(message)
    assert caught.value.code == "unexpected_message"


def test_a_game_refuses_a_reply_it_did_not_ask_for_and_a_bad_batch() -> None:
    session = started_game()
    session.receive(m.encode_batch([]))
    with pytest.raises(ProtocolError):
        session.receive(Message(0x02, 0x00, b"unasked"))
    with pytest.raises(ProtocolError) as caught:
        started_game().receive(Message(0x00, 0x11, b"\xff\xff"))
    assert caught.value.code == "bad_protobuf"


def test_actions_check_the_bot_index_and_serialize_protobuf_states() -> None:
    with pytest.raises(ValueError):
        Action.player_action(256, b"")
    with pytest.raises(ValueError):
        Action.player_action(-1, b"")
    from bitbroker._proto.initial_pb2 import InitialMessageProto
    action = Action.player_action(2, InitialMessageProto(botName="A"))
    assert action.bot_index == 2 and action.state == b"\x52\x01A" and not action.is_end
    assert Action.end_game().is_end
    with pytest.raises(TypeError):
        Action.player_action(0, "text")  # type: ignore[arg-type]


def test_a_game_ends_with_its_result_and_a_bot_receives_one() -> None:
    result = MatchResult((SeatResult(1, rank=2), SeatResult(0, score=1.5, rank=1)), "A wins")
    session = started_game()
    session.receive(m.encode_batch([BotInfo(0, "A"), BotInfo(1, "B")]))
    session.receive(TRIGGER)
    line = session.act(Action.end_game(result))
    assert line.codes == (0x00, 0xFE)
    in_order = MatchResult((SeatResult(0, score=1.5, rank=1), SeatResult(1, rank=2)), "A wins")
    assert arena.decode_result(line.body) == in_order  # seats in index order
    assert started_bot().receive(Message(0x00, 0x32, line.body)) == ResultReceived(in_order)
    assert session.receive(END) == MatchEnded()


@pytest.mark.parametrize("result, problem", [
    (MatchResult((SeatResult(2),)), "names bot 2"),
    (MatchResult((SeatResult(0), SeatResult(0))), "names bot 0"),
    (MatchResult((SeatResult(0, score=float("nan")),)), "score"),
    (MatchResult((), "x" * 257), "summary"),
])
def test_a_result_is_checked_when_decoded(result: MatchResult, problem: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        arena.decode_result(arena.encode_result(result), bots=2)
    assert caught.value.code == "bad_protobuf" and problem in str(caught.value)


def test_a_bot_presents_its_token_and_seat_ticket_and_a_game_its_token() -> None:
    hello, _ = BotSession("B", token="s3cret", seat=2).start()
    body = hello_of(hello)
    assert (body.token, body.HasField("seat"), body.seat) == ("s3cret", True, 2)
    assert not hello_of(BotSession("B").start()[0]).HasField("seat")  # seated by arrival
    assert hello_of(GameSession(token="t").start()[0]).token == "t"
    with pytest.raises(ValueError):
        BotSession("B", seat=255)


def test_the_token_and_seat_default_to_their_environment_variables() -> None:
    assert resolve_token(None, {}) == "" and resolve_token(None, {"BITBROKER_TOKEN": "t"}) == "t"
    assert resolve_token("given", {"BITBROKER_TOKEN": "t"}) == "given"
    assert resolve_seat(None, {}) is None and resolve_seat(None, {"BITBROKER_SEAT": " 7 "}) == 7
    assert resolve_seat(3, {"BITBROKER_SEAT": "7"}) == 3
    for bad in ("x", "-1", "255", "1000"):
        with pytest.raises(ValueError, match="BITBROKER_SEAT"):
            resolve_seat(None, {"BITBROKER_SEAT": bad})
