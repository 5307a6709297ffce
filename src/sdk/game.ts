// BaseGame and runGame: the game's whole session with the broker (batch, one action per
// trigger, replies, end). The message logic is in session.ts; the socket is in connection.ts.
import type { BotInfo } from "../protocol/index.ts";
import { Connection, type ConnectOptions } from "./connection.ts";
import { GameSession, type Action } from "./session.ts";

/**
 * A game (the referee): it learns the bots, then chooses one action per turn and receives the
 * asked bot's reply. States and replies are opaque bytes; see {@link ProtoGame} for typed ones.
 *
 * @example
 * class CountGame extends BaseGame {
 *   private turn = 0;
 *   initialise(bots: BotInfo[]): void { console.log(bots); }
 *   nextAction(): Action {
 *     return this.turn < 4 ? Action.playerAction(this.turn++ % 2, new Uint8Array([this.turn])) : Action.endGame();
 *   }
 *   deliverResponse(response: Uint8Array): void { console.log(response); }
 * }
 * await runGame(new CountGame(), "127.0.0.1", 7878);
 */
export abstract class BaseGame {
  /** Called once when the match starts, with every bot's index and name, in index order. */
  abstract initialise(bots: BotInfo[]): void | Promise<void>;

  /** Called at every turn: ask one bot to move on a state, or end the match. */
  abstract nextAction(): Action | Promise<Action>;

  /** Called with the reply of the bot the last action asked. */
  abstract deliverResponse(response: Uint8Array): void | Promise<void>;
}

/**
 * Plays one match as `game`: connects (retrying for `connectTimeoutMs`), sends hello, calls
 * `initialise` with the batch, then `nextAction` at every trigger and `deliverResponse` with
 * every reply. Resolves once the match has ended normally (after {@link Action.endGame}).
 *
 * Rejects, always after closing the socket:
 * - with the very error the game's code threw, if it throws;
 * - with an {@link SdkError} whose `code` is `match_aborted` (and `reason` the broker's reason)
 *   when the broker ends the match abnormally (a bot left, missed its deadline...);
 *   `connect_failed`, `connection_lost`, `protocol`, `unexpected_message` or `aborted` otherwise.
 */
export async function runGame(game: BaseGame, host = "127.0.0.1", port = 7878, options: ConnectOptions = {}): Promise<void> {
  const conn = await Connection.open(host, port, options);
  const session = new GameSession();
  try {
    await conn.send(session.hello());
    while (!session.done) {
      const step = session.receive(await conn.next());
      switch (step.kind) {
        case "start":
          await game.initialise(step.bots);
          break;
        case "trigger":
          await conn.send(session.act(await game.nextAction()));
          break;
        case "reply":
          await game.deliverResponse(step.body);
          break;
        case "end":
          break;
      }
    }
  } finally {
    conn.close();
  }
}
