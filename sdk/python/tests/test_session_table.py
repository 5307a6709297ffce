"""The shared client-session table (test/vectors/session.json, docs/PROTOCOL.md §10): every case,
the SDK's error codes, the reason-code mapping and the defaults. Pure: no sockets."""
from __future__ import annotations

import inspect
import json
from typing import Any, Dict, List, Set, Union

import pytest

import bitbroker
import bitbroker.aio
from bitbroker import Action, BitBrokerError, BotInfo, MatchResult, SeatResult, connection, errors
from bitbroker import arena
from bitbroker import message as m
from bitbroker.message import LINE_BYTES_MAX_DEFAULT, Message
from bitbroker._proto import arena_pb2
from bitbroker.session import (ActionRequested, BotSession, GameSession, MatchEnded, MatchStarted,
                               MoveMissedReceived, ResponseReceived, ResultReceived, TimingReceived,
                               WelcomeReceived, YourMove)
from bitbroker.session import features as session_features
from bitbroker.types import MoveMissed, MoveTiming, TurnTiming

from conftest import ROOT

TABLE = json.loads((ROOT / "test/vectors/session.json").read_text(encoding="utf-8"))
CASES: List[Dict[str, Any]] = TABLE["cases"]
AnySession = Union[BotSession, GameSession]


def fresh(side: str) -> AnySession:
    """A session right after its opening lines: a bot after hello and name, a game after hello."""
    session: AnySession = BotSession("Bot") if side == "bot" else GameSession()
    session.start()
    return session


def apply(session: AnySession, step: str) -> None:
    words = step.split()
    if words[0] == "recv":
        session.receive(Message.from_bytes(bytes.fromhex(words[1])))  # must give an event
    elif words[:2] == ["act", "play"]:
        assert isinstance(session, GameSession)
        session.act(Action.player_action(int(words[2]), bytes.fromhex(words[3])))
    elif words[:2] == ["act", "end"]:
        assert isinstance(session, GameSession)
        result = arena.decode_result(bytes.fromhex(words[2])) if len(words) > 2 else None
        line = session.act(Action.end_game(result))
        assert line.to_bytes().hex() == "00fe" + (words[2] if len(words) > 2 else "")
    else:
        pytest.fail(f"unknown path step {step!r}")


def event_of(expect: Dict[str, Any]) -> object:
    kind = expect["event"]
    if kind == "move":
        return YourMove(bytes.fromhex(expect["body_hex"]))
    if kind == "reply":
        return ResponseReceived(bytes.fromhex(expect["body_hex"]))
    if kind == "start":
        return MatchStarted(tuple(BotInfo(b["index"], b["name"]) for b in expect["bots"]))
    if kind == "result":
        seats = tuple(SeatResult(s["index"], s.get("score"), s.get("rank")) for s in expect["seats"])
        return ResultReceived(MatchResult(seats, expect["summary"]))
    if kind == "timing":
        return TimingReceived(MoveTiming(expect["move_ms"], expect["bank_ms"], expect["deadline_ms"]))
    if kind == "missed":
        return MoveMissedReceived(MoveMissed(expect["bot"], expect["deadline_ms"]))
    if kind == "trigger" and "timing" in expect:
        t = expect["timing"]
        return ActionRequested(TurnTiming(t["bot"], t["think_ms"], t["bank_ms"], t["missed"]))
    simple = {"end": MatchEnded(), "trigger": ActionRequested()}
    if kind in simple:
        return simple[kind]
    assert kind == "welcome", kind
    return WelcomeReceived


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_session_case_gives_the_tables_event_or_error(case: Dict[str, Any]) -> None:
    session = fresh(case["side"])
    for step in case["path"]:
        apply(session, step)
    received = Message.from_bytes(bytes.fromhex(case["receive_hex"]))
    expect = case["expect"]
    if "event" in expect:
        event = session.receive(received)
        want = event_of(expect)
        if want is WelcomeReceived:
            assert isinstance(event, WelcomeReceived)
        else:
            assert event == want
        return
    with pytest.raises(BitBrokerError) as caught:
        session.receive(received)
    assert caught.value.code == expect["error"], caught.value
    if "reason_code" in expect:
        assert isinstance(caught.value, errors.BrokerEndedError)
        assert caught.value.reason_code == expect["reason_code"]
        assert caught.value.reason == expect["reason"]


def test_the_table_covers_every_event_and_both_sides() -> None:
    events = {c["expect"].get("event") for c in CASES} - {None}
    assert events == {"move", "end", "welcome", "result", "timing", "start", "trigger", "reply", "missed"}
    assert {c["side"] for c in CASES} == {"bot", "game"}


