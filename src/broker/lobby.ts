// The lobby: who waits for the next match, and what a handshake message means (PROTOCOL.md §5.1).
// Pure: computes; the broker acts.
import { Control, Opcode, ProtocolError, codes, decodeBotName, isCode, type Message } from "../protocol/index.ts";
import { invariant } from "./invariant.ts";
import type { ConnId } from "./types.ts";

/** What a message means to a connection still in its handshake. */
export type Handshake =
  | { readonly kind: "game" }
  | { readonly kind: "bot" }
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "reject"; readonly reason: string };

/** `stage` "hello": its first message; "name": a bot's second. */
export function handshake(stage: "hello" | "name", m: Message): Handshake {
  if (stage === "hello") {
    if (isCode(m, Opcode.control, Control.gameHello)) return { kind: "game" };
    if (isCode(m, Opcode.control, Control.botHello)) return { kind: "bot" };
    return { kind: "reject", reason: `first message was ${codes(m)}; expected a hello (00 01 or 00 02)` };
  }
  if (!isCode(m, Opcode.control, Control.botName)) {
    return { kind: "reject", reason: `sent ${codes(m)} after its hello; expected its name (00 22)` };
  }
  try {
    return { kind: "name", name: decodeBotName(m.body) };
  } catch (e) {
    invariant(e instanceof ProtocolError, "decodeBotName throws only ProtocolError");
    return { kind: "reject", reason: e.message };
  }
}

/** One game slot and `seatsMax` bot seats, filled in arrival order. */
export class Lobby {
  game: ConnId | null = null;
  /** Seated bots in the order they took their seats: their match indices. */
  readonly seats: ConnId[] = [];

  constructor(readonly seatsMax: number) {}

  get seatsFull(): boolean {
    return this.seats.length >= this.seatsMax;
  }

  get ready(): boolean {
    return this.game !== null && this.seatsFull;
  }

  /** Empties the lobby into a match: the game and the bots in seat order. */
  take(): { game: ConnId; bots: ConnId[] } {
    invariant(this.game !== null && this.seatsFull, "take() only from a ready lobby");
    const game = this.game;
    this.game = null;
    return { game, bots: this.seats.splice(0) };
  }

  leave(conn: ConnId): void {
    if (this.game === conn) this.game = null;
    const seat = this.seats.indexOf(conn);
    if (seat !== -1) this.seats.splice(seat, 1);
  }
}
