"""Pure v1 sessions of a bot and of a game (docs/PROTOCOL.md §5): messages in, events out.

No sockets, clocks or user code here; the socket loops in bot.py, game.py and aio.py drive them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Protocol, Tuple, TypeVar, Union

from . import message as m
from .errors import MatchAbortedError, ProtocolError
from .message import Message
from .types import Action, BotInfo


@dataclass(frozen=True)
class YourMove:
    """Bot event: the broker asks for a move on ``state`` (``02 05``)."""

    state: bytes


@dataclass(frozen=True)
class MatchStarted:
    """Game event: the match starts with these bots, in index order (``00 11``)."""

    bots: Tuple[BotInfo, ...]


@dataclass(frozen=True)
class ActionRequested:
    """Game event: the broker wants the game's next action (the trigger ``01 00``)."""


@dataclass(frozen=True)
class ResponseReceived:
    """Game event: the asked bot's reply, relayed by the broker (``02 00``)."""

    response: bytes


@dataclass(frozen=True)
class MatchEnded:
    """Bot and game event: ``00 FF``. ``reason`` is None for a normal end (§6)."""

    reason: Optional[str]

    @property
    def aborted(self) -> bool:
        """True when the broker ended the match abnormally."""
        return self.reason is not None


BotEvent = Union[YourMove, MatchEnded]
GameEvent = Union[MatchStarted, ActionRequested, ResponseReceived, MatchEnded]
EventT_co = TypeVar("EventT_co", covariant=True)


class Session(Protocol[EventT_co]):
    """What a socket loop needs of a session: BotSession and GameSession are both one."""

    def start(self) -> List[Message]:
        """The opening lines."""

    def receive(self, message: Message) -> EventT_co:
        """Turns one message from the broker into an event; raises ProtocolError."""


def match_over(event: object) -> bool:
    """True when ``event`` ends the match; raises MatchAbortedError if the broker aborted it (§6)."""
    if not isinstance(event, MatchEnded):
        return False
    if event.reason is not None:
        raise MatchAbortedError(event.reason)
    return True


def _match_ended(message: Message) -> MatchEnded:
    # PROTOCOL.md §6: the reason in the body is the only mark of an abnormal end.
    if not message.body:
        return MatchEnded(None)
    return MatchEnded(message.body.decode("utf-8", errors="replace"))


def _unexpected(message: Message, state: str) -> ProtocolError:
    return ProtocolError("unexpected_message", f"{message!r} is not allowed while {state}")


class _SessionBase:
    """What both sides share: ``start()`` once and first, nothing after ``00 FF`` (§6)."""

    def __init__(self) -> None:
        self._state = "new"

    @property
    def ended(self) -> bool:
        """True once ``00 FF`` has arrived."""
        return self._state == "ended"

    def _begin(self, state: str) -> None:
        assert self._state == "new", "start() is called once"
        self._state = state

    def _receive_end(self, message: Message) -> Optional[MatchEnded]:
        """The end of the match if ``message`` is ``00 FF``, else None; raises once it has ended."""
        assert self._state != "new", "start() comes first"
        if self._state == "ended":
            raise _unexpected(message, "the match has ended")
        if message.codes == m.END:
            self._state = "ended"
            return _match_ended(message)
        return None


class BotSession(_SessionBase):
    """A bot's side of one match: hello and name, then one reply per ``02 05``."""

    def __init__(self, name: str) -> None:
        super().__init__()  # new → waiting ⇄ deciding → ended
        self.name = name

    def start(self) -> List[Message]:
        """The opening lines: hello (``00 02``) and name (``00 22``)."""
        self._begin("waiting")
        return [m.bot_hello(), m.bot_name(self.name)]

    def receive(self, message: Message) -> BotEvent:
        """Turns one message from the broker into an event; raises ProtocolError."""
        ended = self._receive_end(message)
        if ended is not None:
            return ended
        # PROTOCOL.md §3: "your move" has opcode 02 and a non-zero operand; 02 00 is an error.
        if message.opcode == 0x02 and message.operand != 0x00 and self._state == "waiting":
            self._state = "deciding"
            return YourMove(message.body)
        raise _unexpected(message, f"the bot is {self._state}")

    def reply(self, response: bytes) -> Message:
        """The ``02 00`` line answering the last YourMove."""
        assert self._state == "deciding", "reply() answers a YourMove"
        self._state = "waiting"
        return m.reply(response)


class GameSession(_SessionBase):
    """The game's side of one match: hello, batch, then trigger → action (→ reply) until the end."""

    # States: new → batch → trigger → deciding → (reply → trigger | end) ; any → ended

    def start(self) -> List[Message]:
        """The opening line: hello (``00 01``)."""
        self._begin("batch")
        return [m.game_hello()]

    def receive(self, message: Message) -> GameEvent:
        """Turns one message from the broker into an event; raises ProtocolError."""
        # §6: a game waiting for a reply may get 00 FF twice; the loop stops at the first.
        ended = self._receive_end(message)
        if ended is not None:
            return ended
        state = self._state
        if state == "batch" and message.codes == m.BATCH:
            self._state = "trigger"
            return MatchStarted(tuple(m.decode_batch(message.body)))
        if state == "trigger" and message.codes == m.TRIGGER:
            self._state = "deciding"
            return ActionRequested()
        if state == "reply" and message.codes == m.REPLY:
            self._state = "trigger"
            return ResponseReceived(message.body)
        raise _unexpected(message, f"the game is in state {state!r}")

    def act(self, action: Action) -> Message:
        """The line for the game's action, after an ActionRequested."""
        if not isinstance(action, Action):
            raise TypeError(f"next_action must return an Action, got {type(action).__name__}")
        assert self._state == "deciding", "act() answers an ActionRequested"
        if action.bot_index is None:
            self._state = "end"
            return m.end_game()
        self._state = "reply"
        return m.ask_bot(action.bot_index, action.state)
