// The SDK's pure session logic: which messages a bot or game sends, and what each message from
// the broker means at each point. No sockets, no clocks; the loops in bot.ts and game.ts drive it.
import pkg from "../../package.json" with { type: "json" };
import {
  Control,
  Opcode,
  askBot,
  botName,
  codes,
  decodeBatch,
  decodeMoveMissed,
  decodeMoveTiming,
  decodeResult,
  decodeTurnTiming,
  decodeWelcome,
  encodeHello,
  encodeResult,
  endGame,
  isCode,
  message,
  ProtocolError,
  reply,
  type BotInfo,
  type Hello,
  type MatchResult,
  type Message,
  type MoveMissed,
  type MoveTiming,
  type TurnTiming,
  type Welcome,
} from "../protocol/index.ts";
import { SdkError, endError } from "./errors.ts";

/** What this SDK says of itself in its Hello (PROTOCOL.md §9.1). */
export const CLIENT = { client: "bitbroker-typescript", clientVersion: pkg.version } as const;

/** The hello line: 00 01 (game) or 00 02 (bot) with a Hello body (room, client, ...). */
function helloLine(operand: number, hello: Partial<Hello>): Message {
  return message(Opcode.control, operand, encodeHello({ ...CLIENT, ...hello }));
}

/** What the game does at a trigger: ask one bot to move on a state, or end the match. */
export type Action<S = Uint8Array> =
  | { readonly kind: "play"; readonly botIndex: number; readonly state: S }
  | { readonly kind: "end"; readonly result?: MatchResult };

/** Constructors of {@link Action}. */
export const Action = {
  /** Ask bot `botIndex` (0-based, as in the batch) to move on `state`. */
  playerAction<S = Uint8Array>(botIndex: number, state: S): Action<S> {
    return { kind: "play", botIndex, state };
  },
  /**
   * End the match normally (the game sends `00 FE`), optionally with its result: per bot index a
   * score and/or a rank (1 = first; ties share), and a short summary (PROTOCOL.md §9.4).
   */
  endGame(result?: MatchResult): Action<never> {
    return result ? { kind: "end", result } : { kind: "end" };
  },
} as const;

/** A message from the broker, as a bot sees it. */
export type BotStep =
  | { readonly kind: "move"; readonly state: Uint8Array }
  | { readonly kind: "welcome"; readonly welcome: Welcome }
  | { readonly kind: "result"; readonly result: MatchResult }
  | { readonly kind: "timing"; readonly timing: MoveTiming }
  | { readonly kind: "end" };

/** Features every SDK asks for: the match's result before the end (PROTOCOL.md §9.3). */
export const FEATURES: readonly string[] = ["results"];

/** The first two lines of a bot: hello (with its Hello), then its name (PROTOCOL.md §3, §5, §9). */
export function botJoin(name: string, hello: Partial<Hello> = {}): Message[] {
  return [helloLine(Control.botHello, { features: FEATURES, ...hello }), botName(name)];
}

/** The bot's answer to a state. */
export function botReply(body: Uint8Array): Message {
  if (!(body instanceof Uint8Array)) throw new TypeError("a bot's move must be a Uint8Array");
  return reply(body);
}

/** Reads one message sent to a bot (PROTOCOL.md §10). Throws SdkError on an abnormal end or an unexpected message. */
export function botStep(m: Message): BotStep {
  if (isCode(m, Opcode.control, Control.end)) {
    if (m.body.length === 0) return { kind: "end" };
    throw endError(text(m.body));
  }
  // PROTOCOL.md §3: "your move" is 02 with any non-zero operand (the original sends 05).
  if (m.opcode === Opcode.move && m.operand !== 0) return { kind: "move", state: m.body };
  if (isCode(m, Opcode.control, Control.welcome)) return { kind: "welcome", welcome: decoded(() => decodeWelcome(m.body)) };
  // A bot does not know how many bots its match has: any index that fits the operand byte.
  if (isCode(m, Opcode.control, Control.result)) return { kind: "result", result: decoded(() => decodeResult(m.body, 256)) };
  if (isCode(m, Opcode.control, Control.moveTiming)) return { kind: "timing", timing: decoded(() => decodeMoveTiming(m.body)) };
  throw unexpected(m, "a bot");
}

