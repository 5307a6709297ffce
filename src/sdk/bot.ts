// BaseBot and runBot: a bot's whole session with the broker (join, move on every state, stop at
// 00 FF). The message logic is in session.ts; the socket is in connection.ts.
import type { MatchResult, MoveTiming } from "../protocol/index.ts";
import { Connection } from "./connection.ts";
import { brokerAddress, roomOption, seatOption, stderrLog, tokenOption, type ConnectOptions } from "./options.ts";
import { urlOption } from "./websocket.ts";

/** {@link runBot}'s settings: those of every client, and the bot's seat ticket. */
export interface BotOptions extends ConnectOptions {
  /** The seat this bot takes in a room that seats by ticket (PROTOCOL.md §9.7). Default: $BITBROKER_SEAT, else by arrival. */
  readonly seat?: number;
}
import { FEATURES, botJoin, botReply, botStep } from "./session.ts";

/** A bot's time for the state it is deciding on (its `timing` option): what the broker said, and what is left. */
export interface MoveClock extends MoveTiming {
  /** Milliseconds left before the deadline (move time + bank), as of now; Infinity when there is none. */
  remainingMs(): number;
}

function clockOf(t: MoveTiming, receivedMs: number): MoveClock {
  return { ...t, remainingMs: () => (t.deadlineMs === 0 ? Infinity : t.deadlineMs - (performance.now() - receivedMs)) };
}

/**
 * A bot: it has a name and answers states with moves. States and moves are opaque bytes that
 * belong to the game; see {@link ProtoBot} for protobuf-typed ones.
 *
 * @example
 * class EchoBot extends BaseBot {
 *   name = "EchoBot";
 *   decideMove(state: Uint8Array): Uint8Array { return state; }
 * }
 * await runBot(new EchoBot(), "127.0.0.1", 7878);
 */
export abstract class BaseBot {
  /** The name the game sees in the batch (UTF-8; may be empty; need not be unique). */
  abstract readonly name: string;

  /**
   * Answers one state of the game with this bot's move. A throw ends the session (see {@link runBot}).
   * With the `timing` option, `clock` says how long it may think (PROTOCOL.md §9.5); else it is
   * undefined (and it is undefined against a broker that does not send timing).
   */
  abstract decideMove(state: Uint8Array, clock?: MoveClock): Uint8Array | Promise<Uint8Array>;

  /**
   * Called once, before the match ends normally, with the result the game reported (a
   * per-bot score and/or rank: self-play's reward). Not called when the game reports none, or
   * against a broker that does not send results. The default does nothing.
   */
  matchResult(_result: MatchResult): void | Promise<void> {}
}

/**
 * Plays one match as `bot`: connects to `host`:`port` (default $BITBROKER_HOST:$BITBROKER_PORT, else
 * 127.0.0.1:7878; retrying for `connectTimeoutMs`), sends hello (with a
 * Hello: room, client) and name, answers every state with `bot.decideMove`, and resolves when the
 * match ends normally.
 *
 * Rejects, always after closing the socket:
 * - with the very error `decideMove` threw, if it throws;
 * - with an {@link SdkError} whose `code` says what happened (PROTOCOL.md §10): `match_aborted`,
 *   `refused` or `broker_shutdown` (with the broker's `reason` and `reasonCode`), `connect_failed`,
 *   `connection_lost`, `read_timeout`, an invalid line's code, `unexpected_message` or `aborted`.
 */
export async function runBot(bot: BaseBot, host?: string, port?: number, options: BotOptions = {}): Promise<void> {
  const log = options.log ?? stderrLog();
  const seat = seatOption(options);
  const url = urlOption(options);
  const conn = await Connection.open(...brokerAddress(host, port), { ...options, log }, url);
  try {
    // Over WebSocket (url) every message is already framed: v2 frames are not asked for (PROTOCOL.md §12).
    const features = [...FEATURES, ...(options.timing ? ["timing"] : []), ...(options.frames === false || url !== "" ? [] : ["frames"])];
    await conn.send(...botJoin(bot.name, { room: roomOption(options), token: tokenOption(options), features, seat }));
    log("info", `bot ${JSON.stringify(bot.name)} joined; waiting for a match`);
    let moves = 0;
    let clock: MoveClock | undefined;
    for (;;) {
      const step = botStep(await conn.next());
      if (step.kind === "end") return;
      if (step.kind === "timing") {
        clock = clockOf(step.timing, performance.now());
        continue;
      }
      if (step.kind === "result") {
        await bot.matchResult(step.result);
        continue;
      }
      if (step.kind === "welcome") {
        log("info", `welcome: room ${step.welcome.room}, place ${step.welcome.queuePosition} in its queue, broker ${step.welcome.brokerVersion}`);
        continue;
      }
      if (moves++ === 0) log("info", "the match has started: first state received");
      const given = clock;
      clock = undefined;
      await conn.send(botReply(await bot.decideMove(step.state, given)));
    }
  } finally {
    conn.close();
  }
}
