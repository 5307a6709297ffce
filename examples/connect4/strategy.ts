// The example bots' strategies: pure functions of the board, the bot's disc and a random source.
import { COLUMNS, landingRow, legalColumns, opponent, winningDrop, type Disc } from "./rules.ts";

/** A source of numbers in [0, 1), like Math.random. */
export type Rng = () => number;

/** A seeded Rng (mulberry32), so a bot's games can be replayed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Any legal column, uniformly. Throws on a full board (the game never asks then). */
export function randomMove(cells: Uint8Array, rng: Rng): number {
  return pick(legalColumns(cells), rng);
}

/**
 * Wins if it can, else blocks the opponent's immediate win, else plays a random column that does
 * not hand the opponent a win on the cell above it, preferring the centre.
 */
export function smartMove(cells: Uint8Array, disc: Disc, rng: Rng): number {
  const legal = legalColumns(cells);
  const win = legal.find((c) => winningDrop(cells, c, disc));
  if (win !== undefined) return win;
  const them = opponent(disc);
  const block = legal.find((c) => winningDrop(cells, c, them));
  if (block !== undefined) return block;
  const safe = legal.filter((c) => !handsOverWin(cells, c, disc));
  return pickWeighted(safe.length > 0 ? safe : legal, rng);
}

/** True if playing `column` lets the opponent win by dropping on top of it. */
function handsOverWin(cells: Uint8Array, column: number, disc: Disc): boolean {
  const row = landingRow(cells, column);
  const at = row * COLUMNS + column;
  cells[at] = disc;
  const loses = winningDrop(cells, column, opponent(disc));
  cells[at] = 0;
  return loses;
}

function pick(columns: number[], rng: Rng): number {
  if (columns.length === 0) throw new Error("no legal column");
  return columns[Math.floor(rng() * columns.length)]!;
}

/** Centre columns take part in more lines: weight 1, 2, 3, 4, 3, 2, 1 from the left. */
function pickWeighted(columns: number[], rng: Rng): number {
  const weight = (c: number): number => 4 - Math.abs(3 - c);
  let r = rng() * columns.reduce((sum, c) => sum + weight(c), 0);
  for (const c of columns) {
    r -= weight(c);
    if (r < 0) return c;
  }
  return pick(columns, rng);
}
