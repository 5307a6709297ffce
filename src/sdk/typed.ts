// Typed bots and games: states and replies as decoded objects (protobufjs or any Codec), built on
// the byte-level BaseBot and BaseGame so bytes users pay nothing for them.
import protobuf from "protobufjs";
import { BaseBot } from "./bot.ts";
import { BaseGame } from "./game.ts";
import { Action } from "./session.ts";

/** Turns values of type `T` into bytes and back. A decode of bad bytes throws. */
export interface Codec<T> {
  /** The bytes of `value`. */
  encode(value: T): Uint8Array;
  /** The value in `bytes`; throws if they are not one. */
  decode(bytes: Uint8Array): T;
}

/**
 * A {@link Codec} for a protobufjs message type. `T` is the plain-object shape of the message
 * (field names as in the .proto when parsed with `keepCase`). Decoding fills in proto3 defaults
 * (0, "", empty bytes) for absent fields and gives 64-bit integers as numbers.
 *
 * @example
 * const root = protobuf.parse(schemaText, { keepCase: true }).root;
 * const MoveCodec = protoCodec<{ column: number }>(root.lookupType("connect4.Move"));
 */
export function protoCodec<T extends object>(type: protobuf.Type): Codec<T> {
  return {
    encode(value: T): Uint8Array {
      const problem = type.verify(value);
      if (problem) throw new TypeError(`not a valid ${type.fullName}: ${problem}`);
      return type.encode(type.fromObject(value)).finish();
    },
    decode(bytes: Uint8Array): T {
      return type.toObject(type.decode(bytes), { defaults: true, longs: Number }) as T;
    },
  };
}

/**
 * A bot whose states (`S`) and moves (`R`) are decoded and encoded by codecs.
 *
 * @example
 * class FirstColumnBot extends ProtoBot<GameState, Move> {
 *   name = "FirstColumn";
 *   stateCodec = GameStateCodec;
 *   replyCodec = MoveCodec;
 *   decide(state: GameState): Move { return { column: 0 }; }
 * }
 */
export abstract class ProtoBot<S, R> extends BaseBot {
  /** Decodes the states the game sends. */
  abstract readonly stateCodec: Codec<S>;
  /** Encodes this bot's moves. */
  abstract readonly replyCodec: Codec<R>;

  /** Answers one decoded state with a move. A throw (or an undecodable state) ends the session. */
  abstract decide(state: S): R | Promise<R>;

  /** Byte-level adapter: decodes the state, calls {@link ProtoBot.decide}, encodes the move. */
  async decideMove(state: Uint8Array): Promise<Uint8Array> {
    return this.replyCodec.encode(await this.decide(this.stateCodec.decode(state)));
  }
}

/**
 * A game whose states (`S`) and bot replies (`R`) are encoded and decoded by codecs.
 * A reply that does not decode rejects {@link runGame}; games that must survive bad replies
 * (to forfeit the bot, say) extend {@link BaseGame} and decode in `deliverResponse` instead.
 */
export abstract class ProtoGame<S, R> extends BaseGame {
  /** Encodes the states sent to bots. */
  abstract readonly stateCodec: Codec<S>;
  /** Decodes the bots' replies. */
  abstract readonly replyCodec: Codec<R>;

  /** Called at every turn: ask a bot to move on a typed state, or end the match. */
  abstract nextTurn(): Action<S> | Promise<Action<S>>;
  /** Called with the decoded reply of the bot the last action asked. */
  abstract deliverReply(reply: R): void | Promise<void>;

  /** Byte-level adapter: encodes the state of {@link ProtoGame.nextTurn}'s action. */
  async nextAction(): Promise<Action> {
    const action = await this.nextTurn();
    return action.kind === "end" ? action : Action.playerAction(action.botIndex, this.stateCodec.encode(action.state));
  }

  /** Byte-level adapter: decodes the reply and calls {@link ProtoGame.deliverReply}. */
  async deliverResponse(response: Uint8Array): Promise<void> {
    await this.deliverReply(this.replyCodec.decode(response));
  }
}
