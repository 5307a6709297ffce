// The turn-state machine: handle(event, nowMs) → commands. Connections go handshake → their
// room's queue → a match (PROTOCOL.md §5); many matches run at once (matchbook.ts), each on its
// own. No I/O, no clocks, no randomness: the transport and the HTTP endpoints drive and read it.
import { codes, end, formatReason, reason, welcome, type Message, type ProtocolError, type Reason } from "../protocol/index.ts";
import { Deadlines, type Timed } from "./deadlines.ts";
import { DEFAULT_ROOM, grantedFeatures, handshake } from "./handshake.ts";
import { invariant } from "./invariant.ts";
import { Addresses } from "./limits.ts";
import type { MoveTimer } from "./match.ts";
import { Matchbook } from "./matchbook.ts";
import { Out } from "./out.ts";
import { newPeer, type Peer } from "./peer.ts";
import { Rooms, type Room } from "./rooms.ts";
import { askedTimeProblem, timeRules } from "./time.ts";
import type { BrokerSettings, Command, ConnId, Event, RunningMatch, Snapshot, Transport } from "./types.ts";

interface DrainTimer extends Timed {
  readonly due: "drain";
}
type Timer = Peer | MoveTimer | DrainTimer;

const SHUTTING_DOWN = reason("broker_shutdown", "broker shutting down");
const DRAINING = reason("broker_shutdown", "broker draining: it starts no new matches");

export class Broker {
  private readonly peers = new Map<ConnId, Peer>();
  private readonly deadlines = new Deadlines<Timer>();
  private readonly drainTimer: DrainTimer = { due: "drain", deadlineMs: 0, heapIndex: -1 };
  private readonly rooms: Rooms;
  private readonly addresses: Addresses;
  private readonly matches: Matchbook;
  private readonly out = new Out();
  /** Counters kept up to date, so a snapshot costs O(rooms), never O(connections). */
  private readonly count = { handshaking: 0, gamesWaiting: 0, botsWaiting: 0 };
  /** open → (draining →) stopped; or open → finished (BROKER_MATCHES played). */
  private state: "open" | "draining" | "stopped" | "finished" = "open";

  constructor(private readonly settings: BrokerSettings) {
    invariant(settings.botsPerMatch >= 1 && settings.botsPerMatch <= 255, "botsPerMatch in 1..255");
    this.rooms = new Rooms(settings);
    this.addresses = new Addresses({ perAddressMax: settings.connectionsPerAddressMax, ratePerSecond: settings.connectRatePerAddress });
    this.matches = new Matchbook(settings, this.out, this.deadlines, this.rooms, {
      peer: (conn) => this.peers.get(conn),
      drop: (conn) => this.drop(conn),
      matchEnded: () => this.matchEnded(),
    });
  }

