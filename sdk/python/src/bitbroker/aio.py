"""The asyncio variant: AsyncBaseBot and AsyncBaseGame, with ``async`` user methods and ``await run()``.

Same pure sessions as the blocking API (session.py); only the socket loop differs.
"""
from __future__ import annotations

import abc
import asyncio
from collections import deque
from typing import Awaitable, Callable, Deque, List, Optional, Tuple, TypeVar

from .connection import (CONNECT_TIMEOUT_S_DEFAULT, RECV_BYTES, ConnectRetry, SessionLog, resolve_room,
                         resolve_seat, resolve_token)
from .errors import ConnectionLostError, ReadTimeoutError
from .game import bots_of
from .message import LINE_BYTES_MAX_DEFAULT, LineDecoder, Message, encode_line
from .session import (ActionRequested, BotEvent, BotSession, GameEvent, GameSession, MatchEnded,
                      MatchStarted, ResponseReceived, ResultReceived, Session, YourMove)
from .types import Action, BotInfo, MatchResult, Payload, to_bytes

EventT = TypeVar("EventT")


class AsyncConnection:
    """One asyncio stream to the broker, speaking v1 lines."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 read_timeout_s: Optional[float], line_bytes_max: int,
                 address: Tuple[str, int] = ("", 0)) -> None:
        self._reader, self._writer = reader, writer
        self.address = address
        self._read_timeout_s = read_timeout_s
        self._decoder = LineDecoder(line_bytes_max)
        self._inbox: Deque[Message] = deque()
        self._send_error: Optional[Exception] = None

    @classmethod
    async def open(cls, host: str, port: int, *, connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
                   read_timeout_s: Optional[float] = None,
                   line_bytes_max: int = LINE_BYTES_MAX_DEFAULT) -> "AsyncConnection":
        """Connects, retrying until ``connect_timeout_s`` has passed."""
        retry = ConnectRetry(host, port, connect_timeout_s, asyncio.get_running_loop().time)
        while True:
            attempt_s = retry.attempt_s()
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), attempt_s)
            except (OSError, asyncio.TimeoutError) as error:
                await asyncio.sleep(retry.failed(error))
                continue
            return cls(reader, writer, read_timeout_s, line_bytes_max, (host, port))

    async def send(self, message: Message) -> None:
        """Sends one line; a failure is kept for :meth:`receive` to report (see Connection.send)."""
        if self._send_error is not None:
            return
        try:
            self._writer.write(encode_line(message))
            await self._writer.drain()
        except OSError as error:
            self._send_error = error

    async def receive(self) -> Message:
        """The next message; raises ProtocolError, ConnectionLostError or ReadTimeoutError."""
        while not self._inbox:
            try:
                chunk = await asyncio.wait_for(self._reader.read(RECV_BYTES), self._read_timeout_s)
            except asyncio.TimeoutError:
                raise ReadTimeoutError("no message from the broker within the read timeout") from None
            except OSError as error:
                raise ConnectionLostError(f"connection to the broker broke: {error}") from None
            if not chunk:
                raise ConnectionLostError("the broker closed the connection before the match ended")
            self._inbox.extend(self._decoder.push(chunk))
        return self._inbox.popleft()

    async def close(self) -> None:
        """Closes the stream."""
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except OSError:
            pass

    async def __aenter__(self) -> "AsyncConnection":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


async def play_session(session: Session[EventT], connection: AsyncConnection,
                       handle: Callable[[EventT], Awaitable[Optional[Message]]]) -> None:
    """The asyncio twin of connection.play_session: opening lines, then events to ``handle``
    until the normal end; the session raises for any other end."""
    session_log = SessionLog(session, connection.address)
    for line in session.start():
        await connection.send(line)
    session_log.connected()
    while True:
        message = await connection.receive()
        event = session.receive(message)
        session_log.received(message, event)
        if isinstance(event, MatchEnded):
            return
        reply = await handle(event)
        if reply is not None:
            await connection.send(reply)


class AsyncBaseBot(abc.ABC):
    """The asyncio twin of BaseBot: ``async def decide_move``, ``await bot.run(host, port)``."""

    NAME: str = ""

    @property
    def name(self) -> str:
        """The name sent to the broker (the class name if NAME is empty)."""
        return self.NAME or type(self).__name__

    @abc.abstractmethod
    async def decide_move(self, state: bytes) -> Payload:
        """Returns the reply to ``state``: bytes, or a protobuf message."""

    async def match_result(self, result: MatchResult) -> None:
        """Called once before a normal end with the game's result (see BaseBot.match_result)."""

    async def run(self, host: str = "127.0.0.1", port: int = 7878, *,
                  room: Optional[str] = None,
                  token: Optional[str] = None,
                  seat: Optional[int] = None,
                  connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
                  read_timeout_s: Optional[float] = None,
                  line_bytes_max: int = LINE_BYTES_MAX_DEFAULT) -> None:
        """Plays one match; takes the options and raises as BaseBot.run does."""
        session = BotSession(self.name, resolve_room(room), resolve_token(token), resolve_seat(seat))
        async with await AsyncConnection.open(host, port, connect_timeout_s=connect_timeout_s,
                                              read_timeout_s=read_timeout_s,
                                              line_bytes_max=line_bytes_max) as connection:
            await play_bot(self, session, connection)


class AsyncBaseGame(abc.ABC):
    """The asyncio twin of BaseGame: async ``initialise``, ``next_action``, ``deliver_response``."""

    @abc.abstractmethod
    async def initialise(self, bots: List[BotInfo]) -> None:
        """Called once when the match starts, with every bot in index order."""

    @abc.abstractmethod
    async def next_action(self) -> Action:
        """Returns ``Action.player_action(index, state)`` or ``Action.end_game()``."""

    @abc.abstractmethod
    async def deliver_response(self, response: bytes) -> None:
        """Called with the reply of the bot the last player action asked."""

    async def run(self, host: str = "127.0.0.1", port: int = 7878, *,
                  room: Optional[str] = None,
                  bots: Optional[int] = None,
                  token: Optional[str] = None,
                  connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
                  read_timeout_s: Optional[float] = None,
                  line_bytes_max: int = LINE_BYTES_MAX_DEFAULT) -> None:
        """Runs one match; takes the options and raises as BaseGame.run does."""
        session = GameSession(resolve_room(room), bots_of(bots), resolve_token(token))
        async with await AsyncConnection.open(host, port, connect_timeout_s=connect_timeout_s,
                                              read_timeout_s=read_timeout_s,
                                              line_bytes_max=line_bytes_max) as connection:
            await play_game(self, session, connection)


async def play_bot(bot: AsyncBaseBot, session: BotSession, connection: AsyncConnection) -> None:
    """Drives one bot session over an open connection until its end (see bot.play_bot)."""

    async def answer(event: BotEvent) -> Optional[Message]:
        if isinstance(event, YourMove):
            return session.reply(to_bytes(await bot.decide_move(event.state)))
        if isinstance(event, ResultReceived):
            await bot.match_result(event.result)
        return None

    await play_session(session, connection, answer)


async def play_game(game: AsyncBaseGame, session: GameSession, connection: AsyncConnection) -> None:
    """Drives one game session over an open connection until its end (see game.play_game)."""

    async def act(event: GameEvent) -> Optional[Message]:
        if isinstance(event, MatchStarted):
            await game.initialise(list(event.bots))
        elif isinstance(event, ActionRequested):
            return session.act(await game.next_action())
        elif isinstance(event, ResponseReceived):
            await game.deliver_response(event.response)
        return None

    await play_session(session, connection, act)
