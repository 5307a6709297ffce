// One running match: the turn loop of docs/PROTOCOL.md §5. Pure: it computes the next step
// from a message and the time it is given; the broker acts on that step.
import {
  Control,
  Opcode,
  codes,
  encodeBatch,
  isCode,
  message,
  MOVE_OPERAND_TO_BOT,
  retag,
  reason,
  trigger,
  type Message,
  type Reason,
} from "../protocol/index.ts";
import type { ConnId } from "./types.ts";

export interface Seat {
  readonly conn: ConnId;
  readonly name: string;
}

type Waiting =
  | { readonly kind: "action" }
  | { readonly kind: "reply"; readonly bot: number; readonly deadlineMs: number | null };

/** What the broker must do next: send these, or end the match (reason null = normal end). */
export type Step =
  | { readonly kind: "send"; readonly sends: ReadonlyArray<readonly [ConnId, Message]> }
  | { readonly kind: "end"; readonly reason: Reason | null };

export class Match {
  private waiting: Waiting = { kind: "action" };
  /** Turns asked so far (one turn = one action relayed to a bot). */
  turn = 0;

  constructor(
    readonly id: number,
    readonly game: ConnId,
    readonly bots: readonly Seat[],
    private readonly moveTimeoutMs: number,
  ) {}

  /** The batch and the first trigger (PROTOCOL.md §5.2). */
  start(): Step {
    const batch = encodeBatch(this.bots.map((b, index) => ({ index, name: b.name })));
    return send([this.game, message(Opcode.control, Control.batch, batch)], [this.game, trigger()]);
  }

  get awaitingReply(): boolean {
    return this.waiting.kind === "reply";
  }

  get deadlineMs(): number | null {
    return this.waiting.kind === "reply" ? this.waiting.deadlineMs : null;
  }

  conns(): ConnId[] {
    return [this.game, ...this.bots.map((b) => b.conn)];
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
      return end(null);
    }
    if (m.opcode !== Opcode.trigger) {
      return end(reason("game_misbehaved", `the game sent ${codes(m)}; expected an action (01 ii or 00 FE)`));
    }
    const bot = this.bots[m.operand];
    if (bot === undefined) {
      return end(reason("game_misbehaved", `the game asked for bot ${m.operand}; bots are 0..${this.bots.length - 1}`));
    }
    const deadlineMs = this.moveTimeoutMs > 0 ? nowMs + this.moveTimeoutMs : null;
    this.waiting = { kind: "reply", bot: m.operand, deadlineMs };
    this.turn++;
    // PROTOCOL.md §3: the operand is rewritten (index → 05); the state goes on untouched.
    return send([bot.conn, retag(m, Opcode.move, MOVE_OPERAND_TO_BOT)]);
  }

  fromBot(conn: ConnId, m: Message): Step {
    const w = this.waiting;
    if (w.kind !== "reply" || this.bots[w.bot]?.conn !== conn) {
      return end(reason("bot_misbehaved", `${this.describe(conn)} sent ${codes(m)} out of turn`));
    }
    if (!isCode(m, Opcode.move, 0x00)) {
      return end(reason("bot_misbehaved", `${this.describe(conn)} sent ${codes(m)}; expected its reply (02 00)`));
    }
    this.waiting = { kind: "action" };
    // The reply goes to the game byte for byte, then the next trigger.
    return send([this.game, m], [this.game, trigger()]);
  }

  /** A tick: has the bot to move run out of time? */
  checkDeadline(nowMs: number): Step | null {
    const w = this.waiting;
    if (w.kind !== "reply" || w.deadlineMs === null || nowMs < w.deadlineMs) return null;
    return end(reason("move_timeout", `${this.describe(this.bots[w.bot]!.conn)} missed its move deadline of ${this.moveTimeoutMs} ms`));
  }
}

function send(...sends: Array<readonly [ConnId, Message]>): Step {
  return { kind: "send", sends };
}

function end(why: Reason | null): Step {
  return { kind: "end", reason: why };
}
