// What a match asks the broker to do after each message (its step) and what it reports of a
// turn; kept in place and refilled turn after turn, so a turn allocates none. No I/O, no clock.
import { Opcode, message, type MatchResult, type Message, type Reason } from "../protocol/index.ts";
import type { Timed } from "./deadlines.ts";
import type { Match } from "./match.ts";
import type { ConnId } from "./types.ts";

/**
 * What the broker must do next: send these, or end the match (reason null = normal end). A match
 * reuses one send step from turn to turn: it is read at once, before the match's next call.
 */
export type Step = Sends | { readonly kind: "end"; readonly reason: Reason | null; readonly result?: GameResult };

const NO_MESSAGE = message(Opcode.control, 0);

/** The sends of a step, in order: `count` pairs of a connection and a message. */
export class Sends {
  readonly kind = "send";
  count = 0;
  readonly conns: ConnId[] = [];
  readonly messages: Message[] = [];

  /** Empties it and adds up to two sends (a turn never needs more). */
  set(conn: ConnId | null, m: Message | null, conn2: ConnId | null = null, m2: Message | null = null): this {
    this.count = 0;
    if (conn !== null && m !== null) this.add(conn, m);
    if (conn2 !== null && m2 !== null) this.add(conn2, m2);
    return this;
  }

  /** Lets go of the messages once read (their bytes may be reused by the transport). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.messages[i] = NO_MESSAGE;
    this.count = 0;
  }

  private add(conn: ConnId, m: Message): void {
    this.conns[this.count] = conn;
    this.messages[this.count] = m;
    this.count++;
  }
}

/** What the game's 00 FE said of the result (PROTOCOL.md §9.4). */
export type GameResult = { readonly result: MatchResult } | { readonly problem: string };

/** The turn just closed, for the broker's events: a relayed reply, a skipped move or a dropped late reply. */
export interface TurnDone {
  kind: "relayed" | "missed" | "dropped";
  bot: number;
  thinkMs: number;
  stateBytes: number;
  replyBytes: number;
}

/** A match's place in the broker's deadline heap. */
export interface MoveTimer extends Timed {
  readonly due: "move";
  readonly match: Match;
}
