// The Connect Four game as an SDK game: sends each bot the board, applies its move, ends the match
// on a win, a draw or a forfeit. Rules are in match.ts; printing goes through `print`.
import { Action, BaseGame, type BotInfo, type MatchResult } from "../../src/sdk/index.ts";
import { Connect4Match, type Result } from "./match.ts";
import { renderBoard, markOf } from "./render.ts";
import { discOf } from "./rules.ts";
import { GameStateCodec, MoveCodec } from "./schema.ts";

/** The referee of one Connect Four match between two bots. */
export class Connect4Game extends BaseGame {
  private match: Connect4Match | undefined;
  private names: [string, string] = ["", ""];

  /** @param print where the board and commentary go (one string per call); silent by default. */
  constructor(private readonly print: (text: string) => void = () => {}) {
    super();
  }

  /** How the match ended, once it has. */
  get result(): Result | undefined {
    return this.match?.result;
  }

  /** The board (42 cells, connect4.proto layout), once the match has started. */
  get cells(): Uint8Array | undefined {
    return this.match?.cells;
  }

  initialise(bots: BotInfo[]): void {
    if (bots.length !== 2) throw new Error(`Connect Four needs 2 bots, the broker seated ${bots.length} (set BROKER_NUM_PLAYERS=2)`);
    const byIndex = [...bots].sort((a, b) => a.index - b.index);
    this.names = [byIndex[0]!.name, byIndex[1]!.name];
    this.match = new Connect4Match(this.names);
    this.print(`Connect Four: X = ${this.label(0)}, O = ${this.label(1)}`);
  }

  nextAction(): Action {
    const match = this.started();
    if (match.result) return Action.endGame(matchResult(match.result, this.names));
    const index = match.toMove;
    return Action.playerAction(index, GameStateCodec.encode({ cells: match.cells, you: discOf(index), turn: match.moves }));
  }

  deliverResponse(response: Uint8Array): void {
    const match = this.started();
    const mover = match.toMove;
    const column = decodeColumn(response);
    const outcome = match.play(column);
    const who = `${this.label(mover)} (${markOf(discOf(mover))})`;
    if (outcome === "forfeit") {
      const why = column === undefined ? "its reply is not a Move" : `column ${column} is full or off the board`;
      this.print(`${who} forfeits: ${why}`);
    } else {
      this.print(`move ${match.moves}: ${who} drops a disc in column ${column}\n${renderBoard(match.cells)}`);
    }
    const result = match.result;
    if (result?.result === "win") this.print(`${this.label(result.winner)} wins${result.forfeit ? " by forfeit" : ""} after ${result.moves} moves`);
    if (result?.result === "draw") this.print(`draw after ${result.moves} moves`);
  }

  private started(): Connect4Match {
    if (!this.match) throw new Error("bug: a turn before the match started");
    return this.match;
  }

  private label(index: number): string {
    return `${JSON.stringify(this.names[index])} (bot ${index})`;
  }
}

/**
 * The result the broker records and passes to the bots (PROTOCOL.md §9.4): a win scores 1 and
 * ranks first, a loss 0 and second, a draw ½ and first for both.
 */
export function matchResult(result: Result, names: readonly [string, string]): MatchResult {
  if (result.result === "draw") {
    return { seats: [0, 1].map((index) => ({ index, score: 0.5, rank: 1 })), summary: `draw after ${result.moves} moves` };
  }
  const w = result.winner;
  const how = result.forfeit ? `by forfeit after ${result.moves} moves` : `in ${result.moves} moves`;
  return {
    seats: [0, 1].map((index) => (index === w ? { index, score: 1, rank: 1 } : { index, score: 0, rank: 2 })),
    summary: `${names[w]} (bot ${w}) wins ${how}`.slice(0, 256),
  };
}

/** The column of a Move, or undefined if the reply is not one (a forfeit, connect4.proto). */
function decodeColumn(reply: Uint8Array): number | undefined {
  try {
    return MoveCodec.decode(reply).column;
  } catch {
    return undefined;
  }
}
