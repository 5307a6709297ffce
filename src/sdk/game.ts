// BaseGame and runGame: the game's whole session with the broker (batch, one action per
// trigger, replies, end). The message logic is in session.ts; the socket is in connection.ts.
import type { AskedTime, BotInfo, MoveMissed, TurnTiming } from "../protocol/index.ts";
import { Connection } from "./connection.ts";
import { brokerAddress, roomOption, stderrLog, tokenOption, type ConnectOptions } from "./options.ts";
import { urlOption } from "./websocket.ts";
import { FEATURES, GameSession, type Action } from "./session.ts";

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

  /**
   * With the `timing` option: called with each turn's timing (the asked bot's think time as the
   * broker measured it, its bank left, whether it missed), before the next `nextAction`.
   */
  turnTiming(_timing: TurnTiming): void | Promise<void> {}

  /**
   * With the `timing` option, under SKIP: called in place of `deliverResponse` when the asked bot
   * missed its deadline; the turn is forfeited and the match goes on. The default does nothing.
   */
  moveMissed(_missed: MoveMissed): void | Promise<void> {}
}

/** {@link runGame}'s settings: those of every client, and how many bots the game's matches need. */
export interface GameOptions extends ConnectOptions {
  /** Bots per match this game needs (1-255). Default: the room's line-up size. A room the operator declared keeps its own. */
  readonly bots?: number;
  /**
   * The time rules its matches ask for (PROTOCOL.md §9.5): `moveMs`, `firstMoveMs`, `bankMs`,
   * `onMiss` ("end" or "skip"; "skip" needs the `timing` option). A declared room's rules win.
   */
  readonly time?: AskedTime;
}

/**
 * Plays one match as `game`: connects to `host`:`port` (default $BITBROKER_HOST:$BITBROKER_PORT,
 * else 127.0.0.1:7878; retrying for `connectTimeoutMs`), sends hello (with a
 * Hello: room, bots per match, client), calls `initialise` with the batch, then `nextAction` at
 * every trigger and `deliverResponse` with every reply. Resolves once the match has ended
 * normally (after {@link Action.endGame}).
 *
 * Rejects, always after closing the socket:
 * - with the very error the game's code threw, if it throws;
 * - with an {@link SdkError} whose `code` says what happened (PROTOCOL.md §10): `match_aborted`
 *   (a bot left, missed its deadline...), `refused` or `broker_shutdown` (with the broker's
 *   `reason` and `reasonCode`), `connect_failed`, `connection_lost`, `read_timeout`, an invalid
 *   line's code, `unexpected_message` or `aborted`.
 */
export async function runGame(game: BaseGame, host?: string, port?: number, options: GameOptions = {}): Promise<void> {
  const log = options.log ?? stderrLog();
  const url = urlOption(options);
  const conn = await Connection.open(...brokerAddress(host, port), { ...options, log }, url);
  // Over WebSocket (url) every message is already framed: v2 frames are not asked for (PROTOCOL.md §12).
  const features = [...FEATURES, ...(options.timing ? ["timing"] : []), ...(options.frames === false || url !== "" ? [] : ["frames"])];
  const session = new GameSession({ room: roomOption(options), token: tokenOption(options), bots: options.bots ?? 0, features, time: options.time ?? null });
  try {
    await conn.send(session.hello());
    log("info", "game joined; waiting for a match");
    while (!session.done) {
      const step = session.receive(await conn.next());
      switch (step.kind) {
        case "welcome":
          log("info", `welcome: room ${step.welcome.room}, place ${step.welcome.queuePosition} in its queue, ${step.welcome.bots} bots per match`);
          break;
        case "start":
          log("info", `the match has started with ${step.bots.length} bot(s)`);
          await game.initialise(step.bots);
          break;
        case "trigger":
          if (step.timing) await game.turnTiming(step.timing);
          await conn.send(session.act(await game.nextAction()));
          break;
        case "missed":
          await game.moveMissed(step.missed);
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
