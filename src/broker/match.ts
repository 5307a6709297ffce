// One running match: the turn loop of docs/PROTOCOL.md §5 and its time rules (§9.5). Pure: it
// computes the next step from a message and the time it is given; the broker acts on that step.
import {
  Control,
  Opcode,
  bodyBytes,
  codes,
  decodeResult,
  encodeBatch,
  isCode,
  message,
  moveMissed,
  moveTiming,
  MOVE_OPERAND_TO_BOT,
  ProtocolError,
  reason,
  retag,
  timedTrigger,
  trigger,
  type Message,
  type Reason,
  type TimeRules,
} from "../protocol/index.ts";
import type { ThinkStats } from "./events.ts";
import { invariant } from "./invariant.ts";
import { Sends, type MoveTimer, type Step, type TurnDone } from "./step.ts";
import type { ConnId } from "./types.ts";

export interface Seat {
  readonly conn: ConnId;
  readonly name: string;
  /** Asked for "timing": gets a MoveTiming before each state. */
  readonly timing: boolean;
}

/** One bot's clock (PROTOCOL.md §9.5): its bank, whether it has moved, replies owed to skipped turns. */
interface Clock {
  bankMs: number;
  moved: boolean;
  /** Late replies still to come for turns it missed under SKIP: dropped when they arrive. */
  stale: number;
  moves: number;
  totalMs: number;
  maxMs: number;
}

/** What the match waits for: the game's action, or bot `bot`'s reply to a state asked at `askedAtMs`. Kept in place, turn after turn. */
interface Waiting {
  kind: "action" | "reply";
  bot: number;
  askedAtMs: number;
  /** The move's time (PROTOCOL.md §9.5), before the bot's bank; null = no deadline. */
  allowanceMs: number | null;
  stateBytes: number;
}

export class Match {
  private readonly waiting: Waiting = { kind: "action", bot: -1, askedAtMs: 0, allowanceMs: null, stateBytes: 0 };
  /** The step every send returns, refilled each time. */
  private readonly sends = new Sends();
  /** What `lastTurn` points to when the last step closed a turn, refilled each time. */
  private readonly closed: TurnDone = { kind: "relayed", bot: 0, thinkMs: 0, stateBytes: 0, replyBytes: 0 };
  /** Turns asked so far (one turn = one action relayed to a bot). */
  turn = 0;
  /** Body bytes relayed so far (states and replies). */
  bytesRelayed = 0;
  readonly timer: MoveTimer = { due: "move", deadlineMs: 0, heapIndex: -1, match: this };
  /** Someone follows it live (the dashboard): traced like a recorded match while it lasts. */
  watched = false;
  /** The turn the last step closed, if it closed one (read right after the step: it is reused). */
  lastTurn: TurnDone | null = null;
  private readonly clocks: Clock[];

  constructor(
    readonly id: string,
    readonly room: string,
    readonly game: ConnId,
    readonly bots: readonly Seat[],
    readonly rules: TimeRules,
    /** The game asked for "timing": triggers carry timing, and SKIP is allowed. */
    private readonly gameTiming: boolean,
    readonly startedAtMs: number,
    /** Recorded (replays): every message in and out is emitted as a `traced` event. */
    readonly recorded: boolean,
  ) {
    invariant(rules.onMiss === "end" || gameTiming, "SKIP only for a game that asked for timing");
    this.clocks = bots.map(() => ({ bankMs: rules.bankMs, moved: false, stale: 0, moves: 0, totalMs: 0, maxMs: 0 }));
  }

  /** The batch and the first trigger (PROTOCOL.md §5.2). */
  start(): Step {
    const batch = encodeBatch(this.bots.map((b, index) => ({ index, name: b.name })));
    return this.sends.set(this.game, message(Opcode.control, Control.batch, batch), this.game, trigger());
  }

  /** Emit its messages as `traced` events? */
  get traced(): boolean {
    return this.recorded || this.watched;
  }

  get awaitingReply(): boolean {
    return this.waiting.kind === "reply";
  }

