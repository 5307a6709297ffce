// What goes in and out of the turn-state machine. Data only: no I/O, no clocks.
import type { Message, ProtocolError } from "../protocol/index.ts";

/** A connection, numbered by the transport; never reused within a process. */
export type ConnId = number;

export type Event =
  | { readonly kind: "opened"; readonly conn: ConnId; readonly peer: string }
  | { readonly kind: "received"; readonly conn: ConnId; readonly message: Message }
  /** The transport could not decode this connection's input. */
  | { readonly kind: "failed"; readonly conn: ConnId; readonly error: ProtocolError }
  /** The peer went away (or the socket failed); `cause` says how, when known. */
  | { readonly kind: "closed"; readonly conn: ConnId; readonly cause?: string }
  /** The transport cut this connection: it stopped reading while too much was queued for it. */
  | { readonly kind: "slow"; readonly conn: ConnId; readonly unsentBytes: number }
  /** Time passed: the driver sends one at `nextDeadlineMs()`. */
  | { readonly kind: "tick" }
  | { readonly kind: "shutdown" };

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

export type Command =
  | { readonly kind: "send"; readonly conn: ConnId; readonly message: Message }
  /** Close once everything sent before it is flushed. */
  | { readonly kind: "close"; readonly conn: ConnId }
  | { readonly kind: "log"; readonly level: LogLevel; readonly event: string; readonly fields: LogFields }
  /** No more matches will be played: the driver exits once every close is flushed. */
  | { readonly kind: "finished" };

export interface BrokerSettings {
  /** Bots per match (BROKER_NUM_PLAYERS). */
  readonly botsPerMatch: number;
  /** Deadline for a bot's reply; 0 = none. */
  readonly moveTimeoutMs: number;
  /** Deadline for a connection's handshake (hello, and for a bot its name). */
  readonly helloTimeoutMs: number;
  /** Matches to play before finishing; null = serve forever. */
  readonly matchesMax: number | null;
  /** Log every message of a match at debug level (LOG_LEVEL=debug); off, the turn costs nothing extra. */
  readonly logTurns: boolean;
}

export type Phase = "lobby" | "running" | "finished";

/** What the health endpoint shows; read from the same state machine. */
export interface Snapshot {
  readonly stopping: boolean;
  readonly phase: Phase;
  /** Bots per match (BROKER_NUM_PLAYERS). */
  readonly botsPerMatch: number;
  /** Bots in the running match, still connected. */
  readonly botsPlaying: number;
  /** Bots seated in the lobby for the next match. */
  readonly botsWaiting: number;
  readonly gamePlaying: boolean;
  readonly gameWaiting: boolean;
  readonly turn: number;
  readonly matchesPlayed: number;
  readonly matchesAborted: number;
  readonly connections: number;
}
