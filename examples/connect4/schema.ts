// Codecs for connect4.proto (GameState, Move), shared by the referee and the TypeScript bots.
// The schema is read from the same file the Python and Rust bots use.
import protobuf from "protobufjs";
import { protoCodec, type Codec } from "../../src/sdk/index.ts";
import schema from "./connect4.proto" with { type: "text" };

/** What the game sends a bot to move (connect4.GameState). */
export interface GameState {
  /** 42 cells, row-major from the bottom row; 0 empty, 1 or 2 a disc. */
  cells: Uint8Array;
  /** The disc of the bot asked to move. */
  you: number;
  /** Moves played so far. */
  turn: number;
}

/** A bot's reply (connect4.Move): the column to drop its disc into. */
export interface Move {
  column: number;
}

const root = protobuf.parse(schema, { keepCase: true }).root;

/** Encodes and decodes connect4.GameState. */
export const GameStateCodec: Codec<GameState> = protoCodec<GameState>(root.lookupType("connect4.GameState"));
/** Encodes and decodes connect4.Move. */
export const MoveCodec: Codec<Move> = protoCodec<Move>(root.lookupType("connect4.Move"));
