"""Pure sessions of a bot and of a game (docs/PROTOCOL.md §5, §9, §10): messages in, events out.

What each side does with each message in each state is test/vectors/session.json, which the
tests replay. No sockets, clocks, logging or user code here; the loops in connection.py and
aio.py drive these.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Protocol, Sequence, Tuple, TypeVar, Union

from . import arena
from . import message as m
from ._version import CLIENT_NAME, __version__
from .errors import MatchAbortedError, ProtocolError, error_for_reason
from .message import Message
from .types import Action, BotInfo, MatchResult, MoveMissed, MoveTiming, TimeRules, TurnTiming, Welcome

# Features every SDK asks for in its Hello (PROTOCOL.md §9.3): the match's result before the end.
FEATURES = ("results",)


def features(timing: bool = False, frames: bool = True) -> Tuple[str, ...]:
    """The features a client asks for, in the order every SDK sends them (test/vectors/session.json
    "hello_features"): ``results``, then ``timing`` (§9.5) and ``frames`` (§11) when wanted."""
    return FEATURES + (("timing",) if timing else ()) + (("frames",) if frames else ())


@dataclass(frozen=True)
class YourMove:
    """Bot event: the broker asks for a move on ``state`` (``02 xx``, xx ≠ 0)."""

    state: bytes


@dataclass(frozen=True)
class WelcomeReceived:
    """Bot and game event: the broker's ``Welcome`` (``00 03``), before the match (§9.1)."""

    welcome: Welcome


@dataclass(frozen=True)
class TimingReceived:
    """Bot event: the time it has for the state that follows (``00 30``, §9.5; only to a bot
    that asked for ``timing``)."""

    timing: MoveTiming


@dataclass(frozen=True)
class MoveMissedReceived:
    """Game event: under SKIP, the asked bot missed its deadline (``00 31``, §9.5); no reply
    comes, a trigger follows."""

    missed: MoveMissed


@dataclass(frozen=True)
class ResultReceived:
    """Bot event: the match's result as the game reported it (``00 32``), just before the end."""

    result: MatchResult


@dataclass(frozen=True)
class MatchStarted:
    """Game event: the match starts with these bots, in the order the batch lists them (``00 11``)."""

    bots: Tuple[BotInfo, ...]


@dataclass(frozen=True)
class ActionRequested:
    """Game event: the broker wants the game's next action (the trigger ``01 00``); ``timing``
    is the last turn's, when the game asked for ``timing`` (§9.5)."""

    timing: Optional[TurnTiming] = None


@dataclass(frozen=True)
class ResponseReceived:
    """Game event: the asked bot's reply, relayed by the broker (``02 00``)."""

    response: bytes


@dataclass(frozen=True)
class MatchEnded:
    """Bot and game event: the normal end of the match (an empty ``00 FF``; for the game, after
    its own ``00 FE``). Every other end raises a BrokerEndedError instead (§10)."""


BotEvent = Union[YourMove, WelcomeReceived, TimingReceived, ResultReceived, MatchEnded]
GameEvent = Union[WelcomeReceived, MatchStarted, ActionRequested, ResponseReceived, MoveMissedReceived,
                  MatchEnded]
EventT_co = TypeVar("EventT_co", covariant=True)


class Session(Protocol[EventT_co]):
    """What a socket loop needs of a session: BotSession and GameSession are both one."""

    @property
    def who(self) -> str:
        """Who this client is, for log lines: ``bot 'Name'`` or ``game``."""

    @property
    def room(self) -> str:
        """The room asked for in the Hello (``""``: the default room)."""

    def start(self) -> List[Message]:
        """The opening lines."""

    def receive(self, message: Message) -> EventT_co:
        """Turns one message from the broker into an event; raises ProtocolError or a
        BrokerEndedError (MatchAbortedError, RefusedError, BrokerShutdownError)."""


def hello_body(room: str, bots: int = 0, token: str = "", seat: Optional[int] = None,
               features: Sequence[str] = FEATURES, time: Optional[TimeRules] = None) -> bytes:
    """This SDK's ``Hello`` (§9.1): the room, the client's name and version, its features, and the
    access token (§9.6), a game's line-up size and time rules (§9.5) and a bot's seat ticket
    (§9.7) when given."""
    return arena.encode_hello(room=room, client=CLIENT_NAME, client_version=__version__, bots=bots,
                              features=features, token=token, seat=seat, time=time)


def _unexpected(message: Message, state: str) -> ProtocolError:
    return ProtocolError("unexpected_message", f"{message!r} is not allowed while {state}")


class _SessionBase:
    """What both sides share: ``start()`` once and first, nothing after ``00 FF`` (§6)."""

    def __init__(self, room: str, token: str, features: Sequence[str]) -> None:
        self._state = "new"
        self._room = room
        self._token = token  # PROTOCOL.md §9.6: never logged
        self.features = tuple(features)

    @property
    def room(self) -> str:
        """The room asked for in the Hello (``""``: the default room)."""
        return self._room

    @property
    def ended(self) -> bool:
        """True once ``00 FF`` has arrived."""
        return self._state == "ended"

    def _begin(self, state: str) -> None:
        assert self._state == "new", "start() is called once"
        self._state = state

    def _check_open(self, message: Message) -> None:
        assert self._state != "new", "start() comes first"
        if self._state == "ended":
            # §6: a game waiting for a reply may get 00 FF twice; the loop stops at the first.
            raise _unexpected(message, "the match has ended")

    def _end(self, message: Message, normal_state: str) -> MatchEnded:
        """``00 FF``: the normal end if empty and the session is in ``normal_state``, else the
        error its reason's code says (§6.1); an empty one elsewhere is an aborted match (§10)."""
        state, self._state = self._state, "ended"
        if message.body:
            raise error_for_reason(message.body.decode("utf-8", errors="replace"))
        if state != normal_state:
            raise MatchAbortedError("")
        return MatchEnded()


