// Unit tests of the Connect Four rules, the match state machine and the bots' strategies. Pure.
import { describe, expect, test } from "bun:test";
import { Connect4Match } from "../../examples/connect4/match.ts";
import { matchResult } from "../../examples/connect4/referee.ts";
import { renderBoard } from "../../examples/connect4/render.ts";
import { COLUMNS, drop, emptyBoard, isFull, landingRow, legalColumns, winner, winsAt, type Disc } from "../../examples/connect4/rules.ts";
import { randomMove, seededRng, smartMove } from "../../examples/connect4/strategy.ts";

/** A board from rows written top row first ("." empty, "X" disc 1, "O" disc 2), like renderBoard. */
function board(...rowsTopFirst: string[]): Uint8Array {
  const cells = emptyBoard();
  rowsTopFirst.reverse().forEach((row, r) => {
    [...row.replaceAll(" ", "")].forEach((ch, c) => {
      cells[r * COLUMNS + c] = ch === "X" ? 1 : ch === "O" ? 2 : 0;
    });
  });
  return cells;
}

/** Plays columns in order from an empty match; returns the match. */
function playAll(columns: readonly (number | undefined)[]): Connect4Match {
  const m = new Connect4Match(["A", "B"]);
  for (const c of columns) m.play(c);
  return m;
}

// A full game that ends with no four in a line (found by search, checked below).
const DRAW = [0, 0, 6, 4, 3, 2, 3, 1, 3, 5, 1, 1, 5, 3, 1, 2, 2, 3, 2, 6, 1, 6, 1, 0, 0, 2, 5, 5, 2, 6, 5, 4, 6, 6, 5, 4, 4, 0, 3, 0, 4, 4];

describe("rules", () => {
  test("discs fall to the lowest free row, bottom row first in the cell layout", () => {
    const cells = emptyBoard();
    expect(drop(cells, 3, 1)).toBe(0);
    expect(drop(cells, 3, 2)).toBe(1);
    expect(cells[3]).toBe(1);
    expect(cells[COLUMNS + 3]).toBe(2);
  });

  test("a full or out-of-range column takes no disc", () => {
    const cells = emptyBoard();
    for (let i = 0; i < 6; i++) drop(cells, 0, ((i % 2) + 1) as Disc);
    expect(landingRow(cells, 0)).toBe(-1);
    expect(drop(cells, 0, 1)).toBe(-1);
    for (const c of [-1, 7, 1.5, Number.NaN]) expect(landingRow(cells, c)).toBe(-1);
    expect(legalColumns(cells)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test("finds four in a row, in a column and on both diagonals", () => {
    const row = board("X X X X . . .");
    const column = board("O", "O", "O", "O");
    const up = board(". . . X", ". . X O", ". X O O", "X O O X");
    const down = board("O . . .", "X O . .", "X X O .", "X X X O");
    expect([winner(row), winner(column), winner(up), winner(down)]).toEqual([1, 2, 1, 2]);
    expect(winsAt(up, 0, 0) && winsAt(up, 3, 3)).toBe(true);
    expect(winsAt(down, 3, 0) && winsAt(down, 0, 3)).toBe(true);
  });

  test("three in a line, or four split across the board's edge, is no win", () => {
    expect(winner(board("X X X . X X X"))).toBe(0);
    // Cells 5, 6 of row 0 and 0, 1 of row 1 are neighbours in the array, not on the board.
    expect(winner(board("X X . . . . .", ". . . . . X X"))).toBe(0);
    expect(winner(board(". . X", ". X O", "X O O"))).toBe(0);
  });

  test("renders the top row first", () => {
    expect(renderBoard(board("X . . . . . O")).split("\n").at(-2)).toBe("| X . . . . . O |");
  });
});

describe("a match", () => {
  test("bot 0 moves first and wins with four in a column", () => {
    const m = playAll([3, 4, 3, 4, 3, 4, 3]);
    expect(m.result).toEqual({ result: "win", winner: 0, name: "A", moves: 7, forfeit: false });
  });

  test("bot 1 wins on a diagonal", () => {
    // O climbs 0,0 → 3,3 diagonal: X plays elsewhere without blocking.
    const m = playAll([1, 0, 2, 1, 3, 2, 3, 3, 6, 2, 6, 3]);
    expect(m.result).toMatchObject({ result: "win", winner: 1, name: "B", forfeit: false });
    expect(winner(m.cells)).toBe(2);
  });

  test("a full board with no four in a line is a draw after 42 moves", () => {
    const m = playAll(DRAW);
    expect(m.result).toEqual({ result: "draw", moves: 42 });
    expect(isFull(m.cells)).toBe(true);
    expect(winner(m.cells)).toBe(0);
  });

  test("a full column forfeits: the other bot wins", () => {
    const m = playAll([0, 0, 0, 0, 0, 0, 0]);
    expect(m.result).toEqual({ result: "win", winner: 1, name: "B", moves: 6, forfeit: true });
  });

  test("an out-of-range column, or a reply that is no Move, forfeits", () => {
    expect(playAll([7]).result).toEqual({ result: "win", winner: 1, name: "B", moves: 0, forfeit: true });
    expect(playAll([3, undefined]).result).toEqual({ result: "win", winner: 0, name: "A", moves: 1, forfeit: true });
  });

  test("refuses a move after the end", () => {
    expect(() => playAll([7]).play(0)).toThrow();
  });
});

describe("strategies", () => {
  test("the smart bot takes a win when it has one", () => {
    const cells = board("X X X . O O .");
    expect(smartMove(cells, 1, seededRng(1))).toBe(3);
  });

  test("the smart bot blocks the opponent's win", () => {
    const cells = board(". . .", "O . .", "O . X", "O X X");
    expect(smartMove(cells, 1, seededRng(1))).toBe(0);
  });

  test("the smart bot does not play under the opponent's winning cell when it can avoid it", () => {
    // O threatens row 1 at columns 0 and 4; whoever fills row 0 there lets O in. No one can win now.
    const cells = board(". O O O . . .", ". X O X . X O");
    expect(winner(cells)).toBe(0);
    for (let seed = 0; seed < 50; seed++) expect([1, 2, 3, 5, 6]).toContain(smartMove(cells, 1, seededRng(seed)));
  });

  test("the random bot only plays legal columns", () => {
    const cells = board("X", "O", "X", "O", "X", "O");
    const rng = seededRng(3);
    for (let i = 0; i < 100; i++) expect(randomMove(cells, rng)).not.toBe(0);
  });

  test("the strategies leave the board as they found it", () => {
    const cells = playAll([3, 3, 2, 4]).cells;
    const before = Uint8Array.from(cells);
    smartMove(cells, 1, seededRng(9));
    randomMove(cells, seededRng(9));
    expect(cells).toEqual(before);
  });
});

test("the match result: a draw gives both ½ and first place; a win 1 and first against 0 and second", () => {
  expect(matchResult({ result: "draw", moves: 42 }, ["A", "B"])).toEqual({
    seats: [
      { index: 0, score: 0.5, rank: 1 },
      { index: 1, score: 0.5, rank: 1 },
    ],
    summary: "draw after 42 moves",
  });
  expect(matchResult({ result: "win", winner: 0, name: "A", moves: 7, forfeit: false }, ["A", "B"])).toEqual({
    seats: [
      { index: 0, score: 1, rank: 1 },
      { index: 1, score: 0, rank: 2 },
    ],
    summary: "A (bot 0) wins in 7 moves",
  });
});
