// The turn-state machine: handle(event, nowMs) → commands. Connections go handshake → their
// room's queue (lobby.ts) → a match (matchbook.ts; PROTOCOL.md §5); many matches run at once, each
// on its own. Here: faults, time, the broker's own life (drain, stop, finish) and its snapshot.
// No I/O, no clocks, no randomness: the transport and the HTTP endpoints drive and read it.
import { reason, type Message, type ProtocolError, type Reason } from "../protocol/index.ts";
import { Deadlines, type Timed } from "./deadlines.ts";
import { invariant } from "./invariant.ts";
import { Lobby } from "./lobby.ts";
import type { MoveTimer } from "./step.ts";
import { Matchbook } from "./matchbook.ts";
import { Out } from "./out.ts";
import type { Peer } from "./peer.ts";
import { Rooms } from "./rooms.ts";
import type { BrokerSettings, Command, ConnId, Event, RunningMatch, Snapshot } from "./types.ts";

interface DrainTimer extends Timed {
  readonly due: "drain";
}
type Timer = Peer | MoveTimer | DrainTimer;

const SHUTTING_DOWN = reason("broker_shutdown", "broker shutting down");
const DRAINING = reason("broker_shutdown", "broker draining: it starts no new matches");

export class Broker {
  private readonly deadlines = new Deadlines<Timer>();
  private readonly drainTimer: DrainTimer = { due: "drain", deadlineMs: 0, heapIndex: -1 };
  private readonly rooms: Rooms;
  private readonly matches: Matchbook;
  private readonly lobby: Lobby;
  private readonly out = new Out();
  /** open → (draining →) stopped; or open → finished (BROKER_MATCHES played). */
  private state: "open" | "draining" | "stopped" | "finished" = "open";

  constructor(private readonly settings: BrokerSettings) {
    invariant(settings.botsPerMatch >= 1 && settings.botsPerMatch <= 255, "botsPerMatch in 1..255");
    this.rooms = new Rooms(settings);
    this.matches = new Matchbook(settings, this.out, this.deadlines, this.rooms, {
      peer: (conn) => this.lobby.peers.get(conn),
      drop: (conn) => this.lobby.drop(conn),
      matchEnded: () => this.matchEnded(),
    });
    this.lobby = new Lobby(settings, this.out, this.deadlines, this.rooms, this.matches, {
      closedReason: () => this.closedReason(),
      mayStart: () => this.mayStart(),
    });
  }

  /**
   * One step: the commands for `event`, in order. The array and its send and event commands are
   * the broker's, refilled at the next step: carry them out (or copy them) before calling again,
   * then `release` them.
   */
  handle(event: Event, nowMs: number): Command[] {
    this.out.begin(nowMs);
    switch (event.kind) {
      case "opened":
        this.lobby.opened(event.conn, event.peer, event.address, event.transport ?? "tcp");
        break;
      case "received":
        this.received(event.conn, event.message);
        break;
      case "failed":
        this.failed(event.conn, event.error);
        break;
      case "closed":
        this.departed(event.conn, "disconnected", event.cause ? ` (${event.cause})` : "");
        break;
      case "slow":
        this.departed(event.conn, "slow_consumer", ` (${event.unsentBytes} bytes unsent)`);
        break;
      case "tick":
        this.tick();
        break;
      case "shutdown":
        this.shutdown();
        break;
      case "watch":
        this.matches.watch(event.matchId, event.on);
        break;
    }
    return this.out.end();
  }

  /** The last step's commands were carried out: they are emptied, and let go of the messages they held. */
  release(): void {
    this.out.release();
  }

  /** When the driver must send the next `tick`, or null if nothing is timed. O(1). */
  nextDeadlineMs(): number | null {
    return this.deadlines.nextMs();
  }

  snapshot(): Snapshot {
    const m = this.matches;
    const ended = this.state === "stopped" || this.state === "finished";
    return {
      stopping: this.state === "stopped",
      draining: this.state === "draining",
      phase: ended ? "finished" : this.state === "draining" ? "draining" : m.size > 0 ? "running" : "lobby",
      botsPerMatch: this.settings.botsPerMatch,
      connections: this.lobby.peers.size,
      ...this.lobby.count,
      gamesPlaying: m.gamesPlaying,
      botsPlaying: m.botsPlaying,
      matchesRunning: m.size,
      matchesPlayed: m.played,
      matchesAborted: m.aborted,
      roomsWaitingToStart: this.rooms.waitingToStart.length,
      rooms: this.rooms.snapshot(),
    };
  }

  /** The running matches, for GET /matches: O(running matches). */
  runningMatches(): RunningMatch[] {
    return this.matches.running();
  }

  private received(conn: ConnId, m: Message): void {
    const p = this.lobby.peers.get(conn);
    if (!p) return; // already closed by us; its last lines no longer matter
    if (p.stage === "match") this.matches.received(p.match!, conn, m);
    else this.lobby.received(p, m);
  }

  // ---- when matches start ----------------------------------------------------------------

  private mayStart(): boolean {
    const { matchesMax, runningMatchesMax } = this.settings;
    return (
      this.state === "open" &&
      (matchesMax === null || this.matches.started < matchesMax) &&
      (runningMatchesMax === null || this.matches.size < runningMatchesMax)
    );
  }

