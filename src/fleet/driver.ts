// The Agones projection (BROKER_AGONES=on): Ready once listening, Health pings while the event loop
// runs, throttled labels and annotations with the broker's load, Shutdown when no more matches
// will be played. It reads the broker's events only; it never blocks or fails the broker.
import { invariant } from "../broker/invariant.ts";
import type { FleetEvent } from "./events.ts";
import { ANNOTATIONS, LABELS, annotationsFor, isLabelValue, isSdkKey, labelsFor, type FleetLoad, type ServingState } from "./metadata.ts";
import { CallQueue, Outage, type FleetLog } from "./queue.ts";
import { AgonesSdk, type GameServerView, type SdkOutcome } from "./sdk.ts";

export interface FleetOptions {
  /** AGONES_SDK_HTTP_PORT: the sidecar's REST port on 127.0.0.1. */
  readonly sdkPort: number;
  readonly version: string;
  readonly log: FleetLog;
  /** Clients connected and not in a match, read when labels are refreshed. */
  readonly queued: () => number;
  /** Bound on each call to the sidecar. */
  readonly callTimeoutMs?: number;
  /** Labels and annotations are refreshed at most this often (and only those that changed). */
  readonly metadataIntervalMs?: number;
  /** GET /gameserver this often, to follow the state Agones gives the server (Allocated…). */
  readonly watchIntervalMs?: number;
}

/** Agones's default spec.health.periodSeconds; the broker pings twice per period. */
const HEALTH_PERIOD_DEFAULT_MS = 5000;
const PING_INTERVAL_MIN_MS = 250;
/** Rooms remembered for the annotations; idle ones are forgotten first. */
const ROOMS_TRACKED_MAX = 4096;
/** States in which Ready has not been asked for yet; in any other, calling it would undo something. */
const BEFORE_READY = new Set(["", "Creating", "Starting", "Scheduled", "PortAllocation"]);

