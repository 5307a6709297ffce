// The turn-state machine: handle(event, nowMs) → commands. Connections go handshake → their
// room's queue → a match (PROTOCOL.md §5); many matches run at once, each on its own.
// No I/O, no clocks, no randomness: the transport and the HTTP endpoints drive and read it.
import {
  Control,
  Opcode,
  codes,
  encodeResult,
  end,
  formatReason,
  message,
  reason,
  welcome,
  type MatchResult,
  type Message,
  type ProtocolError,
  type Reason,
} from "../protocol/index.ts";
import { Deadlines, type Timed } from "./deadlines.ts";
import type { BrokerEvent } from "./events.ts";
import { DEFAULT_ROOM, grantedFeatures, handshake } from "./handshake.ts";
import { Addresses } from "./limits.ts";
import { askedTimeProblem, timeRules } from "./time.ts";
import { invariant } from "./invariant.ts";
import { Match, type GameResult, type MoveTimer, type Step } from "./match.ts";
import { newPeer, type Peer } from "./peer.ts";
import { Rooms, type Room } from "./rooms.ts";
import type { BrokerSettings, Command, ConnId, Event, LogFields, LogLevel, RunningMatch, Snapshot } from "./types.ts";

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
  private readonly matches = new Map<string, Match>();
  private readonly addresses: Addresses;
  /** Counters kept up to date, so a snapshot costs O(rooms), never O(connections). */
  private readonly count = { handshaking: 0, gamesWaiting: 0, botsWaiting: 0, gamesPlaying: 0, botsPlaying: 0 };
  private matchesStarted = 0;
  private matchesPlayed = 0;
  private matchesAborted = 0;
  /** open → (draining →) stopped; or open → finished (BROKER_MATCHES played). */
  private state: "open" | "draining" | "stopped" | "finished" = "open";
  private out: Command[] = [];
  private nowMs = 0;

  constructor(private readonly settings: BrokerSettings) {
    invariant(settings.botsPerMatch >= 1 && settings.botsPerMatch <= 255, "botsPerMatch in 1..255");
    this.rooms = new Rooms(settings);
    this.addresses = new Addresses({ perAddressMax: settings.connectionsPerAddressMax, ratePerSecond: settings.connectRatePerAddress });
  }

  handle(event: Event, nowMs: number): Command[] {
    this.out = [];
    this.nowMs = nowMs;
    switch (event.kind) {
      case "opened":
        this.opened(event.conn, event.peer, event.address);
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
      case "watch": {
        const match = this.matches.get(event.matchId);
        if (match) match.watched = event.on;
        break;
      }
    }
    return this.out;
  }

  /** When the driver must send the next `tick`, or null if nothing is timed. O(1). */
  nextDeadlineMs(): number | null {
    return this.deadlines.nextMs();
  }

  snapshot(): Snapshot {
    const { handshaking, gamesWaiting, botsWaiting, gamesPlaying, botsPlaying } = this.count;
    return {
      stopping: this.state === "stopped" || this.state === "finished",
      draining: this.state === "draining",
      phase: this.state === "stopped" || this.state === "finished" ? "finished" : this.state === "draining" ? "draining" : this.matches.size > 0 ? "running" : "lobby",
      botsPerMatch: this.settings.botsPerMatch,
      connections: this.peers.size,
      handshaking,
      gamesWaiting,
      botsWaiting,
      gamesPlaying,
      botsPlaying,
      matchesRunning: this.matches.size,
      matchesPlayed: this.matchesPlayed,
      matchesAborted: this.matchesAborted,
      roomsWaitingToStart: this.rooms.waitingToStart.length,
      rooms: this.rooms.snapshot(),
    };
  }

  /** The running matches, for GET /matches: O(running matches). */
  runningMatches(): RunningMatch[] {
    return [...this.matches.values()].map((m) => ({ id: m.id, room: m.room, bots: m.bots.map((b) => b.name), turn: m.turn, startedAtMs: m.startedAtMs }));
  }

  // ---- connections ----------------------------------------------------------------------

  private opened(conn: ConnId, peer: string, address: string): void {
    invariant(!this.peers.has(conn), "connection ids are not reused");
    // PROTOCOL.md §7: every connection the broker accepted is told why it goes.
    const why = this.refusal(address);
    if (why !== null) {
      this.log("info", "connection refused", { conn, peer, code: why.code, reason: why.text });
      this.event({ type: "rejected", code: why.code, role: "unknown", room: null });
      this.out.push({ kind: "send", conn, message: end(formatReason(why)) }, { kind: "close", conn });
      return;
    }
    const p = newPeer(conn, peer, address);
    this.peers.set(conn, p);
    this.count.handshaking++;
    this.deadlines.set(p, this.nowMs + this.settings.helloTimeoutMs);
    this.log("info", "connection opened", { conn, peer });
  }

  /** Why a new connection from `address` is turned away at once, if it is (PROTOCOL.md §7). */
  private refusal(address: string): Reason | null {
    if (this.state === "finished") return this.finishedReason();
    if (this.state === "draining") return DRAINING;
    if (this.state === "stopped") return SHUTTING_DOWN;
    if (this.peers.size >= this.settings.connectionsMax) {
      return reason("limit_exceeded", `the broker holds ${this.peers.size} connections, its limit`);
    }
    switch (this.addresses.admit(address, this.nowMs)) {
      case "ok":
        return null;
      case "too_many":
        return reason("limit_exceeded", `too many connections from ${address} (BROKER_CONNECTIONS_PER_ADDRESS_MAX ${this.settings.connectionsPerAddressMax})`);
      case "too_fast":
        return reason("limit_exceeded", `too many new connections from ${address} (BROKER_CONNECT_RATE_PER_ADDRESS ${this.settings.connectRatePerAddress} a second)`);
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
      case "match": {
        const match = p.match!;
        const fromGame = conn === match.game;
        if (match.traced) this.trace(match, "in", conn, m);
        if (this.settings.logTurns) {
          const fields = { match: match.id, room: match.room, conn, codes: codes(m), bodyBytes: m.body.length, turn: match.turn };
          this.log("debug", fromGame ? "from game" : "from bot", fields);
        }
        const step = fromGame ? match.fromGame(m, this.nowMs) : match.fromBot(conn, m, this.nowMs);
        return this.apply(match, step);
      }
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
    this.join(p);
  }

  /** Handshake done: the client joins its room's queue (PROTOCOL.md §5.1) and learns where it stands. */
  private join(p: Peer): void {
    const room = p.room!;
    this.count.handshaking--;
    this.deadlines.clear(p);
    p.stage = "queued";
    this.out.push({ kind: "admitted", conn: p.conn });
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
      p.features = grantedFeatures(p.hello.features);
      const bots = p.role === "game" ? p.botsNeeded : room.botsPerMatch;
      const timing = p.role === "game" && p.features.includes("timing");
      const time = timing ? timeRules(this.settings, room.rules?.time ?? null, p.hello.time, true) : null;
      this.send(p.conn, welcome({ brokerVersion: this.settings.brokerVersion, features: p.features, room: room.name, queuePosition: position, bots, time }));
    }
    const client = p.hello?.client ?? "";
    if (p.role === "game") {
      this.log("info", "game joined the lobby", { conn: p.conn, peer: p.address, room: room.name, position, bots: p.botsNeeded, client });
    } else {
      this.log("info", "seat taken", { conn: p.conn, peer: p.address, room: room.name, name: p.name, position, client });
    }
    this.roomChanged(room);
  }

  // ---- rooms and matches ----------------------------------------------------------------

  private get mayStart(): boolean {
    const { matchesMax, runningMatchesMax } = this.settings;
    return (
      this.state === "open" &&
      (matchesMax === null || this.matchesStarted < matchesMax) &&
      (runningMatchesMax === null || this.matches.size < runningMatchesMax)
    );
  }

  /** Starts what the room can start; else says why it waits. */
  private roomChanged(room: Room): void {
    while (room.lineupReady && this.mayStart) this.startMatch(room);
    if (room.lineupReady) {
      if (room.list === null) this.rooms.waitingToStart.push(room);
      this.log("info", "lobby waiting", { room: room.name, waitingFor: "a free match slot", running: this.matches.size });
      return;
    }
    const game = room.games.first();
    if (game === null && room.bots.length === 0) return;
    const missing = game ? game.botsNeeded - room.bots.length : 0;
    const parts = [missing > 0 ? `${missing} more bot${missing === 1 ? "" : "s"}` : "", game === null ? "a game" : ""].filter(Boolean);
    this.log("info", "lobby waiting", { room: room.name, waitingFor: parts.join(" and "), games: room.games.length, bots: room.bots.length });
  }

  /** A running slot freed up: rooms that waited for one start in the order they became ready. */
  private fillSlots(): void {
    const waiting = this.rooms.waitingToStart;
    while (waiting.length > 0 && this.mayStart) {
      const room = waiting.shift()!;
      if (!room.lineupReady) continue;
      this.startMatch(room);
      if (room.lineupReady) waiting.push(room);
    }
  }

  private startMatch(room: Room): void {
    const { game, bots } = room.takeLineup();
    this.matchesStarted++;
    this.count.gamesWaiting--;
    this.count.botsWaiting -= bots.length;
    this.count.gamesPlaying++;
    this.count.botsPlaying += bots.length;
    const seats = bots.map((b) => ({ conn: b.conn, name: b.name, timing: b.features.includes("timing") }));
    const recorded = room.rules?.record ?? this.settings.record;
    const gameTiming = game.features.includes("timing");
    const rules = timeRules(this.settings, room.rules?.time ?? null, game.hello?.time ?? null, gameTiming);
    const match = new Match(this.settings.newMatchId(), room.name, game.conn, seats, rules, gameTiming, this.nowMs, recorded);
    this.matches.set(match.id, match);
    room.matchesRunning++;
    for (const p of [game, ...bots]) {
      p.stage = "match";
      p.match = match;
    }
    const client = (p: Peer) => ({ client: p.hello?.client ?? "", clientVersion: p.hello?.clientVersion ?? "" });
    this.event({
      type: "match_started",
      match: {
        id: match.id,
        room: room.name,
        startedAtMs: this.nowMs,
        recorded,
        game: { peer: game.address, ...client(game) },
        bots: bots.map((b, index) => ({ index, name: b.name, peer: b.address, ...client(b) })),
      },
    });
    this.log("info", "match started", { match: match.id, room: room.name, bots: bots.length, names: bots.map((b) => b.name) });
    this.apply(match, match.start());
  }

  /** The turn a step closed, for the projections (records, metrics): relayed, missed or a dropped late reply. */
  private turnDone(match: Match): void {
    const t = match.lastTurn;
    if (t === null) return;
    if (t.kind === "dropped") {
      this.log("info", "late reply dropped", { match: match.id, room: match.room, bot: t.bot, bytes: t.replyBytes });
      return;
    }
    if (t.kind === "missed") {
      this.log("info", "move missed", { match: match.id, room: match.room, bot: t.bot, thinkMs: Math.round(t.thinkMs) });
    }
    const e = { matchId: match.id, room: match.room, bot: t.bot, thinkMs: t.thinkMs, stateBytes: t.stateBytes, replyBytes: t.replyBytes };
    this.event(t.kind === "relayed" ? { type: "turn", ...e } : { type: "move_missed", ...e });
  }

  private apply(match: Match, step: Step): void {
    if (step.kind === "end") return this.endMatch(match, step.reason, step.result);
    this.turnDone(match);
    for (const [conn, m] of step.sends) this.sendIn(match, conn, m);
    const deadline = match.deadlineMs;
    if (deadline === null) this.deadlines.clear(match.timer);
    else this.deadlines.set(match.timer, deadline);
  }

  /** PROTOCOL.md §6: 00 FF to everyone of the match still here (twice to a game awaiting a reply). */
  private endMatch(match: Match, why: Reason | null, given?: GameResult): void {
    const bye = end(why ? formatReason(why) : "");
    const result = given && "result" in given ? given.result : null;
    if (given && "problem" in given) {
      this.log("warn", "result ignored", { match: match.id, room: match.room, problem: given.problem });
    }
    // PROTOCOL.md §9.4: bots that asked for results get it just before their 00 FF.
    const resultLine = result ? message(Opcode.control, Control.result, encodeResult(result)) : null;
    for (const conn of match.conns()) {
      const p = this.peers.get(conn);
      if (!p) continue;
      if (resultLine && p.role === "bot" && p.features.includes("results")) this.sendIn(match, conn, resultLine);
      this.sendIn(match, conn, bye);
      if (conn === match.game && why !== null && match.awaitingReply) this.sendIn(match, conn, bye);
      this.drop(conn);
    }
    this.deadlines.clear(match.timer);
    this.matches.delete(match.id);
    const room = this.rooms.get(match.room);
    invariant(room, "a match's room lives while the match runs");
    room.matchesRunning--;
    this.count.gamesPlaying--;
    this.count.botsPlaying -= match.bots.length;
    this.matchesPlayed++;
    if (why !== null) this.matchesAborted++;
    this.log(why === null ? "info" : "warn", "match ended", {
      match: match.id,
      room: match.room,
      code: why?.code ?? "normal",
      cause: why?.text ?? "the game ended the match",
      turns: match.turn,
    });
    this.event({
      type: "match_ended",
      matchId: match.id,
      room: match.room,
      startedAtMs: match.startedAtMs,
      endedAtMs: this.nowMs,
      code: why?.code ?? "normal",
      reason: why?.text ?? "",
      culprit: why?.party ?? null,
      turns: match.turn,
      bytesRelayed: match.bytesRelayed,
      think: match.thinkStats(),
      result,
    });
    this.rooms.release(room);
    if (this.state === "stopped" || this.state === "finished") return;
    if (this.matches.size > 0) return this.fillSlots();
    if (this.state === "draining") return this.stop("drained: every running match has ended");
    const { matchesMax } = this.settings;
    if (matchesMax !== null && this.matchesPlayed >= matchesMax) return this.finish();
    this.fillSlots();
  }

  // ---- faults and time ------------------------------------------------------------------

  /** A protocol error on a connection (PROTOCOL.md §7): it is told why, then closed. */
  private failed(conn: ConnId, error: ProtocolError): void {
    const p = this.peers.get(conn);
    if (!p) return;
    if (p.stage !== "match") return this.reject(p, reason("protocol_error", error.message));
    const match = p.match!;
    const code = conn === match.game ? "game_misbehaved" : "bot_misbehaved";
    const why = reason(code, `${match.describe(conn)} sent an invalid line: ${error.message}`, match.partyOf(conn));
    this.log("warn", "connection closed", { conn, peer: p.address, role: p.role, match: match.id, room: match.room, code: why.code, reason: why.text });
    // The offender stays among the match's peers, so it gets the match's 00 FF like the others.
    this.endMatch(match, why);
  }

  /** A connection that went away (`disconnected`) or was cut for not reading (`slow_consumer`). */
  private departed(conn: ConnId, how: "disconnected" | "slow_consumer", detail: string): void {
    const p = this.peers.get(conn);
    if (!p) return;
    this.forget(p);
    if (p.stage !== "match") {
      this.log("info", "connection closed", { conn, peer: p.address, role: p.role, room: p.room?.name ?? null, reason: `${how}${detail}` });
      return;
    }
    const match = p.match!;
    const who = match.describe(conn);
    const why =
      how === "slow_consumer"
        ? reason("slow_consumer", `${who} stopped reading${detail}`, match.partyOf(conn))
        : reason(conn === match.game ? "game_disconnected" : "bot_disconnected", `${who} disconnected${detail}`, match.partyOf(conn));
    const fields = { conn, peer: p.address, role: p.role, match: match.id, room: match.room, code: why.code, reason: why.text };
    this.log(how === "slow_consumer" ? "warn" : "info", "connection closed", fields);
    this.endMatch(match, why);
  }

  private tick(): void {
    for (let t = this.deadlines.due(this.nowMs); t !== null; t = this.deadlines.due(this.nowMs)) {
      switch (t.due) {
        case "hello":
          this.reject(t, reason("hello_timeout", `no ${t.stage === "hello" ? "hello" : "name"} within ${this.settings.helloTimeoutMs} ms`));
          break;
        case "move": {
          const step = t.match.checkDeadline(this.nowMs);
          invariant(step !== null, "a due move timer means a missed deadline");
          this.apply(t.match, step);
          break;
        }
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
      const untilMs = this.nowMs + this.settings.drainMs;
      this.deadlines.set(this.drainTimer, untilMs);
      while (this.rooms.waitingToStart.shift());
      this.log("info", "draining", { matches: this.matches.size, drainMs: this.settings.drainMs });
      this.event({ type: "draining", untilMs });
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
    this.log("info", "shutting down", { why, connections: this.peers.size, matches: this.matches.size });
    for (const match of [...this.matches.values()]) this.endMatch(match, SHUTTING_DOWN);
    this.closeAll(SHUTTING_DOWN);
    this.event({ type: "finished" });
    this.out.push({ kind: "finished" });
  }

  /** BROKER_MATCHES played: whoever still waits is told, and the driver exits. */
  private finish(): void {
    this.state = "finished";
    this.log("info", "all matches played", { matches: this.matchesPlayed });
    this.closeAll(this.finishedReason());
    this.event({ type: "finished" });
    this.out.push({ kind: "finished" });
  }

  private finishedReason(): Reason {
    const n = this.settings.matchesMax ?? 0;
    return reason("broker_finished", `the broker played its ${n} match${n === 1 ? "" : "es"} and is exiting`);
  }

  private closeAll(why: Reason, which: (p: Peer) => boolean = () => true): void {
    for (const p of [...this.peers.values()]) {
      if (!which(p)) continue;
      this.send(p.conn, end(formatReason(why)));
      this.drop(p.conn);
    }
  }

  /**
   * Protocol or rule error outside a match: log with the peer, tell it why (00 FF + reason, so
   * the original libraries return cleanly and ours raise the reason), close that connection only.
   */
  private reject(p: Peer, why: Reason): void {
    const room = p.room?.name ?? null;
    this.log("warn", "connection rejected", { conn: p.conn, peer: p.address, role: p.role, room, code: why.code, reason: why.text });
    this.event({ type: "rejected", code: why.code, role: p.role, room });
    this.send(p.conn, end(formatReason(why)));
    this.drop(p.conn);
  }

  private drop(conn: ConnId): void {
    const p = this.peers.get(conn);
    invariant(p, "drop of a known connection");
    this.out.push({ kind: "close", conn });
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

  private send(conn: ConnId, m: Message): void {
    this.out.push({ kind: "send", conn, message: m });
  }

  /** A send to a connection of `match`, traced when the match is recorded. */
  private sendIn(match: Match, conn: ConnId, m: Message): void {
    this.send(conn, m);
    if (match.traced) this.trace(match, "out", conn, m);
  }

  private trace(match: Match, dir: "in" | "out", conn: ConnId, m: Message): void {
    // The codes are copied now: a relayed line is rewritten in place later (retag).
    this.event({ type: "traced", matchId: match.id, atMs: this.nowMs, dir, party: match.partyOf(conn), opcode: m.opcode, operand: m.operand, body: m.body });
  }

  private event(event: BrokerEvent): void {
    this.out.push({ kind: "event", event });
  }

  private log(level: LogLevel, event: string, fields: LogFields): void {
    this.out.push({ kind: "log", level, event, fields });
  }
}
