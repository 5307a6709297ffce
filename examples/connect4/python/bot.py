#!/usr/bin/env python3
"""A Connect Four bot written with the Python SDK's typed API: ``python bot.py --port P --kind smart``.
Plays one match; exits 0 when it ends normally, 1 when the broker aborts it (or another error)."""
from __future__ import annotations

import argparse
import logging
import random
import sys
from pathlib import Path
from typing import List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))  # connect4_pb2 and strategy beside this file

from connect4_pb2 import GameState, Move  # noqa: E402
from strategy import CELLS, random_move, smart_move  # noqa: E402

from bitbroker import BitBrokerError, ProtoBot  # noqa: E402


class Connect4Bot(ProtoBot[GameState]):
    """Answers each GameState with a Move: the smart or the random strategy."""

    STATE_TYPE = GameState

    def __init__(self, kind: str = "smart", name: Optional[str] = None, seed: Optional[int] = None) -> None:
        if kind not in ("smart", "random"):
            raise ValueError(f"kind must be smart or random, not {kind!r}")
        self.kind = kind
        self.NAME = name if name is not None else f"Py{kind.capitalize()}Bot"
        self.rng = random.Random(seed)
        self.moves = 0

    def decide(self, state: GameState) -> Move:
        if len(state.cells) != CELLS or state.you not in (1, 2):
            raise ValueError(f"not a Connect Four state: {len(state.cells)} cells, disc {state.you}")
        cells = list(state.cells)
        if self.kind == "smart":
            column = smart_move(cells, state.you)
        else:
            column = random_move(cells, self.rng)
        self.moves += 1
        return Move(column=column)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="A Connect Four bot for BitBroker.")
    parser.add_argument("--host", default=None, help="the broker's host (default: $BITBROKER_HOST, else 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="its port (default: $BITBROKER_PORT, else 7878)")
    parser.add_argument("--kind", choices=("smart", "random"), default="smart")
    parser.add_argument("--name", default=None)
    parser.add_argument("--seed", type=int, default=None, help="seed of the random strategy")
    parser.add_argument("--room", default=None, help="room to play in (default: $BITBROKER_ROOM, else the default room)")
    parser.add_argument("--connect-timeout-s", type=float, default=10.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    bot = Connect4Bot(args.kind, args.name, args.seed)
    try:
        bot.run(args.host, args.port, room=args.room, connect_timeout_s=args.connect_timeout_s)
    except BitBrokerError as error:
        print(f"connect4 bot {bot.name!r}: {error}", file=sys.stderr)
        return 1
    print(f"connect4 bot {bot.name!r}: match over after {bot.moves} moves of mine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