def sdk_error_codes() -> Set[str]:
    """Every code an SDK exception class raised has, ProtocolError's own codes included."""
    classes = [c for c in vars(errors).values() if inspect.isclass(c) and issubclass(c, BitBrokerError)
               and c is not BitBrokerError and "code" in vars(c)]
    protocol = {"bad_base64", "short_envelope", "unknown_opcode", "line_too_long", "bad_protobuf",
                "unexpected_message"}
    return {c.code for c in classes} | protocol


def test_the_sdk_error_codes_are_exactly_the_tables() -> None:
    assert sdk_error_codes() == {e["code"] for e in TABLE["errors"]}


@pytest.mark.parametrize("reason", TABLE["end_reasons"], ids=[r["code"] for r in TABLE["end_reasons"]])
def test_each_reason_code_maps_to_the_tables_error(reason: Dict[str, str]) -> None:
    assert errors.REASON_ERRORS[reason["code"]].code == reason["error"]
    error = errors.error_for_reason(reason["example"])
    assert (error.code, error.reason_code, error.reason) == (reason["error"], reason["code"], reason["example"])


def test_the_sdk_knows_no_reason_code_beyond_the_table() -> None:
    assert set(errors.REASON_ERRORS) == {r["code"] for r in TABLE["end_reasons"]}


def test_the_defaults_are_the_tables() -> None:
    defaults = TABLE["defaults"]
    assert connection.CONNECT_TIMEOUT_S_DEFAULT * 1000 == defaults["connect_timeout_ms"]
    assert connection.RETRY_FIRST_DELAY_S * 1000 == defaults["connect_retry_first_delay_ms"]
    assert connection.RETRY_MAX_DELAY_S * 1000 == defaults["connect_retry_max_delay_ms"]
    assert LINE_BYTES_MAX_DEFAULT == defaults["line_bytes_max"]
    assert connection.READ_TIMEOUT_S_DEFAULT is None and defaults["read_timeout_ms"] is None
    # …and they are what BaseBot.run, BaseGame.run and the asyncio variants take by default.
    for run in (bitbroker.BaseBot.run, bitbroker.BaseGame.run,
                bitbroker.aio.AsyncBaseBot.run, bitbroker.aio.AsyncBaseGame.run):
        params = inspect.signature(run).parameters
        assert params["connect_timeout_s"].default == connection.CONNECT_TIMEOUT_S_DEFAULT
        assert params["read_timeout_s"].default is None
        assert params["line_bytes_max"].default == LINE_BYTES_MAX_DEFAULT


def test_where_to_connect_and_what_to_ask_for_by_default_are_the_tables() -> None:
    defaults = TABLE["defaults"]
    assert (connection.HOST_DEFAULT, connection.PORT_DEFAULT) == (defaults["host"], defaults["port"])
    for run in (bitbroker.BaseBot.run, bitbroker.BaseGame.run,
                bitbroker.aio.AsyncBaseBot.run, bitbroker.aio.AsyncBaseGame.run):
        params = inspect.signature(run).parameters
        assert params["host"].default is None and params["port"].default is None  # then the environment
        assert (params["timing"].default, params["frames"].default) == (defaults["timing"], defaults["frames"])


@pytest.mark.parametrize("case", TABLE["hello_features"]["cases"], ids=lambda c: json.dumps(c["options"]))
def test_the_hello_asks_for_the_tables_features_in_its_order(case: Dict[str, Any]) -> None:
    options = {"timing": TABLE["defaults"]["timing"], "frames": TABLE["defaults"]["frames"], **case["options"]}
    wanted = session_features(**options)
    assert list(wanted) == case["features"]
    for session in (BotSession("B", features=wanted), GameSession(features=wanted)):
        hello = session.start()[0]
        assert list(arena_pb2.Hello.FromString(hello.body).features) == case["features"]


ENVIRONMENT: List[Dict[str, Any]] = TABLE["environment"]["cases"]


@pytest.mark.parametrize("case", ENVIRONMENT, ids=[c["name"] for c in ENVIRONMENT])
def test_each_environment_case_gives_the_tables_address_room_seat_and_token(case: Dict[str, Any]) -> None:
    args, env, expect = case.get("args", {}), case["env"], case["expect"]

    def resolved() -> Dict[str, Any]:
        host, port = connection.resolve_address(args.get("host"), args.get("port"), env)
        return {"host": host, "port": port, "room": connection.resolve_room(args.get("room"), env),
                "seat": connection.resolve_seat(args.get("seat"), env),
                "token": connection.resolve_token(args.get("token"), env)}

    if "error" in expect:
        with pytest.raises(ValueError) as caught:
            resolved()
        assert str(caught.value) == expect["error"]
    else:
        assert resolved() == expect
