// Connect Four rules on the wire's board layout (connect4.proto): 42 cells, row-major from the
// bottom row, 0 empty, 1 and 2 the players' discs. Pure: no I/O, no randomness.

export const COLUMNS = 7;
export const ROWS = 6;
export const CELLS = COLUMNS * ROWS;

/** A player's disc: 1 for bot index 0 (moves first), 2 for bot index 1. */
export type Disc = 1 | 2;

/** The disc of bot `index` (0 or 1). */
export const discOf = (index: number): Disc => (index === 0 ? 1 : 2);
/** The other player's disc. */
export const opponent = (disc: Disc): Disc => (disc === 1 ? 2 : 1);

/** An empty board. */
export function emptyBoard(): Uint8Array {
  return new Uint8Array(CELLS);
}

/** The row a disc dropped into `column` would land on, or -1 if the column is full or out of range. */
export function landingRow(cells: Uint8Array, column: number): number {
  if (!Number.isInteger(column) || column < 0 || column >= COLUMNS) return -1;
  for (let row = 0; row < ROWS; row++) if (cells[row * COLUMNS + column] === 0) return row;
  return -1;
}

/** Columns that still take a disc, left to right. */
export function legalColumns(cells: Uint8Array): number[] {
  const out: number[] = [];
  for (let c = 0; c < COLUMNS; c++) if (landingRow(cells, c) !== -1) out.push(c);
  return out;
}

/** Drops `disc` into `column` (in place); returns its row, or -1 (board unchanged) if it cannot. */
export function drop(cells: Uint8Array, column: number, disc: Disc): number {
  const row = landingRow(cells, column);
  if (row !== -1) cells[row * COLUMNS + column] = disc;
  return row;
}

const DIRECTIONS: ReadonlyArray<readonly [number, number]> = [
  [0, 1], // a row
  [1, 0], // a column
  [1, 1], // a diagonal going up to the right
  [1, -1], // a diagonal going up to the left
];

/** True if the disc at (row, column) is part of four or more in a line. */
export function winsAt(cells: Uint8Array, row: number, column: number): boolean {
  const disc = cellAt(cells, row, column);
  if (disc === 0) return false;
  for (const [dr, dc] of DIRECTIONS) {
    const run = 1 + count(cells, row, column, dr, dc, disc) + count(cells, row, column, -dr, -dc, disc);
    if (run >= 4) return true;
  }
  return false;
}

/** The disc with four in a line anywhere on the board, or 0 if none. */
export function winner(cells: Uint8Array): 0 | Disc {
  for (let row = 0; row < ROWS; row++) {
    for (let column = 0; column < COLUMNS; column++) {
      if (winsAt(cells, row, column)) return cellAt(cells, row, column) as Disc;
    }
  }
  return 0;
}

/** True when no column takes another disc. */
export function isFull(cells: Uint8Array): boolean {
  return legalColumns(cells).length === 0;
}

/** True if `disc` dropped into `column` would win at once. The board is left unchanged. */
export function winningDrop(cells: Uint8Array, column: number, disc: Disc): boolean {
  const row = landingRow(cells, column);
  if (row === -1) return false;
  cells[row * COLUMNS + column] = disc;
  const wins = winsAt(cells, row, column);
  cells[row * COLUMNS + column] = 0;
  return wins;
}

function cellAt(cells: Uint8Array, row: number, column: number): number {
  if (row < 0 || row >= ROWS || column < 0 || column >= COLUMNS) return -1;
  return cells[row * COLUMNS + column]!;
}

function count(cells: Uint8Array, row: number, column: number, dr: number, dc: number, disc: number): number {
  let n = 0;
  for (let r = row + dr, c = column + dc; cellAt(cells, r, c) === disc; r += dr, c += dc) n++;
  return n;
}