  /** When the bot to move runs out of time (its move's time, then its bank), or null. */
  get deadlineMs(): number | null {
    const w = this.waiting;
    if (w.kind !== "reply" || w.allowanceMs === null) return null;
    return w.askedAtMs + w.allowanceMs + this.clocks[w.bot]!.bankMs;
  }

  conns(): ConnId[] {
    return [this.game, ...this.bots.map((b) => b.conn)];
  }

  thinkStats(): readonly ThinkStats[] {
    return this.clocks.map((c) => ({ moves: c.moves, totalMs: c.totalMs, maxMs: c.maxMs }));
  }

  /** -1 for the game, else the bot's index (a connection of this match). */
  partyOf(conn: ConnId): number {
    return conn === this.game ? -1 : this.botIndex(conn);
  }

  describe(conn: ConnId): string {
    if (conn === this.game) return "the game";
    const index = this.botIndex(conn);
    return `bot ${index} (${this.bots[index]?.name})`;
  }

  /** The index of the bot on `conn`, or -1 (a loop: no closure per call). */
  private botIndex(conn: ConnId): number {
    for (let i = 0; i < this.bots.length; i++) if (this.bots[i]!.conn === conn) return i;
    return -1;
  }

  fromGame(m: Message, nowMs: number): Step {
    this.lastTurn = null;
    if (this.waiting.kind === "reply") {
      return end(reason("game_misbehaved", `the game sent ${codes(m)} while bot ${this.waiting.bot} was moving`, -1));
    }
    // PROTOCOL.md §3: the original game ends with 00 FE; 00 FF is accepted too.
    if (isCode(m, Opcode.control, Control.endGame) || isCode(m, Opcode.control, Control.end)) return this.ended(m);
    if (m.opcode !== Opcode.trigger) {
      return end(reason("game_misbehaved", `the game sent ${codes(m)}; expected an action (01 ii or 00 FE)`, -1));
    }
    const bot = this.bots[m.operand];
    if (bot === undefined) {
      return end(reason("game_misbehaved", `the game asked for bot ${m.operand}; bots are 0..${this.bots.length - 1}`, -1));
    }
    const clock = this.clocks[m.operand]!;
    const ms = clock.moved ? this.rules.moveMs : this.rules.firstMoveMs;
    const allowanceMs = ms > 0 ? ms : null;
    const w = this.waiting;
    w.kind = "reply";
    w.bot = m.operand;
    w.askedAtMs = nowMs;
    w.allowanceMs = allowanceMs;
    w.stateBytes = bodyBytes(m);
    this.turn++;
    this.bytesRelayed += w.stateBytes;
    // PROTOCOL.md §3: the operand is rewritten (index → 05); the state goes on untouched.
    const state = retag(m, Opcode.move, MOVE_OPERAND_TO_BOT);
    if (!bot.timing) return this.sends.set(bot.conn, state);
    const deadlineMs = allowanceMs === null ? 0 : allowanceMs + clock.bankMs;
    return this.sends.set(bot.conn, moveTiming({ moveMs: allowanceMs ?? 0, bankMs: clock.bankMs, deadlineMs }), bot.conn, state);
  }

