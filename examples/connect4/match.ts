// One Connect Four match as a pure state machine: whose turn, the board, forfeits, the result.
// The referee (referee.ts) drives it; tests drive it directly. No I/O.
import { CELLS, discOf, drop, emptyBoard, isFull, winsAt } from "./rules.ts";

/** How a match ended; the game CLI prints this as its last line (JSON). */
export type Result =
  | { readonly result: "win"; readonly winner: number; readonly name: string; readonly moves: number; readonly forfeit: boolean }
  | { readonly result: "draw"; readonly moves: number };

/** What one reply did to the match. */
export type Outcome = "continue" | "win" | "draw" | "forfeit";

/** A two-player Connect Four match between bot 0 (disc 1, moves first) and bot 1 (disc 2). */
export class Connect4Match {
  readonly cells = emptyBoard();
  /** Legal moves played so far. */
  moves = 0;
  result: Result | undefined;

  /** @param names the bots' names, by index (two of them). */
  constructor(private readonly names: readonly [string, string]) {}

  /** The index of the bot to move next. */
  get toMove(): number {
    return this.moves % 2;
  }

  /**
   * Plays the move of the bot to move. `column` undefined stands for a reply that was not a
   * Move at all; like a full or out-of-range column it forfeits (connect4.proto).
   */
  play(column: number | undefined): Outcome {
    if (this.result) throw new Error("bug: a move after the match ended");
    const mover = this.toMove;
    const row = column === undefined ? -1 : drop(this.cells, column, discOf(mover));
    if (row === -1) {
      this.finish(1 - mover, true);
      return "forfeit";
    }
    this.moves++;
    if (winsAt(this.cells, row, column!)) {
      this.finish(mover, false);
      return "win";
    }
    if (this.moves === CELLS || isFull(this.cells)) {
      this.result = { result: "draw", moves: this.moves };
      return "draw";
    }
    return "continue";
  }

  private finish(winner: number, forfeit: boolean): void {
    this.result = { result: "win", winner, name: this.names[winner]!, moves: this.moves, forfeit };
  }
}
