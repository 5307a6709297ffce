// What goes in and out of the turn-state machine. Data only: no I/O, no clocks.
import type { AskedTime, Message, ProtocolError } from "../protocol/index.ts";
import type { BrokerEvent } from "./events.ts";

/** A connection, numbered by the transport; never reused within a process. */
export type ConnId = number;

/** How a client reached the broker: its TCP port, or a WebSocket on the HTTP port (`/ws`). */
export type Transport = "tcp" | "ws";

export type Event =
  /**
   * A new connection: `peer` is address:port for logs, `address` the remote address the limits
   * count, `transport` how it came (default "tcp"; "ws": a WebSocket on the HTTP port, which
   * frames every message itself, so v2 frames are never granted there: PROTOCOL.md §12).
   */
  | { readonly kind: "opened"; readonly conn: ConnId; readonly peer: string; readonly address: string; readonly transport?: Transport }
  | { readonly kind: "received"; readonly conn: ConnId; readonly message: Message }
  /** The transport could not decode this connection's input. */
  | { readonly kind: "failed"; readonly conn: ConnId; readonly error: ProtocolError }
  /** The peer went away (or the socket failed); `cause` says how, when known. */
  | { readonly kind: "closed"; readonly conn: ConnId; readonly cause?: string }
  /** The transport cut this connection: it stopped reading while too much was queued for it. */
  | { readonly kind: "slow"; readonly conn: ConnId; readonly unsentBytes: number }
  /** Time passed: the driver sends one at `nextDeadlineMs()`. */
  | { readonly kind: "tick" }
  /** SIGTERM/SIGINT: drain (BROKER_DRAIN_MS), or stop at once if already draining or no drain is set. */
  | { readonly kind: "shutdown" }
  /** Someone starts (or stops) following a running match live: its messages are traced meanwhile. */
  | { readonly kind: "watch"; readonly matchId: string; readonly on: boolean };

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

export type Command =
  | { readonly kind: "send"; readonly conn: ConnId; readonly message: Message }
  /** Close once everything sent before it is flushed. */
  | { readonly kind: "close"; readonly conn: ConnId }
  | { readonly kind: "log"; readonly level: LogLevel; readonly event: string; readonly fields: LogFields }
  /**
   * Its handshake is done: the transport lifts its small handshake line limit to
   * BROKER_LINE_BYTES_MAX, and from now on speaks `framing` both ways (v2 frames when the client
   * was granted "frames": PROTOCOL.md §11). Comes after the Welcome, which is still a v1 line.
   */
  | { readonly kind: "admitted"; readonly conn: ConnId; readonly framing: "lines" | "frames" }
  /** A domain event for the projections (records, metrics, dashboard, fleet): STYLE.md "Growing the house". */
  | { readonly kind: "event"; readonly event: BrokerEvent }
  /** No more matches will be played: the driver exits once every close is flushed. */
  | { readonly kind: "finished" };

/** A room the operator declared (BROKER_ROOMS_FILE): its settings win over a game's Hello. */
export interface RoomRules {
  /** Bots per match. */
  readonly bots: number;
  /** Clients that may wait in its queue; null = BROKER_QUEUE_MAX. */
  readonly queueMax: number | null;
  /** Record every message of its matches (replays); null = BROKER_RECORD. */
  readonly record: boolean | null;
  /** Its time rules (PROTOCOL.md §9.5), field by field over a game's Hello; null = none declared. */
  readonly time: AskedTime | null;
}

