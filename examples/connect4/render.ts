// Text rendering of a Connect Four board for the game's output. Pure: returns strings.
import { COLUMNS, ROWS } from "./rules.ts";

const MARK = [".", "X", "O"] as const;

/** The board, top row first, with column numbers under it: X is disc 1, O is disc 2. */
export function renderBoard(cells: Uint8Array): string {
  const lines: string[] = [];
  for (let row = ROWS - 1; row >= 0; row--) {
    const marks: string[] = [];
    for (let c = 0; c < COLUMNS; c++) marks.push(MARK[cells[row * COLUMNS + c]!] ?? "?");
    lines.push(`| ${marks.join(" ")} |`);
  }
  lines.push(`  ${Array.from({ length: COLUMNS }, (_, c) => String(c)).join(" ")}`);
  return lines.join("\n");
}

/** The mark of a disc (1 → X, 2 → O). */
export const markOf = (disc: number): string => MARK[disc] ?? "?";