  fromBot(conn: ConnId, m: Message, nowMs: number): Step {
    this.lastTurn = null;
    const index = this.botIndex(conn);
    const clock = this.clocks[index]!;
    const w = this.waiting;
    // PROTOCOL.md §9.5: a late reply to a turn it missed is dropped, never taken for a later one.
    if (clock.stale > 0 && isCode(m, Opcode.move, 0x00)) {
      clock.stale--;
      this.lastTurn = this.closeAs("dropped", index, 0, 0, bodyBytes(m));
      return this.sends.set(null, null);
    }
    if (w.kind !== "reply" || w.bot !== index) {
      return end(reason("bot_misbehaved", `${this.describe(conn)} sent ${codes(m)} out of turn`, index));
    }
    if (!isCode(m, Opcode.move, 0x00)) {
      return end(reason("bot_misbehaved", `${this.describe(conn)} sent ${codes(m)}; expected its reply (02 00)`, index));
    }
    const deadline = this.deadlineMs;
    // Read after its deadline (before the tick came): late, whatever the socket says.
    if (deadline !== null && nowMs >= deadline) return this.missed(w, nowMs, true);
    const thinkMs = nowMs - w.askedAtMs;
    if (w.allowanceMs !== null && thinkMs > w.allowanceMs) clock.bankMs = Math.max(0, clock.bankMs - (thinkMs - w.allowanceMs));
    this.closeTurn(clock, thinkMs);
    const replyBytes = bodyBytes(m);
    this.bytesRelayed += replyBytes;
    this.lastTurn = this.closeAs("relayed", index, thinkMs, w.stateBytes, replyBytes);
    // The reply goes to the game byte for byte, then the next trigger.
    return this.sends.set(this.game, m, this.game, this.nextTrigger(index, thinkMs, false));
  }

  /** A tick: has the bot to move run out of time? */
  checkDeadline(nowMs: number): Step | null {
    const deadline = this.deadlineMs;
    if (deadline === null || nowMs < deadline) return null;
    this.lastTurn = null;
    return this.missed(this.waiting, nowMs, false);
  }

  /** A missed deadline: END ends the match; SKIP forfeits the turn and tells the game (PROTOCOL.md §9.5). */
  private missed(w: Waiting, nowMs: number, replyInHand: boolean): Step {
    const bot = this.bots[w.bot]!;
    const clock = this.clocks[w.bot]!;
    const allowedMs = (w.allowanceMs ?? 0) + clock.bankMs;
    if (this.rules.onMiss === "end") {
      return end(reason("move_timeout", `${this.describe(bot.conn)} missed its move deadline of ${allowedMs} ms`, w.bot));
    }
    const thinkMs = nowMs - w.askedAtMs;
    clock.bankMs = 0;
    // Its reply is still to come, unless the one just read is it.
    if (!replyInHand) clock.stale++;
    this.closeTurn(clock, thinkMs);
    this.lastTurn = this.closeAs("missed", w.bot, thinkMs, w.stateBytes, 0);
    const notice = moveMissed({ bot: w.bot, deadlineMs: allowedMs });
    return this.sends.set(this.game, notice, this.game, this.nextTrigger(w.bot, thinkMs, true));
  }

  /** Fills the reused TurnDone. */
  private closeAs(kind: TurnDone["kind"], bot: number, thinkMs: number, stateBytes: number, replyBytes: number): TurnDone {
    const t = this.closed;
    t.kind = kind;
    t.bot = bot;
    t.thinkMs = thinkMs;
    t.stateBytes = stateBytes;
    t.replyBytes = replyBytes;
    return t;
  }

  private closeTurn(clock: Clock, thinkMs: number): void {
    this.waiting.kind = "action";
    clock.moved = true;
    clock.moves++;
    clock.totalMs += thinkMs;
    if (thinkMs > clock.maxMs) clock.maxMs = thinkMs;
  }

  /** The trigger after a turn: a game that asked for timing learns it (PROTOCOL.md §9.5). */
  private nextTrigger(bot: number, thinkMs: number, missed: boolean): Message {
    if (!this.gameTiming) return trigger();
    return timedTrigger({ bot, thinkMs, bankMs: this.clocks[bot]!.bankMs, missed });
  }

  /** The game's 00 FE: a normal end, with its result if it gave one that decodes (PROTOCOL.md §9.4). */
  private ended(m: Message): Step {
    if (m.body.length === 0) return end(null);
    // A result that does not decode is "no result", never a broken end.
    try {
      return { kind: "end", reason: null, result: { result: decodeResult(m.body, this.bots.length) } };
    } catch (e) {
      invariant(e instanceof ProtocolError, "decodeResult throws only ProtocolError");
      return { kind: "end", reason: null, result: { problem: e.message } };
    }
  }
}

function end(why: Reason | null): Step {
  return { kind: "end", reason: why };
}