/** A message from the broker, as the game sees it. */
export type GameStep =
  | { readonly kind: "welcome"; readonly welcome: Welcome }
  | { readonly kind: "start"; readonly bots: BotInfo[] }
  /** The broker asks for the next action; `timing` is the last turn's, for a game that asked for "timing". */
  | { readonly kind: "trigger"; readonly timing: TurnTiming | null }
  | { readonly kind: "reply"; readonly body: Uint8Array }
  /** Under SKIP, in place of the reply of a bot that missed its deadline (PROTOCOL.md §9.5). */
  | { readonly kind: "missed"; readonly missed: MoveMissed }
  | { readonly kind: "end" };

type GamePhase = "batch" | "trigger" | "reply" | "ending" | "done";

/** The game's side of one match: checks the order of messages and builds the game's lines. */
export class GameSession {
  private phase: GamePhase = "batch";

  /** @param helloFields what the game's Hello says (room, bots per match...); client fields are filled in. */
  constructor(private readonly helloFields: Partial<Hello> = {}) {}

  /** The game's first line: 00 01 with its Hello. */
  hello(): Message {
    return helloLine(Control.gameHello, this.helloFields);
  }

  /** True once the match has ended (normally); nothing more is read or sent. */
  get done(): boolean {
    return this.phase === "done";
  }

  /** Reads one message sent to the game (PROTOCOL.md §10). Throws SdkError on an abnormal end or out of order. */
  receive(m: Message): GameStep {
    if (isCode(m, Opcode.control, Control.end)) {
      const ending = this.phase === "ending";
      this.phase = "done";
      // An empty 00 FF is the normal end only after the game's own 00 FE.
      if (m.body.length === 0 && ending) return { kind: "end" };
      throw endError(text(m.body));
    }
    if (this.phase === "batch" && isCode(m, Opcode.control, Control.welcome)) {
      return { kind: "welcome", welcome: decoded(() => decodeWelcome(m.body)) };
    }
    if (this.phase === "batch" && isCode(m, Opcode.control, Control.batch)) {
      this.phase = "trigger";
      // The batch arrives with its trigger right behind it (PROTOCOL.md §5, step 2).
      // In index order, as our broker sends it; the original broker lists them in hash-map order.
      return { kind: "start", bots: decoded(() => decodeBatch(m.body)).sort((a, b) => a.index - b.index) };
    }
    if (this.phase === "trigger" && isCode(m, Opcode.trigger, 0)) return { kind: "trigger", timing: decoded(() => decodeTurnTiming(m.body)) };
    if (this.phase === "reply" && isCode(m, Opcode.move, 0)) {
      this.phase = "trigger";
      return { kind: "reply", body: m.body };
    }
    if (this.phase === "reply" && isCode(m, Opcode.control, Control.moveMissed)) {
      this.phase = "trigger";
      return { kind: "missed", missed: decoded(() => decodeMoveMissed(m.body)) };
    }
    throw unexpected(m, `the game (waiting for ${this.phase})`);
  }

  /** The line for the action the game chose at a trigger. */
  act(action: Action): Message {
    if (this.phase !== "trigger") throw new Error(`bug: an action outside a trigger (phase ${this.phase})`);
    if (action.kind === "end") {
      this.phase = "ending";
      return action.result ? message(Opcode.control, Control.endGame, encodeResult(action.result)) : endGame();
    }
    const { botIndex, state } = action;
    // The bot index travels as the operand byte (PROTOCOL.md §3).
    if (!Number.isInteger(botIndex) || botIndex < 0 || botIndex > 255) {
      throw new RangeError(`bot index ${botIndex} is not an integer in 0..255`);
    }
    if (!(state instanceof Uint8Array)) throw new TypeError("an action's state must be a Uint8Array");
    this.phase = "reply";
    return askBot(botIndex, state);
  }
}

/** A body decoded, or the decoder's ProtocolError as an SdkError with the same code. */
function decoded<T>(decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    throw new SdkError(e.code, `the broker sent a body that does not decode: ${e.message}`, "", "", { cause: e });
  }
}

function text(body: Uint8Array): string {
  return new TextDecoder().decode(body);
}

function unexpected(m: Message, who: string): SdkError {
  return new SdkError("unexpected_message", `unexpected message ${codes(m)} for ${who}`);
}