  /** Why a new connection is turned away whoever it is: the broker is draining, stopped or done. */
  private closedReason(): Reason | null {
    if (this.state === "finished") return this.finishedReason();
    if (this.state === "draining") return DRAINING;
    if (this.state === "stopped") return SHUTTING_DOWN;
    return null;
  }

  /** A match ended: fill the freed slot in the order rooms became ready; or the broker is done. */
  private matchEnded(): void {
    if (this.state === "stopped" || this.state === "finished") return;
    if (this.state === "draining" && this.matches.size === 0) return this.stop("drained: every running match has ended");
    const { matchesMax } = this.settings;
    if (matchesMax !== null && this.matches.played >= matchesMax && this.matches.size === 0) return this.finish();
    this.lobby.startWaiting();
  }

  // ---- faults and time --------------------------------------------------------------------

  /** A protocol error on a connection (PROTOCOL.md §7): it is told why, then closed. */
  private failed(conn: ConnId, error: ProtocolError): void {
    const p = this.lobby.peers.get(conn);
    if (!p) return;
    if (p.stage !== "match") return this.lobby.reject(p, reason("protocol_error", error.message));
    const match = p.match!;
    const code = conn === match.game ? "game_misbehaved" : "bot_misbehaved";
    const why = reason(code, `${match.describe(conn)} sent an invalid line: ${error.message}`, match.partyOf(conn));
    this.out.log("warn", "connection closed", { conn, peer: p.address, role: p.role, match: match.id, room: match.room, code: why.code, reason: why.text });
    // The offender stays among the match's peers, so it gets the match's 00 FF like the others.
    this.matches.end(match, why);
  }

  /** A connection that went away (`disconnected`) or was cut for not reading (`slow_consumer`). */
  private departed(conn: ConnId, how: "disconnected" | "slow_consumer", detail: string): void {
    const p = this.lobby.peers.get(conn);
    if (!p) return;
    this.lobby.forget(p);
    if (p.stage !== "match") {
      if (how === "slow_consumer") this.out.event({ type: "slow_consumer", room: p.room?.name ?? null, matchId: null });
      this.out.log("info", "connection closed", { conn, peer: p.address, role: p.role, room: p.room?.name ?? null, reason: `${how}${detail}` });
      return;
    }
    if (how === "slow_consumer") this.out.event({ type: "slow_consumer", room: p.room?.name ?? null, matchId: p.match?.id ?? null });
    const match = p.match!;
    const who = match.describe(conn);
    const why =
      how === "slow_consumer"
        ? reason("slow_consumer", `${who} stopped reading${detail}`, match.partyOf(conn))
        : reason(conn === match.game ? "game_disconnected" : "bot_disconnected", `${who} disconnected${detail}`, match.partyOf(conn));
    const fields = { conn, peer: p.address, role: p.role, match: match.id, room: match.room, code: why.code, reason: why.text };
    this.out.log(how === "slow_consumer" ? "warn" : "info", "connection closed", fields);
    this.matches.end(match, why);
  }

  private tick(): void {
    for (let t = this.deadlines.due(this.out.nowMs); t !== null; t = this.deadlines.due(this.out.nowMs)) {
      switch (t.due) {
        case "hello":
          this.lobby.reject(t, reason("hello_timeout", `no ${t.stage === "hello" ? "hello" : "name"} within ${this.settings.helloTimeoutMs} ms`));
          break;
        case "move":
          this.matches.moveDue(t);
          break;
        case "drain":
          this.deadlines.clear(t);
          this.stop(`drain time over (${this.settings.drainMs} ms)`);
          break;
      }
    }
  }

  /** SIGTERM: drain if asked to and matches run; a second signal (or no drain) stops at once. */
  private shutdown(): void {
    if (this.state === "stopped" || this.state === "finished") return;
    if (this.state === "open" && this.settings.drainMs > 0 && this.matches.size > 0) {
      this.state = "draining";
      const untilMs = this.out.nowMs + this.settings.drainMs;
      this.deadlines.set(this.drainTimer, untilMs);
      while (this.rooms.waitingToStart.shift());
      this.out.log("info", "draining", { matches: this.matches.size, drainMs: this.settings.drainMs });
      this.out.event({ type: "draining", untilMs });
      // Whoever waits for a match will not get one here: tell them now, so they go elsewhere.
      this.lobby.closeAll(DRAINING, (p) => p.stage !== "match");
      return;
    }
    this.stop(this.state === "draining" ? "a second signal during the drain" : "signal");
  }

  /** Ends every match and connection with broker_shutdown; no more matches. */
  private stop(why: string): void {
    this.state = "stopped";
    this.deadlines.clear(this.drainTimer);
    this.out.log("info", "shutting down", { why, connections: this.lobby.peers.size, matches: this.matches.size });
    for (const match of this.matches.all()) this.matches.end(match, SHUTTING_DOWN);
    this.lobby.closeAll(SHUTTING_DOWN);
    this.out.finished();
  }

  /** BROKER_MATCHES played: whoever still waits is told, and the driver exits. */
  private finish(): void {
    this.state = "finished";
    this.out.log("info", "all matches played", { matches: this.matches.played });
    this.lobby.closeAll(this.finishedReason());
    this.out.finished();
  }

  private finishedReason(): Reason {
    const n = this.settings.matchesMax ?? 0;
    return reason("broker_finished", `the broker played its ${n} match${n === 1 ? "" : "es"} and is exiting`);
  }
}
