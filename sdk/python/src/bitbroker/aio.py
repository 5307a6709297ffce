"""The asyncio variant: AsyncBaseBot and AsyncBaseGame, with ``async`` user methods and ``await run()``.

Same pure sessions as the blocking API (session.py); only the socket loop differs.
"""
from __future__ import annotations

import abc
import asyncio
import functools
import socket
import ssl
from collections import deque
from typing import Awaitable, Callable, Deque, List, Optional, Tuple, TypeVar, cast

from .bot import ClockKeeper
from .clock import MoveClock
from .connection import (ATTEMPT_MIN_S, CONNECT_TIMEOUT_S_DEFAULT, RECV_BYTES, RECV_BYTES_MAX, ConnectRetry,
                         check_port, resolve_address, resolve_room, resolve_seat, resolve_token)
from .loop import SessionLog
from .errors import ConnectionLostError, ReadTimeoutError
from .frames import Wire
from .tls import ResolvedTls, TlsOption, resolve_tls, tls_failed
from .game import TimeOption, bots_of, time_of
from .message import LINE_BYTES_MAX_DEFAULT, Message
from .session import (ActionRequested, BotEvent, BotSession, GameEvent, GameSession, MatchEnded,
                      MatchStarted, MoveMissedReceived, ResponseReceived, ResultReceived, Session,
                      TimingReceived, YourMove, features)
from .types import Action, BotInfo, MatchResult, MoveMissed, Payload, TurnTiming, to_bytes

EventT = TypeVar("EventT")


async def tls_handshake(tcp: socket.socket, host: str, port: int, tls: ResolvedTls,
                        limit_s: float) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """The TLS handshake over a connected socket (see connection.handshake)."""
    tcp.setblocking(False)
    try:
        return await asyncio.open_connection(sock=tcp, ssl=tls.context(), server_hostname=tls.server_name or host,
                                             ssl_handshake_timeout=limit_s)
    except (OSError, ssl.SSLError, asyncio.TimeoutError) as error:
        tcp.close()
        raise tls_failed(host, port, tls, error) from None


