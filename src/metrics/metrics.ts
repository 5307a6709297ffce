// A projection of the broker's events into Prometheus metrics (README "Metrics"): counters and
// histograms updated per event, gauges read from the broker's Snapshot at scrape time. It never
// scans connections or matches, and never reaches into the broker's objects.
import type { BrokerEvent } from "../broker/events.ts";
import type { Snapshot } from "../broker/types.ts";
import { Exposition, Histogram } from "./exposition.ts";

/** Relay time inside the broker, in seconds: 5 µs to 100 ms. */
export const RELAY_BOUNDS = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.1];
/** A bot's think time, in seconds: 100 µs to 60 s. */
export const THINK_BOUNDS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The label every room that is neither declared nor `default` counts under (bounded series). */
export const OTHER_ROOM = "other";

interface RoomStats {
  turns: number;
  missed: number;
  started: number;
  stateBytes: number;
  replyBytes: number;
  readonly ended: Map<string, number>;
  readonly relay: Histogram;
  readonly think: Histogram;
}

/** Process figures sampled outside the projection (memory, event-loop lag): see process.ts. */
export interface ProcessFigures {
  readonly residentBytes: number;
  readonly heapUsedBytes: number;
  readonly startTimeSeconds: number;
  readonly eventLoopLag: Histogram;
}

export class BrokerMetrics {
  private readonly rooms = new Map<string, RoomStats>();
  private readonly rejected = new Map<string, number>();
  private slowConsumers = 0;
  /** Turns whose relay is still being written: their read times and rooms, measured once the step is done (kept in place, no object per turn). */
  private readonly pendingAtMs: number[] = [];
  private readonly pendingStats: RoomStats[] = [];
  private pendingCount = 0;
  private readonly measure = (): void => this.measurePending();

  /**
   * @param named rooms that keep their own label: the declared ones and `default`.
   * @param clock the broker's clock (monotonic ms), the one its events' times are on.
   * @param later runs a function once the current I/O callback has written its sends (a microtask).
   */
  constructor(
    private readonly named: ReadonlySet<string>,
    private readonly clock: () => number = () => performance.now(),
    private readonly later: (f: () => void) => void = queueMicrotask,
  ) {}

  /** The label of a room: its name if declared (or `default`), else `other`. */
  label(room: string | null): string {
    return room !== null && this.named.has(room) ? room : OTHER_ROOM;
  }

  onEvent(e: BrokerEvent): void {
    switch (e.type) {
      case "turn": {
        const s = this.stats(e.room);
        s.turns++;
        s.stateBytes += e.stateBytes;
        s.replyBytes += e.replyBytes;
        s.think.observe(e.thinkMs / 1000);
        // The relay to the game is written after this event, in the same callback: measure then.
        this.pendingAtMs[this.pendingCount] = e.atMs;
        this.pendingStats[this.pendingCount] = s;
        if (++this.pendingCount === 1) this.later(this.measure);
        break;
      }
      case "move_missed": {
        const s = this.stats(e.room);
        s.missed++;
        s.stateBytes += e.stateBytes;
        break;
      }
      case "match_started":
        this.stats(e.match.room).started++;
        break;
      case "match_ended": {
        const ended = this.stats(e.room).ended;
        ended.set(e.code, (ended.get(e.code) ?? 0) + 1);
        break;
      }
      case "connection_rejected":
        this.rejected.set(e.code, (this.rejected.get(e.code) ?? 0) + 1);
        break;
      case "slow_consumer":
        this.slowConsumers++;
        break;
    }
  }

  private measurePending(): void {
    const now = this.clock();
    for (let i = 0; i < this.pendingCount; i++) this.pendingStats[i]!.relay.observe(Math.max(0, now - this.pendingAtMs[i]!) / 1000);
    this.pendingCount = 0;
  }

  private stats(room: string): RoomStats {
    const label = this.label(room);
    let s = this.rooms.get(label);
    if (!s) {
      s = { turns: 0, missed: 0, started: 0, stateBytes: 0, replyBytes: 0, ended: new Map(), relay: new Histogram(RELAY_BOUNDS), think: new Histogram(THINK_BOUNDS) };
      this.rooms.set(label, s);
    }
    return s;
  }

