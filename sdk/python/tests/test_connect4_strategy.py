"""The Python Connect Four bot's strategy and decide(), as pure functions: no broker here."""
from __future__ import annotations

import random
import sys
from typing import List

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "examples/connect4/python"))
from bot import Connect4Bot  # noqa: E402
from connect4_pb2 import GameState, Move  # noqa: E402
from strategy import CELLS, legal_columns, random_move, smart_move, wins_at  # noqa: E402


def board(*drops: "tuple[int, int]") -> List[int]:
    """A board after dropping (column, disc) pairs in order."""
    cells = [0] * CELLS
    for column, disc in drops:
        row = next(r for r in range(6) if cells[r * 7 + column] == 0)
        cells[row * 7 + column] = disc
    return cells


def test_smart_takes_a_winning_drop_over_a_block() -> None:
    cells = board((0, 1), (6, 2), (1, 1), (6, 2), (2, 1), (6, 2))  # both threaten; 1 to move
    assert smart_move(cells, 1) == 3


def test_smart_blocks_the_opponents_vertical_threat() -> None:
    cells = board((4, 2), (0, 1), (4, 2), (1, 1), (4, 2))
    assert smart_move(cells, 1) == 4


def test_smart_prefers_the_centre_on_an_empty_board_and_random_stays_legal() -> None:
    assert smart_move([0] * CELLS, 1) == 3
    full_but_one = [1 if i % 7 != 5 else 0 for i in range(CELLS)]
    rng = random.Random(3)
    assert {random_move(full_but_one, rng) for _ in range(20)} == {5} == set(legal_columns(full_but_one))
    with pytest.raises(ValueError):
        random_move([1] * CELLS, rng)


def test_wins_at_sees_every_direction() -> None:
    diagonal = board((0, 1), (1, 2), (1, 1), (2, 2), (2, 2), (2, 1), (3, 2), (3, 2), (3, 2), (3, 1))
    assert wins_at(diagonal, 3, 3) and not wins_at(diagonal, 0, 1)


def test_the_bot_answers_a_game_state_with_a_move_message() -> None:
    state = GameState(cells=bytes(board((4, 2), (0, 1), (4, 2), (1, 1), (4, 2))), you=1, turn=5)
    reply = Connect4Bot("smart").decide_move(state.SerializeToString())
    assert Move.FromString(reply).column == 4
    with pytest.raises(ValueError):
        Connect4Bot("smart").decide(GameState(cells=b"\x00" * 5, you=1))
