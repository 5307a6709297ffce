// One running match: the turn loop of docs/PROTOCOL.md §5. Pure: it computes the next step
// from a message and the time it is given; the broker acts on that step.
import {
  Control,
  Opcode,
  codes,
  decodeResult,
  encodeBatch,
  isCode,
  message,
  MOVE_OPERAND_TO_BOT,
  reason,
  retag,
  trigger,
  ProtocolError,
  type MatchResult,
  type Message,
  type Reason,
} from "../protocol/index.ts";
import { invariant } from "./invariant.ts";
import type { Timed } from "./deadlines.ts";
import type { ThinkStats } from "./events.ts";
import type { ConnId } from "./types.ts";

export interface Seat {
  readonly conn: ConnId;
  readonly name: string;
}

type Waiting =
  | { readonly kind: "action" }
  | { readonly kind: "reply"; readonly bot: number; readonly askedAtMs: number; readonly stateBytes: number };

/** What the broker must do next: send these, or end the match (reason null = normal end). */
export type Step =
  | { readonly kind: "send"; readonly sends: ReadonlyArray<readonly [ConnId, Message]> }
  | { readonly kind: "end"; readonly reason: Reason | null; readonly result?: GameResult };

/** What the game's 00 FE said of the result (PROTOCOL.md §9.4). */
export type GameResult = { readonly result: MatchResult } | { readonly problem: string };

/** The reply just relayed, for the broker's `turn` event. */
export interface Relayed {
  readonly bot: number;
  readonly thinkMs: number;
  readonly stateBytes: number;
  readonly replyBytes: number;
}

/** A match's place in the broker's deadline heap. */
export interface MoveTimer extends Timed {
  readonly due: "move";
  readonly match: Match;
}

interface MutableThink {
  moves: number;
  totalMs: number;
  maxMs: number;
}

export class Match {
  private waiting: Waiting = { kind: "action" };
  /** Turns asked so far (one turn = one action relayed to a bot). */
  turn = 0;
  /** Body bytes relayed so far (states and replies). */
  bytesRelayed = 0;
  /** The move deadline in the broker's heap (PROTOCOL.md §7), when one runs. */
  readonly timer: MoveTimer = { due: "move", deadlineMs: 0, heapIndex: -1, match: this };
  /** The last reply relayed (valid right after fromBot returned a send). */
  lastRelayed: Relayed = { bot: 0, thinkMs: 0, stateBytes: 0, replyBytes: 0 };
  private readonly think: MutableThink[];

  constructor(
    readonly id: string,
    readonly room: string,
    readonly game: ConnId,
    readonly bots: readonly Seat[],
    private readonly moveTimeoutMs: number,
    readonly startedAtMs: number,
    /** Every message in and out is emitted as a `traced` event (recording: PROTOCOL.md, README "Replays"). */
    readonly traced: boolean,
  ) {
    this.think = bots.map(() => ({ moves: 0, totalMs: 0, maxMs: 0 }));
  }

  /** The batch and the first trigger (PROTOCOL.md §5.2). */
  start(): Step {
    const batch = encodeBatch(this.bots.map((b, index) => ({ index, name: b.name })));
    return send([this.game, message(Opcode.control, Control.batch, batch)], [this.game, trigger()]);
  }

  get awaitingReply(): boolean {
    return this.waiting.kind === "reply";
  }

  /** When the bot to move runs out of time, or null. */
  get deadlineMs(): number | null {
    const w = this.waiting;
    return w.kind === "reply" && this.moveTimeoutMs > 0 ? w.askedAtMs + this.moveTimeoutMs : null;
  }

  conns(): ConnId[] {
    return [this.game, ...this.bots.map((b) => b.conn)];
  }

  thinkStats(): readonly ThinkStats[] {
    return this.think.map((t) => ({ ...t }));
  }

  /** -1 for the game, else the bot's index (a connection of this match). */
  partyOf(conn: ConnId): number {
    return conn === this.game ? -1 : this.bots.findIndex((b) => b.conn === conn);
  }

  describe(conn: ConnId): string {
    if (conn === this.game) return "the game";
    const index = this.bots.findIndex((b) => b.conn === conn);
    return `bot ${index} (${this.bots[index]?.name})`;
  }

  fromGame(m: Message, nowMs: number): Step {
    if (this.waiting.kind === "reply") {
      return end(reason("game_misbehaved", `the game sent ${codes(m)} while bot ${this.waiting.bot} was moving`));
    }
    // PROTOCOL.md §3: the original game ends with 00 FE; 00 FF is accepted too.
    if (isCode(m, Opcode.control, Control.endGame) || isCode(m, Opcode.control, Control.end)) {
      if (m.body.length === 0) return end(null);
      // A result that does not decode is "no result", never a broken end (PROTOCOL.md §9.4).
      try {
        return { kind: "end", reason: null, result: { result: decodeResult(m.body, this.bots.length) } };
      } catch (e) {
        invariant(e instanceof ProtocolError, "decodeResult throws only ProtocolError");
        return { kind: "end", reason: null, result: { problem: e.message } };
      }
    }
    if (m.opcode !== Opcode.trigger) {
      return end(reason("game_misbehaved", `the game sent ${codes(m)}; expected an action (01 ii or 00 FE)`));
    }
    const bot = this.bots[m.operand];
    if (bot === undefined) {
      return end(reason("game_misbehaved", `the game asked for bot ${m.operand}; bots are 0..${this.bots.length - 1}`));
    }
    this.waiting = { kind: "reply", bot: m.operand, askedAtMs: nowMs, stateBytes: m.body.length };
    this.turn++;
    this.bytesRelayed += m.body.length;
    // PROTOCOL.md §3: the operand is rewritten (index → 05); the state goes on untouched.
    return send([bot.conn, retag(m, Opcode.move, MOVE_OPERAND_TO_BOT)]);
  }

  fromBot(conn: ConnId, m: Message, nowMs: number): Step {
    const w = this.waiting;
    if (w.kind !== "reply" || this.bots[w.bot]?.conn !== conn) {
      return end(reason("bot_misbehaved", `${this.describe(conn)} sent ${codes(m)} out of turn`));
    }
    if (!isCode(m, Opcode.move, 0x00)) {
      return end(reason("bot_misbehaved", `${this.describe(conn)} sent ${codes(m)}; expected its reply (02 00)`));
    }
    this.waiting = { kind: "action" };
    this.bytesRelayed += m.body.length;
    const thinkMs = nowMs - w.askedAtMs;
    const t = this.think[w.bot]!;
    t.moves++;
    t.totalMs += thinkMs;
    if (thinkMs > t.maxMs) t.maxMs = thinkMs;
    this.lastRelayed = { bot: w.bot, thinkMs, stateBytes: w.stateBytes, replyBytes: m.body.length };
    // The reply goes to the game byte for byte, then the next trigger.
    return send([this.game, m], [this.game, trigger()]);
  }

  /** A tick: has the bot to move run out of time? */
  checkDeadline(nowMs: number): Step | null {
    const deadline = this.deadlineMs;
    if (deadline === null || nowMs < deadline) return null;
    const w = this.waiting as { bot: number };
    return end(reason("move_timeout", `${this.describe(this.bots[w.bot]!.conn)} missed its move deadline of ${this.moveTimeoutMs} ms`));
  }
}

function send(...sends: Array<readonly [ConnId, Message]>): Step {
  return { kind: "send", sends };
}

function end(why: Reason | null): Step {
  return { kind: "end", reason: why };
}