  /** The whole exposition: this projection's series, the snapshot's gauges and the process's. */
  render(snap: Snapshot, proc: ProcessFigures, version: string): string {
    const x = new Exposition();
    x.family("bitbroker_info", "gauge", "Always 1; the version label says which broker answers.").sample("bitbroker_info", { version }, 1);
    x.family("bitbroker_connections", "gauge", "Open connections by role and stage (handshake, waiting in a queue, playing).");
    x.sample("bitbroker_connections", { role: "unknown", stage: "handshake" }, snap.handshaking);
    x.sample("bitbroker_connections", { role: "game", stage: "waiting" }, snap.gamesWaiting);
    x.sample("bitbroker_connections", { role: "bot", stage: "waiting" }, snap.botsWaiting);
    x.sample("bitbroker_connections", { role: "game", stage: "playing" }, snap.gamesPlaying);
    x.sample("bitbroker_connections", { role: "bot", stage: "playing" }, snap.botsPlaying);

    const gauges = new Map<string, { running: number; games: number; bots: number }>();
    for (const [name, r] of Object.entries(snap.rooms)) {
      const label = this.label(name);
      const g = gauges.get(label) ?? { running: 0, games: 0, bots: 0 };
      g.running += r.matchesRunning;
      g.games += r.gamesWaiting;
      g.bots += r.botsWaiting;
      gauges.set(label, g);
    }
    x.family("bitbroker_matches_running", "gauge", "Matches running now, by room.");
    for (const [room, g] of gauges) x.sample("bitbroker_matches_running", { room }, g.running);
    x.family("bitbroker_queue_length", "gauge", "Clients waiting in a room's queue, by room and role.");
    for (const [room, g] of gauges) x.sample("bitbroker_queue_length", { room, role: "game" }, g.games).sample("bitbroker_queue_length", { room, role: "bot" }, g.bots);

    const rooms = [...this.rooms].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const counter = (name: string, help: string, value: (s: RoomStats) => number) => {
      x.family(name, "counter", help);
      for (const [room, s] of rooms) x.sample(name, { room }, value(s));
    };
    counter("bitbroker_matches_started_total", "Matches started, by room.", (s) => s.started);
    x.family("bitbroker_matches_ended_total", "counter", "Matches ended, by room and cause: normal, or the reason's code (PROTOCOL.md 6.1).");
    for (const [room, s] of rooms) for (const [code, n] of s.ended) x.sample("bitbroker_matches_ended_total", { room, code }, n);
    counter("bitbroker_turns_total", "Turns relayed (a bot's reply read and relayed to its game), by room.", (s) => s.turns);
    counter("bitbroker_moves_missed_total", "Moves a bot missed under the SKIP time rule (the turn forfeited), by room.", (s) => s.missed);
    x.family("bitbroker_relayed_bytes_total", "counter", "Body bytes relayed, by room and kind: states (game to bot) and replies (bot to game).");
    for (const [room, s] of rooms) x.sample("bitbroker_relayed_bytes_total", { room, kind: "state" }, s.stateBytes).sample("bitbroker_relayed_bytes_total", { room, kind: "reply" }, s.replyBytes);
    x.family("bitbroker_turn_relay_seconds", "histogram", "Time inside the broker per turn: from reading a bot's reply to having written its relay and the next trigger to the game's socket.");
    for (const [room, s] of rooms) x.histogram("bitbroker_turn_relay_seconds", { room }, s.relay);
    x.family("bitbroker_think_seconds", "histogram", "A bot's think time as the broker sees it: from writing the state to reading the reply (includes the network both ways).");
    for (const [room, s] of rooms) x.histogram("bitbroker_think_seconds", { room }, s.think);

    x.family("bitbroker_slow_consumer_closes_total", "counter", "Connections cut because they stopped reading (slow_consumer).");
    x.sample("bitbroker_slow_consumer_closes_total", {}, this.slowConsumers);
    x.family("bitbroker_connections_rejected_total", "counter", "Clients turned away outside a match, by reason code (PROTOCOL.md 6.1).");
    for (const [code, n] of [...this.rejected].sort()) x.sample("bitbroker_connections_rejected_total", { code }, n);

    x.family("process_resident_memory_bytes", "gauge", "Resident memory of the broker's process.").sample("process_resident_memory_bytes", {}, proc.residentBytes);
    x.family("process_heap_used_bytes", "gauge", "JavaScript heap in use.").sample("process_heap_used_bytes", {}, proc.heapUsedBytes);
    x.family("process_start_time_seconds", "gauge", "Start time of the process, seconds since the Unix epoch.").sample("process_start_time_seconds", {}, proc.startTimeSeconds);
    x.family("bitbroker_event_loop_lag_seconds", "histogram", "How late a timer set every 100 ms fires: the event loop's lag.");
    x.histogram("bitbroker_event_loop_lag_seconds", {}, proc.eventLoopLag);
    return x.text();
  }
}