export interface BrokerSettings {
  /** Bots per match of the default room, and of rooms created on demand when a game asks no size (BROKER_NUM_PLAYERS). */
  readonly botsPerMatch: number;
  /** Deadline for a bot's reply; 0 = none (the default time rules: PROTOCOL.md §9.5). */
  readonly moveTimeoutMs: number;
  /** The longest move a game's Hello may ask for (BROKER_MOVE_TIMEOUT_MS_MAX). */
  readonly moveTimeoutMsMax: number;
  /** The largest time bank a game's Hello may ask for (BROKER_TIME_BANK_MS_MAX). */
  readonly timeBankMsMax: number;
  /** Deadline for a connection's handshake (hello, and for a bot its name). */
  readonly helloTimeoutMs: number;
  /** Matches to play before finishing; null = serve forever. */
  readonly matchesMax: number | null;
  /** Log every message of a match at debug level (LOG_LEVEL=debug); off, the turn costs nothing extra. */
  readonly logTurns: boolean;
  /** Clients that may wait in one room's queue (BROKER_QUEUE_MAX). */
  readonly queueMax: number;
  /** Matches that may run at once; null = no cap (BROKER_RUNNING_MATCHES_MAX). */
  readonly runningMatchesMax: number | null;
  /** How long running matches may go on after SIGTERM; 0 = end them at once (BROKER_DRAIN_MS). */
  readonly drainMs: number;
  /** Rooms declared by the operator, by name. */
  readonly rooms: ReadonlyMap<string, RoomRules>;
  /** May a client's Hello name a room that is not declared? */
  readonly roomsOnDemand: boolean;
  /** Record every message of every match (replays), unless a room says otherwise (BROKER_RECORD). */
  readonly record: boolean;
  /** Sent in every Welcome. */
  readonly brokerVersion: string;
  /** A new match id, unique across brokers (the driver gives UUIDv7s; tests, counters). */
  readonly newMatchId: () => string;
  /** May this client join? (BROKER_TOKEN / BROKER_TOKENS_FILE; constant-time, outside the broker.) */
  readonly authorize: (req: JoinRequest) => boolean;
  /** Connections the broker holds at once (BROKER_CONNECTIONS_MAX). */
  readonly connectionsMax: number;
  /** Connections one remote address may hold (BROKER_CONNECTIONS_PER_ADDRESS_MAX). */
  readonly connectionsPerAddressMax: number;
  /** New connections per second one remote address may open (BROKER_CONNECT_RATE_PER_ADDRESS). */
  readonly connectRatePerAddress: number;
  /** Rooms at once, declared and made on demand (BROKER_ROOMS_MAX). */
  readonly roomsMax: number;
}

/** What the authorizer is asked. The token is never logged nor kept. */
export interface JoinRequest {
  readonly token: string;
  readonly room: string;
  readonly role: "game" | "bot";
  readonly name: string;
}

export type Phase = "lobby" | "running" | "draining" | "finished";

/** One room as the health endpoint shows it. */
export interface RoomSnapshot {
  readonly botsPerMatch: number;
  readonly declared: boolean;
  readonly gamesWaiting: number;
  readonly botsWaiting: number;
  readonly matchesRunning: number;
}

/** What the health endpoint shows; read from the same state machine, from counters kept up to date. */
export interface Snapshot {
  readonly stopping: boolean;
  readonly draining: boolean;
  readonly phase: Phase;
  /** Bots per match of the default room (BROKER_NUM_PLAYERS). */
  readonly botsPerMatch: number;
  readonly connections: number;
  /** Connections still in their handshake. */
  readonly handshaking: number;
  readonly gamesWaiting: number;
  readonly botsWaiting: number;
  readonly gamesPlaying: number;
  readonly botsPlaying: number;
  readonly matchesRunning: number;
  readonly matchesPlayed: number;
  readonly matchesAborted: number;
  /** Rooms with a full line-up waiting because BROKER_RUNNING_MATCHES_MAX matches run. */
  readonly roomsWaitingToStart: number;
  readonly rooms: Readonly<Record<string, RoomSnapshot>>;
}

/** A running match as GET /matches shows it. */
export interface RunningMatch {
  readonly id: string;
  readonly room: string;
  readonly bots: readonly string[];
  readonly turn: number;
  readonly startedAtMs: number;
}