export class FleetDriver {
  private readonly sdk: AgonesSdk;
  private readonly outage: Outage;
  private readonly queue: CallQueue;
  private readonly metadataIntervalMs: number;
  private readonly watchIntervalMs: number;
  private started = false;
  private shutdownQueued = false;
  private stopped = false;
  private agonesState: string | null = null;
  private serving: ServingState = "serving";
  private readonly running = new Map<string, string>();
  private readonly rooms = new Map<string, { running: number; played: number }>();
  private played = 0;
  private readonly sent = new Map<string, string>();
  private lastFlushMs = -Infinity;
  private healthPeriodMs = HEALTH_PERIOD_DEFAULT_MS;
  private healthDueMs = 0;
  private pingInFlight = false;
  private healthTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly options: FleetOptions) {
    for (const key of [...Object.values(LABELS), ...Object.values(ANNOTATIONS)]) invariant(isSdkKey(key), `plain SDK key: ${key}`);
    this.sdk = new AgonesSdk(options.sdkPort, options.callTimeoutMs ?? 2000);
    this.outage = new Outage(options.log);
    this.queue = new CallQueue(options.log, this.outage);
    this.metadataIntervalMs = options.metadataIntervalMs ?? 5000;
    this.watchIntervalMs = options.watchIntervalMs ?? 5000;
  }

  /** The broker accepts clients: publish the labels, then Ready (once, ever), and start pinging. */
  listening(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.options.log("info", "agones sidecar", { url: this.sdk.baseUrl });
    this.flush();
    this.queue.push({ key: "ready", what: "Ready", droppable: false, run: () => this.readyOnce() });
    this.every(this.metadataIntervalMs, () => this.flush());
    this.every(this.watchIntervalMs, () => this.watch());
    this.scheduleHealth(0);
  }

  /** Any of the broker's domain events; those the fleet does not read are ignored. */
  onEvent(event: FleetEvent | { readonly type: string }): void {
    if (this.stopped) return;
    const e = event as FleetEvent;
    switch (e.type) {
      case "match_started": {
        const room = e.match.room;
        this.running.set(e.match.id, room);
        this.room(room).running++;
        return this.flushThrottled();
      }
      case "match_ended": {
        const room = this.running.get(e.matchId) ?? e.room;
        if (this.running.delete(e.matchId)) this.room(room).running--;
        this.room(room).played++;
        this.played++;
        return this.flushThrottled();
      }
      case "draining":
        if (this.serving !== "serving") return;
        this.serving = "draining";
        return this.flush();
      case "finished":
        this.serving = "finished";
        this.flush();
        return this.queueShutdown();
    }
  }

  /**
   * The broker exits: Shutdown is queued if it was not, then everything pending is given up to
   * `timeoutMs` to reach the sidecar. Resolves true if it did.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    if (this.stopped) return this.queue.idle;
    if (this.started) this.queueShutdown();
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const settled = await this.queue.settle(timeoutMs);
    this.queue.close();
    if (!settled) this.options.log("warn", "agones sidecar calls left unsent at exit", { timeoutMs });
    return settled;
  }

  private queueShutdown(): void {
    if (this.shutdownQueued || !this.started) return;
    this.shutdownQueued = true;
    this.queue.push({
      key: "shutdown",
      what: "Shutdown",
      droppable: false,
      run: async () => {
        const outcome = await this.sdk.shutdown();
        if (outcome.ok) this.options.log("info", "agones shutdown requested", { matchesPlayed: this.played });
        return outcome;
      },
    });
  }

  /** Ready, unless the GameServer is past it (a restarted broker in an Allocated server must not undo it). */
  private async readyOnce(): Promise<SdkOutcome> {
    const got = await this.sdk.gameServer();
    if (!got.ok) return got;
    this.observe(got.gameServer);
    if (this.shutdownQueued) return { ok: true, body: null };
    if (!BEFORE_READY.has(got.gameServer.state)) {
      this.options.log("info", "agones ready not requested", { state: got.gameServer.state, reason: "the GameServer is past Ready already" });
      return { ok: true, body: null };
    }
    const outcome = await this.sdk.ready();
    if (outcome.ok) this.options.log("info", "agones ready requested", { gameServer: got.gameServer.name });
    return outcome;
  }

  private watch(): void {
    if (this.shutdownQueued) return;
    this.queue.push({
      key: "gameserver",
      what: "GetGameServer",
      droppable: true,
      run: async () => {
        const got = await this.sdk.gameServer();
        if (!got.ok) return got;
        this.observe(got.gameServer);
        return { ok: true, body: null };
      },
    });
  }

  private observe(gs: GameServerView): void {
    const periodMs = gs.healthPeriodSeconds > 0 ? gs.healthPeriodSeconds * 1000 : HEALTH_PERIOD_DEFAULT_MS;
    if (periodMs !== this.healthPeriodMs) {
      this.healthPeriodMs = periodMs;
      // A shorter period than assumed: the next ping must not wait for the old, longer interval.
      if (this.healthDueMs - performance.now() > this.pingIntervalMs()) this.scheduleHealth(this.pingIntervalMs());
    }
    if (gs.state === this.agonesState) return;
    this.options.log("info", gs.state === "Allocated" ? "agones allocated" : "agones state", { from: this.agonesState ?? "", to: gs.state });
    this.agonesState = gs.state;
  }

  private flushThrottled(): void {
    if (performance.now() - this.lastFlushMs >= this.metadataIntervalMs) this.flush();
    // Otherwise the periodic flush sends it: at most one refresh per interval, never one per event.
  }

  /** Queues every label and annotation whose value changed since it was last queued. */
  private flush(): void {
    if (this.shutdownQueued || !this.started) return;
    this.lastFlushMs = performance.now();
    const load = this.load();
    for (const [key, value] of Object.entries(labelsFor(load))) {
      invariant(isLabelValue(value), `valid label value for ${key}: ${value}`);
      this.set("label", key, value);
    }
    for (const [key, value] of Object.entries(annotationsFor(load, this.options.version))) this.set("annotation", key, value);
  }

  private set(kind: "label" | "annotation", key: string, value: string): void {
    const id = `${kind}:${key}`;
    if (this.sent.get(id) === value) return;
    this.sent.set(id, value);
    const run = kind === "label" ? () => this.sdk.setLabel(key, value) : () => this.sdk.setAnnotation(key, value);
    const givenUp = () => {
      if (this.sent.get(id) === value) this.sent.delete(id);
    };
    this.queue.push({ key: id, what: `Set${kind === "label" ? "Label" : "Annotation"} ${key}`, droppable: true, run, givenUp });
  }

  private load(): FleetLoad {
    let queued = 0;
    try {
      queued = this.options.queued();
    } catch {
      queued = 0;
    }
    return { state: this.serving, running: this.running.size, queued, played: this.played, rooms: this.rooms };
  }

  private room(name: string): { running: number; played: number } {
    let r = this.rooms.get(name);
    if (!r) {
      // Rooms may come and go by the thousand: forget the oldest idle one past the bound.
      if (this.rooms.size >= ROOMS_TRACKED_MAX) {
        for (const [old, load] of this.rooms) {
          if (load.running === 0) {
            this.rooms.delete(old);
            break;
          }
        }
      }
      this.rooms.set(name, (r = { running: 0, played: 0 }));
    }
    return r;
  }

  /** Pings ride the broker's own event loop: if it stalls, they stop, and Agones sees it. */
  private scheduleHealth(delayMs: number): void {
    if (this.healthTimer) this.cancel(this.healthTimer);
    this.healthDueMs = performance.now() + delayMs;
    this.healthTimer = this.timer(delayMs, () => {
      this.healthTimer = null;
      this.ping();
    });
  }

  private pingIntervalMs(): number {
    return Math.max(PING_INTERVAL_MIN_MS, this.healthPeriodMs / 2);
  }

  private ping(): void {
    const lateMs = performance.now() - this.healthDueMs;
    // The next ping is due before this one leaves: a stall from here on shows as lateness.
    this.scheduleHealth(this.pingIntervalMs());
    if (lateMs > this.healthPeriodMs) this.options.log("warn", "event loop stalled", { lateMs: Math.round(lateMs), healthPeriodMs: this.healthPeriodMs });
    if (this.pingInFlight) return;
    this.pingInFlight = true;
    void this.sdk.health(Math.min(this.healthPeriodMs, 2000)).then((outcome) => {
      this.pingInFlight = false;
      if (outcome.ok) this.outage.succeeded();
      else this.outage.failed("Health", outcome, null);
    });
  }

  private every(intervalMs: number, f: () => void): void {
    this.timer(intervalMs, () => {
      f();
      this.every(intervalMs, f);
    });
  }

  private timer(delayMs: number, f: () => void): ReturnType<typeof setTimeout> | null {
    if (this.stopped) return null;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) f();
    }, delayMs);
    t.unref();
    this.timers.add(t);
    return t;
  }

  private cancel(t: ReturnType<typeof setTimeout>): void {
    clearTimeout(t);
    this.timers.delete(t);
  }
}