  handle(event: Event, nowMs: number): Command[] {
    this.out.begin(nowMs);
    switch (event.kind) {
      case "opened":
        this.opened(event.conn, event.peer, event.address, event.transport ?? "tcp");
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
      connections: this.peers.size,
      ...this.count,
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

  // ---- connections and handshakes ------------------------------------------------------

  private opened(conn: ConnId, peer: string, address: string, transport: Transport): void {
    invariant(!this.peers.has(conn), "connection ids are not reused");
    // PROTOCOL.md §7: every connection the broker accepted is told why it goes.
    const why = this.refusal(address);
    if (why !== null) {
      this.out.log("info", "connection refused", { conn, peer, transport, code: why.code, reason: why.text });
      this.out.event({ type: "connection_rejected", code: why.code, role: "unknown", room: null });
      this.out.send(conn, end(formatReason(why)));
      this.out.close(conn);
      return;
    }
    const p = newPeer(conn, peer, address, transport);
    this.peers.set(conn, p);
    this.count.handshaking++;
    this.deadlines.set(p, this.out.nowMs + this.settings.helloTimeoutMs);
    this.out.log("info", "connection opened", { conn, peer, transport });
  }

  /** Why a new connection from `address` is turned away at once, if it is (PROTOCOL.md §7, §9.6). */
  private refusal(address: string): Reason | null {
    if (this.state === "finished") return this.finishedReason();
    if (this.state === "draining") return DRAINING;
    if (this.state === "stopped") return SHUTTING_DOWN;
    const s = this.settings;
    if (this.peers.size >= s.connectionsMax) return reason("limit_exceeded", `the broker holds ${this.peers.size} connections, its limit`);
    switch (this.addresses.admit(address, this.out.nowMs)) {
      case "ok":
        return null;
      case "too_many":
        return reason("limit_exceeded", `too many connections from ${address} (BROKER_CONNECTIONS_PER_ADDRESS_MAX ${s.connectionsPerAddressMax})`);
      case "too_fast":
        return reason("limit_exceeded", `too many new connections from ${address} (BROKER_CONNECT_RATE_PER_ADDRESS ${s.connectRatePerAddress} a second)`);
    }
  }

  private received(conn: ConnId, m: Message): void {
    const p = this.peers.get(conn);
    if (!p) return; // already closed by us; its last lines no longer matter
    switch (p.stage) {
      case "hello":
      case "name":
        return this.handshake(p, p.stage, m);
      case "queued":
        return this.reject(p, reason("unexpected_message", `sent ${codes(m)} while waiting in room ${p.room!.name}`));
      case "match":
        return this.matches.received(p.match!, conn, m);
    }
  }

  private handshake(p: Peer, stage: "hello" | "name", m: Message): void {
    const step = handshake(stage, m);
    switch (step.kind) {
      case "reject":
        return this.reject(p, reason(step.code, step.reason));
      case "game":
      case "bot":
        p.role = step.kind;
        p.hello = step.hello;
        if (step.kind === "game") return this.admit(p);
        p.stage = "name";
        return;
      case "name":
        p.name = step.name;
        return this.admit(p);
    }
  }

  /** The handshake is whole: may it join (token), is its Hello allowed, which room (PROTOCOL.md §9)? */
  private admit(p: Peer): void {
    const roomName = p.hello?.room || DEFAULT_ROOM;
    const role = p.role as "game" | "bot";
    if (!this.settings.authorize({ token: p.hello?.token ?? "", room: roomName, role, name: p.name })) {
      // One reason for every case: it must not tell which part (token, room, role, name) was wrong.
      return this.reject(p, reason("unauthorized", `no valid token to join room ${roomName} as a ${role} under this name`));
    }
    const problem = role === "game" && p.hello?.time ? askedTimeProblem(p.hello.time, this.settings) : null;
    if (problem) return this.reject(p, reason("bad_hello", problem));
    const found = this.rooms.find(roomName);
    if ("refused" in found) return this.reject(p, reason(found.refused, found.reason));
    p.room = found.room;
    if (role === "game") p.botsNeeded = found.room.botsFor(p.hello?.bots ?? 0);
    else p.seat = p.hello?.seat ?? null;
    this.join(p, found.room);
  }

  /** Handshake done: the client joins its room's queue (PROTOCOL.md §5.1) and learns where it stands. */
  private join(p: Peer, room: Room): void {
    this.count.handshaking--;
    this.deadlines.clear(p);
    p.stage = "queued";
    const placed = room.enqueue(p);
    if ("problem" in placed) return this.reject(p, reason("bad_hello", placed.problem));
    if (p.role === "game") this.count.gamesWaiting++;
    else this.count.botsWaiting++;
    // Over the limit, unless this newcomer completes a line-up that starts at once.
    if (room.queued > room.queueMax && !(room.lineupReady && this.mayStart)) {
      return this.reject(p, reason("queue_full", `room ${room.name} has ${room.queued - 1} clients waiting, its limit`));
    }
    const position = placed.position;
    if (p.hello !== null) {
      // PROTOCOL.md §9.1: the Welcome is the first line a client with a Hello gets.
      p.features = grantedFeatures(p.hello.features, p.transport);
      const bots = p.role === "game" ? p.botsNeeded : room.botsPerMatch;
      const timing = p.role === "game" && p.features.includes("timing");
      const time = timing ? timeRules(this.settings, room.rules?.time ?? null, p.hello.time, true) : null;
      this.out.send(p.conn, welcome({ brokerVersion: this.settings.brokerVersion, features: p.features, room: room.name, queuePosition: position, bots, time }));
    }
    // After the Welcome (a v1 line): the line limit lifts, and v2 frames begin if granted.
    this.out.admitted(p.conn, p.features.includes("frames") ? "frames" : "lines");
    const client = p.hello?.client ?? "";
    if (p.role === "game") {
      this.out.log("info", "game joined the lobby", { conn: p.conn, peer: p.address, room: room.name, position, bots: p.botsNeeded, client });
    } else {
      this.out.log("info", "seat taken", { conn: p.conn, peer: p.address, room: room.name, name: p.name, position, client, human: p.hello?.human ?? false });
    }
    this.roomChanged(room);
  }

  // ---- rooms: when matches start ---------------------------------------------------------

  private get mayStart(): boolean {
    const { matchesMax, runningMatchesMax } = this.settings;
    return (
      this.state === "open" &&
      (matchesMax === null || this.matches.started < matchesMax) &&
      (runningMatchesMax === null || this.matches.size < runningMatchesMax)
    );
  }

  /** Starts what the room can start; else says why it waits. */
  private roomChanged(room: Room): void {
    while (room.lineupReady && this.mayStart) this.start(room);
    if (room.lineupReady) {
      if (room.list === null) this.rooms.waitingToStart.push(room);
      this.out.log("info", "lobby waiting", { room: room.name, waitingFor: "a free match slot", running: this.matches.size });
      return;
    }
    const game = room.games.first();
    if (game === null && room.botsWaiting === 0) return;
    const missing = game ? game.botsNeeded - room.botsWaiting : 0;
    const parts = [missing > 0 ? `${missing} more bot${missing === 1 ? "" : "s"}` : "", game === null ? "a game" : ""].filter(Boolean);
    const waitingFor = parts.length > 0 ? parts.join(" and ") : "the bots holding the missing seat tickets";
    this.out.log("info", "lobby waiting", { room: room.name, waitingFor, games: room.games.length, bots: room.botsWaiting });
  }

  private start(room: Room): void {
    const game = room.games.first()!;
    this.count.gamesWaiting--;
    this.count.botsWaiting -= game.botsNeeded;
    this.matches.start(room);
  }

  /** A match ended: fill the freed slot in the order rooms became ready; or the broker is done. */
  private matchEnded(): void {
    if (this.state === "stopped" || this.state === "finished") return;
    if (this.state === "draining" && this.matches.size === 0) return this.stop("drained: every running match has ended");
    const { matchesMax } = this.settings;
    if (matchesMax !== null && this.matches.played >= matchesMax && this.matches.size === 0) return this.finish();
    const waiting = this.rooms.waitingToStart;
    while (waiting.length > 0 && this.mayStart) {
      const room = waiting.shift()!;
      if (!room.lineupReady) continue;
      this.start(room);
      if (room.lineupReady) waiting.push(room);
    }
  }

  // ---- faults and time --------------------------------------------------------------------

  /** A protocol error on a connection (PROTOCOL.md §7): it is told why, then closed. */
  private failed(conn: ConnId, error: ProtocolError): void {
    const p = this.peers.get(conn);
    if (!p) return;
    if (p.stage !== "match") return this.reject(p, reason("protocol_error", error.message));
    const match = p.match!;
    const code = conn === match.game ? "game_misbehaved" : "bot_misbehaved";
    const why = reason(code, `${match.describe(conn)} sent an invalid line: ${error.message}`, match.partyOf(conn));
    this.out.log("warn", "connection closed", { conn, peer: p.address, role: p.role, match: match.id, room: match.room, code: why.code, reason: why.text });
    // The offender stays among the match's peers, so it gets the match's 00 FF like the others.
    this.matches.end(match, why);
  }

  /** A connection that went away (`disconnected`) or was cut for not reading (`slow_consumer`). */
  private departed(conn: ConnId, how: "disconnected" | "slow_consumer", detail: string): void {
    const p = this.peers.get(conn);
    if (!p) return;
    this.forget(p);
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
          this.reject(t, reason("hello_timeout", `no ${t.stage === "hello" ? "hello" : "name"} within ${this.settings.helloTimeoutMs} ms`));
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
      this.closeAll(DRAINING, (p) => p.stage !== "match");
      return;
    }
    this.stop(this.state === "draining" ? "a second signal during the drain" : "signal");
  }

  /** Ends every match and connection with broker_shutdown; no more matches. */
  private stop(why: string): void {
    this.state = "stopped";
    this.deadlines.clear(this.drainTimer);
    this.out.log("info", "shutting down", { why, connections: this.peers.size, matches: this.matches.size });
    for (const match of this.matches.all()) this.matches.end(match, SHUTTING_DOWN);
    this.closeAll(SHUTTING_DOWN);
    this.out.finished();
  }

  /** BROKER_MATCHES played: whoever still waits is told, and the driver exits. */
  private finish(): void {
    this.state = "finished";
    this.out.log("info", "all matches played", { matches: this.matches.played });
    this.closeAll(this.finishedReason());
    this.out.finished();
  }

  private finishedReason(): Reason {
    const n = this.settings.matchesMax ?? 0;
    return reason("broker_finished", `the broker played its ${n} match${n === 1 ? "" : "es"} and is exiting`);
  }

  private closeAll(why: Reason, which: (p: Peer) => boolean = () => true): void {
    for (const p of [...this.peers.values()]) {
      if (!which(p)) continue;
      this.out.send(p.conn, end(formatReason(why)));
      this.drop(p.conn);
    }
  }

  /**
   * Protocol or rule error outside a match: log with the peer, tell it why (00 FF + reason, so
   * the original libraries return cleanly and ours raise the reason), close that connection only.
   */
  private reject(p: Peer, why: Reason): void {
    const room = p.room?.name ?? null;
    this.out.log("warn", "connection rejected", { conn: p.conn, peer: p.address, role: p.role, room, code: why.code, reason: why.text });
    this.out.event({ type: "connection_rejected", code: why.code, role: p.role, room });
    this.out.send(p.conn, end(formatReason(why)));
    this.drop(p.conn);
  }

  private drop(conn: ConnId): void {
    const p = this.peers.get(conn);
    invariant(p, "drop of a known connection");
    this.out.close(conn);
    this.forget(p);
  }

  /** Takes a connection out of every structure it is in (not its match: the match's end does that). */
  private forget(p: Peer): void {
    this.peers.delete(p.conn);
    this.addresses.release(p.ip);
    if (p.stage === "hello" || p.stage === "name") {
      this.count.handshaking--;
      this.deadlines.clear(p);
    }
    if (p.stage === "queued" && p.list !== null) {
      p.room!.leave(p);
      if (p.role === "game") this.count.gamesWaiting--;
      else this.count.botsWaiting--;
    }
    if (p.stage !== "match" && p.room !== null) this.rooms.release(p.room);
  }
}
