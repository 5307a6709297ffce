// The example's two bots as typed SDK bots: RandomBot and SmartBot (strategy.ts).
import { ProtoBot } from "../../src/sdk/index.ts";
import { GameStateCodec, MoveCodec, type GameState, type Move } from "./schema.ts";
import { randomMove, smartMove, type Rng } from "./strategy.ts";
import { CELLS, type Disc } from "./rules.ts";

/** Which strategy a bot plays. */
export type BotKind = "random" | "smart";

/** A Connect Four bot playing `kind`'s strategy. */
export class Connect4Bot extends ProtoBot<GameState, Move> {
  readonly stateCodec = GameStateCodec;
  readonly replyCodec = MoveCodec;

  constructor(
    readonly kind: BotKind,
    readonly name: string = kind === "smart" ? "SmartBot" : "RandomBot",
    private readonly rng: Rng = Math.random,
  ) {
    super();
  }

  decide(state: GameState): Move {
    if (state.cells.length !== CELLS) throw new Error(`a board of ${state.cells.length} cells; 42 expected`);
    if (state.you !== 1 && state.you !== 2) throw new Error(`disc ${state.you}; 1 or 2 expected`);
    // Work on a copy: the strategies probe moves in place.
    const cells = Uint8Array.from(state.cells);
    const column = this.kind === "smart" ? smartMove(cells, state.you as Disc, this.rng) : randomMove(cells, this.rng);
    return { column };
  }
}
