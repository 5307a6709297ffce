"""Connect Four strategy for the Python example bot: pure functions of the board (connect4.proto
layout: 42 cells, row-major from the bottom row, cells[row * 7 + column]). No I/O here."""
from __future__ import annotations

import random
from typing import List, Optional, Sequence

COLUMNS = 7
ROWS = 6
CELLS = COLUMNS * ROWS
CENTRE_FIRST = (3, 2, 4, 1, 5, 0, 6)


def landing_row(cells: Sequence[int], column: int) -> int:
    """The row a disc dropped into ``column`` lands on, or -1 if the column is full."""
    for row in range(ROWS):
        if cells[row * COLUMNS + column] == 0:
            return row
    return -1


def legal_columns(cells: Sequence[int]) -> List[int]:
    """Columns that still take a disc, left to right."""
    return [c for c in range(COLUMNS) if landing_row(cells, c) != -1]


def wins_at(cells: Sequence[int], row: int, column: int) -> bool:
    """True if the disc at (row, column) is part of four or more in a line."""
    disc = cells[row * COLUMNS + column]
    if disc == 0:
        return False
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
        run = 1
        for sign in (1, -1):
            r, c = row + sign * dr, column + sign * dc
            while 0 <= r < ROWS and 0 <= c < COLUMNS and cells[r * COLUMNS + c] == disc:
                run += 1
                r, c = r + sign * dr, c + sign * dc
        if run >= 4:
            return True
    return False


def wins_by_dropping(cells: Sequence[int], column: int, disc: int) -> bool:
    """True if ``disc`` dropped into ``column`` makes four in a line."""
    row = landing_row(cells, column)
    if row == -1:
        return False
    board = list(cells)
    board[row * COLUMNS + column] = disc
    return wins_at(board, row, column)


def hands_over_win(cells: Sequence[int], column: int, disc: int) -> bool:
    """True if playing ``column`` lets the opponent win on the cell right above it."""
    board = list(cells)
    board[landing_row(cells, column) * COLUMNS + column] = disc
    return wins_by_dropping(board, column, 3 - disc)


def smart_move(cells: Sequence[int], disc: int, rng: Optional[random.Random] = None) -> int:
    """Wins if it can, else blocks, else a centre-first column that hands over no win."""
    legal = legal_columns(cells)
    if not legal:
        raise ValueError("no legal column: the board is full")
    for who in (disc, 3 - disc):  # our win first, then their threat
        for column in legal:
            if wins_by_dropping(cells, column, who):
                return column
    safe = [c for c in legal if not hands_over_win(cells, c, disc)] or legal
    if rng is not None:
        return rng.choice(safe)
    return next(c for c in CENTRE_FIRST if c in safe)


def random_move(cells: Sequence[int], rng: random.Random) -> int:
    """Any legal column, uniformly."""
    legal = legal_columns(cells)
    if not legal:
        raise ValueError("no legal column: the board is full")
    return rng.choice(legal)