class BotSession(_SessionBase):
    """A bot's side of one match: hello and name, then one reply per state."""

    def __init__(self, name: str, room: str = "", token: str = "", seat: Optional[int] = None,
                 features: Sequence[str] = FEATURES) -> None:
        super().__init__(room, token, features)  # new → waiting ⇄ deciding → ended
        if seat is not None and not 0 <= seat <= 254:
            raise ValueError(f"seat must be 0..254, got {seat}")
        self.name = name
        self.seat = seat

    @property
    def who(self) -> str:
        """``bot 'Name'``, for log lines."""
        return f"bot {self.name!r}"

    def start(self) -> List[Message]:
        """The opening lines: hello (``00 02`` + Hello) and name (``00 22``)."""
        self._begin("waiting")
        hello = hello_body(self._room, token=self._token, seat=self.seat, features=self.features)
        return [m.bot_hello(hello), m.bot_name(self.name)]

    def receive(self, message: Message) -> BotEvent:
        """Turns one message from the broker into an event; raises ProtocolError or a
        BrokerEndedError."""
        self._check_open(message)
        if message.codes == m.END:
            return self._end(message, "waiting")
        if self._state == "waiting":
            # PROTOCOL.md §3: "your move" is 02 with any non-zero operand; 02 00 is a reply.
            if message.opcode == 0x02 and message.operand != 0x00:
                self._state = "deciding"
                return YourMove(message.body)
            # §9.1: a bot takes note of a Welcome whenever it waits.
            if message.codes == m.WELCOME:
                return WelcomeReceived(arena.decode_welcome(message.body))
            # §9.4: the result, to a bot that asked for results; a bot does not know how many
            # bots its match has, so any index the operand byte can name.
            if message.codes == m.RESULT:
                return ResultReceived(arena.decode_result(message.body))
            if message.codes == m.MOVE_TIMING:
                return TimingReceived(arena.decode_move_timing(message.body))
        raise _unexpected(message, f"the bot is {self._state}")

    def reply(self, response: bytes) -> Message:
        """The ``02 00`` line answering the last YourMove."""
        assert self._state == "deciding", "reply() answers a YourMove"
        self._state = "waiting"
        return m.reply(response)


class GameSession(_SessionBase):
    """The game's side of one match: hello, batch, then trigger → action (→ reply) until the end."""

    # States: new → batch → trigger → deciding → (reply → trigger | end) ; any → ended

    def __init__(self, room: str = "", bots: int = 0, token: str = "", features: Sequence[str] = FEATURES,
                 time: Optional[TimeRules] = None) -> None:
        super().__init__(room, token, features)
        if not 0 <= bots <= 0xFF:
            raise ValueError(f"bots must be 1..255, got {bots}")
        self.bots = bots
        self.time = time

    @property
    def who(self) -> str:
        """``game``, for log lines."""
        return "game"

    def start(self) -> List[Message]:
        """The opening line: hello (``00 01`` + Hello)."""
        self._begin("batch")
        return [m.game_hello(hello_body(self._room, self.bots, self._token, features=self.features, time=self.time))]

    def receive(self, message: Message) -> GameEvent:
        """Turns one message from the broker into an event; raises ProtocolError or a
        BrokerEndedError."""
        self._check_open(message)
        if message.codes == m.END:
            # §10: an empty 00 FF is the normal end only after the game's own 00 FE.
            return self._end(message, "end")
        state = self._state
        if state == "batch" and message.codes == m.BATCH:
            self._state = "trigger"
            return MatchStarted(tuple(m.decode_batch(message.body)))
        if state == "batch" and message.codes == m.WELCOME:
            return WelcomeReceived(arena.decode_welcome(message.body))
        if state == "trigger" and message.codes == m.TRIGGER:
            timing = arena.decode_turn_timing(message.body) if message.body else None
            self._state = "deciding"
            return ActionRequested(timing)
        if state == "reply" and message.codes == m.REPLY:
            self._state = "trigger"
            return ResponseReceived(message.body)
        if state == "reply" and message.codes == m.MOVE_MISSED:
            missed = arena.decode_move_missed(message.body)
            self._state = "trigger"
            return MoveMissedReceived(missed)
        raise _unexpected(message, f"the game is in state {state!r}")

    def act(self, action: Action) -> Message:
        """The line for the game's action, after an ActionRequested."""
        if not isinstance(action, Action):
            raise TypeError(f"next_action must return an Action, got {type(action).__name__}")
        assert self._state == "deciding", "act() answers an ActionRequested"
        if action.bot_index is None:
            self._state = "end"
            return m.end_game(arena.encode_result(action.result) if action.result else b"")
        self._state = "reply"
        return m.ask_bot(action.bot_index, action.state)
