"""One match of the Python SDK in a named room, for test/interop/rooms-at-once.test.ts:
``python python_room_match.py ROOM PORT BOTS ROUNDS``. A game and BOTS bots (threads) play in
ROOM; each bot answers ``name:`` + the state reversed. Once every bot has replied once, the game
prints ``at gate`` and waits for a line ``go`` on stdin. It ends by printing ``all ok`` (exit 0)
or each problem (exit 1). It uses only the SDK's public API and adds nothing to the protocol."""
from __future__ import annotations

import sys
import threading
from typing import List, Optional, Tuple

from bitbroker import Action, BaseBot, BaseGame, BotInfo

CONNECT_TIMEOUT_S, READ_TIMEOUT_S = 20.0, 90.0
GATE_TIMEOUT_S = 60.0
BIG_TURN, BIG_BYTES = 4, 100_000


def expected_reply(name: str, state: bytes) -> bytes:
    return name.encode() + b":" + state[::-1]


def state_for(turn: int, index: int) -> bytes:
    """Distinct per turn, with bytes that need care on the wire; one empty, one big."""
    if turn == 1:
        return b""
    if turn == BIG_TURN:
        return bytes((i * 7 + turn) & 0xFF for i in range(BIG_BYTES))
    return f"turn {turn} bot {index} ".encode() + bytes([0x00, 0x0A, 0x0D, 0xFF, turn & 0xFF])


class ReverseBot(BaseBot):
    def __init__(self, name: str) -> None:
        self.NAME = name
        self.states: List[bytes] = []

    def decide_move(self, state: bytes) -> bytes:
        self.states.append(state)
        return expected_reply(self.NAME, state)


class GatedGame(BaseGame):
    """Asks every bot ``rounds`` times in index order and checks each reply byte for byte."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self.bots: List[BotInfo] = []
        self.asked: List[Tuple[int, bytes]] = []
        self.replies: List[bytes] = []
        self.problems: List[str] = []
        self.ended = False
        self.gate = threading.Event()

    def initialise(self, bots: List[BotInfo]) -> None:
        self.bots = bots

    def next_action(self) -> Action:
        turn = len(self.asked)
        if turn == len(self.bots):
            print("at gate", flush=True)
            if not self.gate.wait(GATE_TIMEOUT_S):
                self.problems.append(f"no `go` on stdin within {GATE_TIMEOUT_S} s")
        if turn == self.rounds * len(self.bots):
            self.ended = True
            return Action.end_game()
        index = turn % len(self.bots)
        state = state_for(turn, index)
        self.asked.append((index, state))
        return Action.player_action(index, state)

    def deliver_response(self, response: bytes) -> None:
        index, state = self.asked[len(self.replies)]
        name = next(b.name for b in self.bots if b.index == index)
        if response != expected_reply(name, state):
            self.problems.append(f"turn {len(self.replies)}: bot {index} ({name}) replied {len(response)} bytes")
        self.replies.append(response)

    def sent_to(self, name: str) -> List[bytes]:
        index = next(b.index for b in self.bots if b.name == name)
        return [s for i, s in self.asked if i == index]


def wait_for_go(game: GatedGame) -> None:
    for line in sys.stdin:
        if line.strip() == "go":
            game.gate.set()
            return


def main() -> int:
    room, port, bots_n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    names = [f"{room}-{i}" for i in range(bots_n)]
    bots = [ReverseBot(n) for n in names]
    errors: List[Optional[BaseException]] = [None] * bots_n

    def play(i: int) -> None:
        try:
            bots[i].run("127.0.0.1", port, room=room, connect_timeout_s=CONNECT_TIMEOUT_S,
                        read_timeout_s=READ_TIMEOUT_S)
        except BaseException as error:  # reported below
            errors[i] = error

    threads = [threading.Thread(target=play, args=(i,), daemon=True) for i in range(bots_n)]
    for t in threads:
        t.start()
    game = GatedGame(rounds)
    threading.Thread(target=wait_for_go, args=(game,), daemon=True).start()
    problems: List[str] = []
    try:
        game.run("127.0.0.1", port, room=room, bots=bots_n, connect_timeout_s=CONNECT_TIMEOUT_S,
                 read_timeout_s=READ_TIMEOUT_S)
    except Exception as error:
        problems.append(f"game.run raised {error!r}")
    for i, t in enumerate(threads):
        t.join(READ_TIMEOUT_S)
        if t.is_alive():
            problems.append(f"bot {names[i]} did not return")
        elif errors[i] is not None:
            problems.append(f"bot {names[i]} raised {errors[i]!r}")
    problems += game.problems
    if not game.ended or len(game.replies) != rounds * bots_n:
        problems.append(f"ended={game.ended}, {len(game.replies)} replies of {rounds * bots_n}")
    if sorted(b.name for b in game.bots) != names:
        problems.append(f"batch names {[b.name for b in game.bots]}, want {names}")
    else:
        problems += [f"{b.NAME} did not get exactly its states" for b in bots if b.states != game.sent_to(b.NAME)]
    for p in problems:
        print(f"problem: {p}", flush=True)
    if not problems:
        print("all ok", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