class AsyncConnection:
    """One asyncio stream to the broker: v1 lines, then v2 frames once a Welcome grants them
    (when ``frames``, docs/PROTOCOL.md §11)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 read_timeout_s: Optional[float], line_bytes_max: int,
                 address: Tuple[str, int] = ("", 0), frames: bool = True,
                 tls: Optional[ResolvedTls] = None) -> None:
        self._reader, self._writer = reader, writer
        self.address = address
        self.tls = tls
        self._read_timeout_s = read_timeout_s
        self._wire = Wire(line_bytes_max, frames)
        self._inbox: Deque[Message] = deque()
        self._send_error: Optional[Exception] = None

    @property
    def frames(self) -> bool:
        """True once this connection speaks v2 frames."""
        return self._wire.frames

    @classmethod
    async def open(cls, host: str, port: int, *, connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
                   read_timeout_s: Optional[float] = None,
                   line_bytes_max: int = LINE_BYTES_MAX_DEFAULT, frames: bool = True,
                   tls: Optional[ResolvedTls] = None) -> "AsyncConnection":
        """Connects, retrying until ``connect_timeout_s`` has passed; with ``tls``, a handshake
        that fails once TCP is up fails at once (ConnectFailedError), as Connection.open."""
        check_port(host, port)
        loop = asyncio.get_running_loop()
        retry = ConnectRetry(host, port, connect_timeout_s, loop.time)
        while True:
            attempt_s = retry.attempt_s()
            try:
                if tls is None:
                    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), attempt_s)
                else:  # TCP first (retried), then the handshake (not retried)
                    connect = functools.partial(socket.create_connection, (host, port), attempt_s)
                    tcp = await loop.run_in_executor(None, connect)
            except (OSError, asyncio.TimeoutError) as error:
                await asyncio.sleep(retry.failed(error))
                continue
            if tls is not None:
                reader, writer = await tls_handshake(tcp, host, port, tls, max(attempt_s, ATTEMPT_MIN_S))
            sock = writer.get_extra_info("socket")
            if sock is not None:  # asyncio sets TCP_NODELAY itself on Python 3.7+; made sure here
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return cls(reader, writer, read_timeout_s, line_bytes_max, (host, port), frames, tls)

    async def send(self, message: Message) -> None:
        """Sends one message; a failure is kept for :meth:`receive` to report (see Connection.send)."""
        if self._send_error is not None:
            return
        try:
            for part in self._wire.encode_parts(message):
                self._writer.write(part)
            await self._writer.drain()
        except OSError as error:
            self._send_error = error

    async def receive(self) -> Message:
        """The next message; raises ProtocolError, ConnectionLostError or ReadTimeoutError."""
        while not self._inbox:
            try:
                wanted = min(max(RECV_BYTES, self._wire.bytes_wanted()), RECV_BYTES_MAX)
                chunk = await asyncio.wait_for(self._reader.read(wanted), self._read_timeout_s)
            except asyncio.TimeoutError:
                raise ReadTimeoutError("no message from the broker within the read timeout") from None
            except OSError as error:
                raise ConnectionLostError(f"connection to the broker broke: {error}") from None
            if not chunk:
                raise ConnectionLostError("the broker closed the connection before the match ended")
            self._inbox.extend(self._wire.push(chunk))
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
    """The asyncio twin of loop.play_session: opening lines, then events to ``handle``
    until the normal end; the session raises for any other end."""
    session_log = SessionLog(session, connection.address, connection.tls)
    for line in session.start():
        await connection.send(line)
    session_log.connected()
    while True:
        message = await connection.receive()
        event = session.receive(message)
        session_log.received(message, event, connection.frames)
        if isinstance(event, MatchEnded):
            return
        reply = await handle(event)
        if reply is not None:
            await connection.send(reply)


class AsyncBaseBot(abc.ABC):
    """The asyncio twin of BaseBot: ``async def decide_move``, ``await bot.run(host, port)``."""

    NAME: str = ""

    clock: Optional[MoveClock] = None
    """With ``run(timing=True)``: the time for the state being decided on (see BaseBot.clock)."""

    @property
    def name(self) -> str:
        """The name sent to the broker (the class name if NAME is empty)."""
        return self.NAME or type(self).__name__

    @abc.abstractmethod
    async def decide_move(self, state: bytes) -> Payload:
        """Returns the reply to ``state``: bytes, or a protobuf message. It may take a second
        parameter, the state's MoveClock (see BaseBot.decide_move)."""

    async def match_result(self, result: MatchResult) -> None:
        """Called once before a normal end with the game's result (see BaseBot.match_result)."""

    async def run(self, host: Optional[str] = None, port: Optional[int] = None, *,
                  room: Optional[str] = None,
                  token: Optional[str] = None,
                  seat: Optional[int] = None,
                  timing: bool = False,
                  frames: bool = True,
                  tls: TlsOption = None,
                  connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
                  read_timeout_s: Optional[float] = None,
                  line_bytes_max: int = LINE_BYTES_MAX_DEFAULT) -> None:
        """Plays one match; takes the options and raises as BaseBot.run does."""
        address = resolve_address(host, port)
        secure = resolve_tls(tls, *address)
        session = BotSession(self.name, resolve_room(room), resolve_token(token), resolve_seat(seat),
                             features(timing, frames))
        async with await AsyncConnection.open(*address, connect_timeout_s=connect_timeout_s,
                                              read_timeout_s=read_timeout_s, line_bytes_max=line_bytes_max,
                                              frames=frames, tls=secure) as connection:
            await play_bot(self, session, connection, timing)


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

    async def turn_timing(self, timing: TurnTiming) -> None:
        """With ``timing=True``: each turn's timing (see BaseGame.turn_timing). Does nothing."""

    async def move_missed(self, missed: MoveMissed) -> None:
        """With ``timing=True``, under SKIP: a missed move (see BaseGame.move_missed). Does nothing."""

    async def run(self, host: Optional[str] = None, port: Optional[int] = None, *,
                  room: Optional[str] = None,
                  bots: Optional[int] = None,
                  token: Optional[str] = None,
                  time: TimeOption = None,
                  timing: bool = False,
                  frames: bool = True,
                  tls: TlsOption = None,
                  connect_timeout_s: float = CONNECT_TIMEOUT_S_DEFAULT,
                  read_timeout_s: Optional[float] = None,
                  line_bytes_max: int = LINE_BYTES_MAX_DEFAULT) -> None:
        """Runs one match; takes the options and raises as BaseGame.run does."""
        address = resolve_address(host, port)
        secure = resolve_tls(tls, *address)
        session = GameSession(resolve_room(room), bots_of(bots), resolve_token(token), features(timing, frames),
                              time_of(time))
        async with await AsyncConnection.open(*address, connect_timeout_s=connect_timeout_s,
                                              read_timeout_s=read_timeout_s, line_bytes_max=line_bytes_max,
                                              frames=frames, tls=secure) as connection:
            await play_game(self, session, connection)


async def play_bot(bot: AsyncBaseBot, session: BotSession, connection: AsyncConnection,
                   timing: bool = False) -> None:
    """Drives one bot session over an open connection until its end (see bot.play_bot)."""
    clocks = ClockKeeper(bot.decide_move, timing)

    async def answer(event: BotEvent) -> Optional[Message]:
        if isinstance(event, YourMove):
            clock = clocks.take(bot)
            if clocks.passes_clock:
                decide = cast(Callable[[bytes, Optional[MoveClock]], Awaitable[Payload]], bot.decide_move)
                move = await decide(event.state, clock)
            else:
                move = await bot.decide_move(event.state)
            return session.reply(to_bytes(move))
        if isinstance(event, TimingReceived):
            clocks.noted(event)
        elif isinstance(event, ResultReceived):
            await bot.match_result(event.result)
        return None

    await play_session(session, connection, answer)


async def play_game(game: AsyncBaseGame, session: GameSession, connection: AsyncConnection) -> None:
    """Drives one game session over an open connection until its end (see game.play_game)."""

    async def act(event: GameEvent) -> Optional[Message]:
        if isinstance(event, MatchStarted):
            await game.initialise(list(event.bots))
        elif isinstance(event, ActionRequested):
            if event.timing is not None:
                await game.turn_timing(event.timing)
            return session.act(await game.next_action())
        elif isinstance(event, ResponseReceived):
            await game.deliver_response(event.response)
        elif isinstance(event, MoveMissedReceived):
            await game.move_missed(event.missed)
        return None

    await play_session(session, connection, act)
