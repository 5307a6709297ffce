// The broker's domain events (STYLE.md "Growing the house"): emitted beside its commands, read by
// projections (records, replays, metrics, dashboard, fleet) that the broker never imports.
// Times are the broker's clock (the driver's monotonic milliseconds). Data only.
import type { MatchResult } from "../protocol/index.ts";
import type { Transport } from "./types.ts";

/** Who a client said it is, from its Hello ("" for a v1 client). */
export interface ClientInfo {
  readonly client: string;
  readonly clientVersion: string;
}

export interface SeatInfo extends ClientInfo {
  /** The bot's index in the match (0-based, seat order). */
  readonly index: number;
  readonly name: string;
  /** Remote address:port. */
  readonly peer: string;
  /** A person plays this seat (its Hello said `human`, as the /play page does): records and leaderboards mark it. */
  readonly human: boolean;
  /** How it reached the broker: "tcp", or "ws" (a WebSocket on the HTTP port). */
  readonly transport: Transport;
}

export interface MatchInfo {
  readonly id: string;
  readonly room: string;
  readonly startedAtMs: number;
  /** Its messages are recorded (traced events) for a replay: BROKER_RECORD or its room's `record`. */
  readonly recorded: boolean;
  readonly game: ClientInfo & { readonly peer: string; readonly transport: Transport };
  readonly bots: readonly SeatInfo[];
}

/** Per-bot think time over a match, in ms as the broker measured it (state sent → reply read). */
export interface ThinkStats {
  readonly moves: number;
  readonly totalMs: number;
  readonly maxMs: number;
}

export type BrokerEvent =
  | { readonly type: "match_started"; readonly match: MatchInfo }
  /**
   * One relayed reply: bot `bot` thought `thinkMs` on a state of `stateBytes`, answered `replyBytes`;
   * `atMs` is when the broker read the reply (its relay to the game follows in the same step).
   */
  | {
      readonly type: "turn";
      readonly matchId: string;
      readonly atMs: number;
      readonly room: string;
      readonly bot: number;
      readonly thinkMs: number;
      readonly stateBytes: number;
      readonly replyBytes: number;
    }
  /** A bot missed its deadline under SKIP: its turn was forfeited, the match goes on (PROTOCOL.md §9.5). */
  | {
      readonly type: "move_missed";
      readonly matchId: string;
      readonly atMs: number;
      readonly room: string;
      readonly bot: number;
      readonly thinkMs: number;
      readonly stateBytes: number;
      readonly replyBytes: number;
    }
  | {
      readonly type: "match_ended";
      readonly matchId: string;
      readonly room: string;
      readonly startedAtMs: number;
      readonly endedAtMs: number;
      /** "normal", or the reason's code (PROTOCOL.md §6.1). */
      readonly code: string;
      /** The reason's text ("" for a normal end). */
      readonly reason: string;
      /**
       * Who ended it by a fault: -1 the game, else a bot's index; null for a normal end or the
       * broker's own (shutdown). The broker always sets it; projections' test events may leave it out.
       */
      readonly culprit?: number | null;
      readonly turns: number;
      /** Body bytes relayed (states and replies). */
      readonly bytesRelayed: number;
      readonly think: readonly ThinkStats[];
      /** The game's result (00 FE body), or null: none given, malformed, or an abnormal end. */
      readonly result: MatchResult | null;
    }
  /**
   * A message of a recorded match (room `record`, BROKER_RECORD) or of one someone follows live
   * (a `watch` event): `in` from, `out` to, `party` (-1 the game, else the bot's index). `body` is
   * a copy the broker never reuses; a relayed body is the same object in and out.
   */
  | {
      readonly type: "traced";
      readonly matchId: string;
      readonly atMs: number;
      readonly dir: "in" | "out";
      readonly party: number;
      readonly opcode: number;
      readonly operand: number;
      readonly body: Uint8Array;
    }
  /** A client turned away on its own, outside a match, with a refusal code (PROTOCOL.md §6.1). */
  | { readonly type: "connection_rejected"; readonly code: string; readonly role: "unknown" | "game" | "bot"; readonly room: string | null }
  /** A connection cut for not reading (PROTOCOL.md §7); `matchId` when it was in a match (which ends `slow_consumer`). */
  | { readonly type: "slow_consumer"; readonly room: string | null; readonly matchId: string | null }
  /** SIGTERM with BROKER_DRAIN_MS: no new clients; running matches go on until `untilMs`. */
  | { readonly type: "draining"; readonly untilMs: number }
  /** No more matches will be played. */
  | { readonly type: "finished" };
