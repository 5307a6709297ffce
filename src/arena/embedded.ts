// The arena's own broker, in its process: the real state machine and TCP transport on
// 127.0.0.1 (a free port), its domain events handed to whoever follows a room. No turn logic here.
import { Broker } from "../broker/broker.ts";
import type { BrokerEvent } from "../broker/events.ts";
import type { RunningMatch } from "../broker/types.ts";
import { SETTINGS } from "../config.ts";
import { Logger } from "../log.ts";
import { TcpTransport } from "../transport/tcp.ts";
import { VERSION_TEXT } from "../version.ts";

export interface EmbeddedOptions {
  /** Bots per match for games that do not ask (BROKER_NUM_PLAYERS). */
  readonly seats: number;
  /** Each move's deadline; 0 = none (BROKER_MOVE_TIMEOUT_MS). */
  readonly moveTimeoutMs: number;
  readonly logLevel: "debug" | "info" | "warn" | "error";
  /** Where its log lines go. */
  readonly writeLog: (line: string) => void;
  /** Record every message of every match (for replays), and every event to this sink too (the records). */
  readonly record?: (e: BrokerEvent) => void;
}

export type RoomListener = (e: BrokerEvent) => void;

export class EmbeddedBroker {
  readonly host = "127.0.0.1";
  private readonly listeners = new Map<string, RoomListener>();
  /** Match id → room, for the events that name only the match. */
  private readonly rooms = new Map<string, string>();
  private finished: () => void = () => {};
  private shutDown = false;
  private readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  private constructor(
    private tcp: TcpTransport | null,
    private readonly broker: Broker,
  ) {}

  static start(o: EmbeddedOptions): EmbeddedBroker {
    const num = (key: keyof typeof SETTINGS) => Number(SETTINGS[key].fallback);
    const broker = new Broker({
      botsPerMatch: o.seats,
      moveTimeoutMs: o.moveTimeoutMs,
      moveTimeoutMsMax: num("moveTimeoutMsMax"),
      timeBankMsMax: num("timeBankMsMax"),
      helloTimeoutMs: num("helloTimeoutMs"),
      matchesMax: null,
      logTurns: o.logLevel === "debug",
      queueMax: num("queueMax"),
      runningMatchesMax: null,
      drainMs: 0,
      rooms: new Map(),
      roomsOnDemand: true,
      record: o.record !== undefined,
      brokerVersion: VERSION_TEXT,
      newMatchId: () => Bun.randomUUIDv7(),
      authorize: () => true,
      connectionsMax: num("connectionsMax"),
      connectionsPerAddressMax: num("connectionsPerAddressMax"),
      connectRatePerAddress: num("connectRatePerAddress"),
      roomsMax: num("roomsMax"),
    });
    const embedded = new EmbeddedBroker(null, broker);
    embedded.tcp = new TcpTransport(broker, new Logger(o.logLevel, "text", o.writeLog), {
      host: embedded.host,
      port: 0,
      lineBytesMax: num("lineBytesMax"),
      onFinished: () => embedded.finished(),
      onEvent: (e) => {
        o.record?.(e);
        embedded.route(e);
      },
    });
    return embedded;
  }

  get port(): number {
    return this.tcp!.port;
  }

  /** Follows one room's events until the returned function is called. */
  follow(room: string, listener: RoomListener): () => void {
    this.listeners.set(room, listener);
    return () => this.listeners.delete(room);
  }

  private route(e: BrokerEvent): void {
    let room: string | undefined;
    if (e.type === "match_started") {
      room = e.match.room;
      this.rooms.set(e.match.id, room);
    } else if (e.type === "turn" || e.type === "move_missed" || e.type === "match_ended") {
      room = e.room;
      if (e.type === "match_ended") this.rooms.delete(e.matchId);
    } else if (e.type === "traced") {
      room = this.rooms.get(e.matchId);
    }
    if (room !== undefined) this.listeners.get(room)?.(e);
  }

  runningMatches(): RunningMatch[] {
    return this.broker.runningMatches();
  }

  /**
   * Ends every running match now, with broker_shutdown (so the records too say they count for
   * nothing, and --resume plays them again), before the arena stops their processes.
   */
  shutdownNow(): void {
    if (this.shutDown) return;
    this.shutDown = true;
    this.tcp!.dispatch({ kind: "shutdown" });
  }

  /** Shuts down (if not yet) and closes the port once its clients are told. */
  async stop(): Promise<void> {
    this.shutdownNow();
    await Promise.race([this.done, Bun.sleep(2000)]);
    this.tcp!.stopListening();
  }
}
