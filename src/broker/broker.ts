// The turn-state machine: handle(event, nowMs) → commands. Lobby → match → lobby (PROTOCOL.md §5).
// No I/O, no clocks, no randomness: the transport and health endpoint drive and read it.
import { codes, end, formatReason, reason, type Message, type ProtocolError, type Reason } from "../protocol/index.ts";
import { invariant } from "./invariant.ts";
import { Lobby, handshake } from "./lobby.ts";
import { Match, type Step } from "./match.ts";
import type { BrokerSettings, Command, ConnId, Event, LogFields, LogLevel, Snapshot } from "./types.ts";

type Stage = "hello" | "name" | "lobby" | "match";

interface Peer {
  readonly conn: ConnId;
  readonly peer: string;
  role: "unknown" | "game" | "bot";
  stage: Stage;
  name: string;
  match: Match | null;
}

export class Broker {
  private readonly peers = new Map<ConnId, Peer>();
  /** Handshake deadlines in open order; they only grow, so the head is the earliest. */
  private readonly helloQueue: Array<{ conn: ConnId; deadlineMs: number }> = [];
  private readonly lobby: Lobby;
  /** Running matches; this version runs one at a time. */
  private readonly matches = new Map<number, Match>();
  private matchesStarted = 0;
  private matchesPlayed = 0;
  private matchesAborted = 0;
  private stopping = false;
  private out: Command[] = [];
  private nowMs = 0;

  constructor(private readonly settings: BrokerSettings) {
    invariant(settings.botsPerMatch >= 1 && settings.botsPerMatch <= 255, "botsPerMatch in 1..255");
    this.lobby = new Lobby(settings.botsPerMatch);
  }

  handle(event: Event, nowMs: number): Command[] {
    this.out = [];
    this.nowMs = nowMs;
    switch (event.kind) {
      case "opened":
        this.opened(event.conn, event.peer);
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
    }
    // Keep the head of the deadline queue live, so nextDeadlineMs() is O(1).
    while (this.helloQueue.length > 0 && !this.handshaking(this.helloQueue[0]!.conn)) this.helloQueue.shift();
    return this.out;
  }

  /** When the driver must send the next `tick`, or null if nothing is timed. */
  nextDeadlineMs(): number | null {
    let next = this.helloQueue[0]?.deadlineMs ?? null;
    for (const m of this.matches.values()) {
      const d = m.deadlineMs;
      if (d !== null && (next === null || d < next)) next = d;
    }
    return next;
  }

  snapshot(): Snapshot {
    const running = [...this.matches.values()];
    let botsPlaying = 0;
    for (const m of running) botsPlaying += m.bots.filter((b) => this.peers.has(b.conn)).length;
    return {
      stopping: this.stopping,
      phase: this.finished ? "finished" : running.length > 0 ? "running" : "lobby",
      botsPerMatch: this.settings.botsPerMatch,
      botsPlaying,
      botsWaiting: this.lobby.seats.length,
      gamePlaying: running.some((m) => this.peers.has(m.game)),
      gameWaiting: this.lobby.game !== null,
      turn: running[0]?.turn ?? 0,
      matchesPlayed: this.matchesPlayed,
      matchesAborted: this.matchesAborted,
      connections: this.peers.size,
    };
  }

  private handshaking(conn: ConnId): boolean {
    const stage = this.peers.get(conn)?.stage;
    return stage === "hello" || stage === "name";
  }

  private get finished(): boolean {
    return this.settings.matchesMax !== null && this.matchesPlayed >= this.settings.matchesMax;
  }

  private opened(conn: ConnId, peer: string): void {
    invariant(!this.peers.has(conn), "connection ids are not reused");
    if (this.stopping || this.finished) {
      // PROTOCOL.md §7: every connection the broker accepted is told why it goes.
      const why = this.stopping ? SHUTTING_DOWN : this.finishedReason();
      this.log("info", "connection refused", { conn, peer, code: why.code, reason: why.text });
      this.out.push({ kind: "send", conn, message: end(formatReason(why)) }, { kind: "close", conn });
      return;
    }
    this.peers.set(conn, { conn, peer, role: "unknown", stage: "hello", name: "", match: null });
    this.helloQueue.push({ conn, deadlineMs: this.nowMs + this.settings.helloTimeoutMs });
    this.log("info", "connection opened", { conn, peer });
  }

  private received(conn: ConnId, m: Message): void {
    const p = this.peers.get(conn);
    if (!p) return; // already closed by us; its last lines no longer matter
    switch (p.stage) {
      case "hello":
      case "name":
        return this.handshake(p, p.stage, m);
      case "lobby":
        return this.reject(p, reason("unexpected_message", `sent ${codes(m)} while waiting in the lobby`));
      case "match": {
        const match = p.match!;
        const fromGame = conn === match.game;
        if (this.settings.logTurns) {
          this.log("debug", fromGame ? "from game" : "from bot", { match: match.id, conn, codes: codes(m), bodyBytes: m.body.length, turn: match.turn });
        }
        return this.apply(match, fromGame ? match.fromGame(m, this.nowMs) : match.fromBot(conn, m));
      }
    }
  }

  private handshake(p: Peer, stage: "hello" | "name", m: Message): void {
    const step = handshake(stage, m);
    switch (step.kind) {
      case "reject":
        return this.reject(p, reason("bad_handshake", step.reason));
      case "bot":
        p.role = "bot";
        p.stage = "name";
        return;
      case "game":
        p.role = "game";
        if (this.lobby.game !== null) return this.reject(p, reason("lobby_full", "a game is already waiting in the lobby"));
        p.stage = "lobby";
        this.lobby.game = p.conn;
        this.log("info", "game joined the lobby", { conn: p.conn, peer: p.peer });
        return this.lobbyChanged();
      case "name":
        p.name = step.name;
        if (this.lobby.seatsFull) return this.reject(p, reason("lobby_full", `all ${this.lobby.seatsMax} seats of the lobby are taken`));
        p.stage = "lobby";
        this.lobby.seats.push(p.conn);
        this.log("info", "seat taken", { conn: p.conn, peer: p.peer, name: p.name, seat: this.lobby.seats.length - 1 });
        return this.lobbyChanged();
    }
  }

  /** The lobby gained someone: start a match if it can, else say who is still missing. */
  private lobbyChanged(): void {
    if (this.tryStart()) return;
    const { game, seats, seatsMax } = this.lobby;
    if (game === null && seats.length === 0) return;
    const missing = seatsMax - seats.length;
    const parts = [missing > 0 ? `${missing} more bot${missing === 1 ? "" : "s"}` : "", game === null ? "a game" : ""].filter(Boolean);
    const waitingFor = parts.length > 0 ? parts.join(" and ") : "the running match to end";
    this.log("info", "lobby waiting", { waitingFor, game: game !== null, seated: seats.length, seats: seatsMax });
  }

  /** Starts a match if the lobby is ready and no match is running; true if one started. */
  private tryStart(): boolean {
    if (this.matches.size > 0 || !this.lobby.ready || this.finished || this.stopping) return false;
    const id = ++this.matchesStarted;
    const { game, bots: seated } = this.lobby.take();
    const bots = seated.map((conn) => ({ conn, name: this.peers.get(conn)!.name }));
    const match = new Match(id, game, bots, this.settings.moveTimeoutMs);
    this.matches.set(id, match);
    for (const conn of match.conns()) {
      const p = this.peers.get(conn)!;
      p.stage = "match";
      p.match = match;
    }
    this.log("info", "match started", { match: id, bots: bots.length, names: bots.map((b) => b.name) });
    this.apply(match, match.start());
    return true;
  }

  private apply(match: Match, step: Step): void {
    if (step.kind === "end") return this.endMatch(match, step.reason);
    for (const [conn, message] of step.sends) this.out.push({ kind: "send", conn, message });
  }

  /** PROTOCOL.md §6: 00 FF to everyone of the match still here (twice to a game awaiting a reply). */
  private endMatch(match: Match, why: Reason | null): void {
    const bye = end(why ? formatReason(why) : "");
    for (const conn of match.conns()) {
      if (!this.peers.has(conn)) continue;
      this.out.push({ kind: "send", conn, message: bye });
      if (conn === match.game && why !== null && match.awaitingReply) {
        this.out.push({ kind: "send", conn, message: bye });
      }
      this.drop(conn);
    }
    this.matches.delete(match.id);
    this.matchesPlayed++;
    if (why !== null) this.matchesAborted++;
    this.log(why === null ? "info" : "warn", "match ended", {
      match: match.id,
      code: why?.code ?? "normal",
      cause: why?.text ?? "the game ended the match",
      turns: match.turn,
    });
    if (this.finished) {
      this.log("info", "all matches played", { matches: this.matchesPlayed });
      this.closeAll(this.finishedReason());
      this.out.push({ kind: "finished" });
      return;
    }
    // The next match may already be waiting.
    if (!this.stopping) this.lobbyChanged();
  }

  /** A protocol error on a connection (PROTOCOL.md §7): it is told why, then closed. */
  private failed(conn: ConnId, error: ProtocolError): void {
    const p = this.peers.get(conn);
    if (!p) return;
    if (p.stage !== "match") return this.reject(p, reason("protocol_error", error.message));
    const match = p.match!;
    const code = conn === match.game ? "game_misbehaved" : "bot_misbehaved";
    const why = reason(code, `${match.describe(conn)} sent an invalid line: ${error.message}`);
    this.log("warn", "connection closed", { conn, peer: p.peer, role: p.role, code: why.code, reason: why.text });
    // The offender stays among the match's peers, so it gets the match's 00 FF like the others.
    this.endMatch(match, why);
  }

  /** A connection that went away (`disconnected`) or was cut for not reading (`slow_consumer`). */
  private departed(conn: ConnId, how: "disconnected" | "slow_consumer", detail: string): void {
    const p = this.peers.get(conn);
    if (!p) return;
    this.forget(p);
    if (p.stage !== "match") {
      this.log("info", "connection closed", { conn, peer: p.peer, role: p.role, reason: `${how}${detail}` });
      return;
    }
    const match = p.match!;
    const who = match.describe(conn);
    const why =
      how === "slow_consumer"
        ? reason("slow_consumer", `${who} stopped reading${detail}`)
        : reason(conn === match.game ? "game_disconnected" : "bot_disconnected", `${who} disconnected${detail}`);
    this.log(how === "slow_consumer" ? "warn" : "info", "connection closed", { conn, peer: p.peer, role: p.role, code: why.code, reason: why.text });
    this.endMatch(match, why);
  }

  private tick(): void {
    while (this.helloQueue.length > 0 && this.helloQueue[0]!.deadlineMs <= this.nowMs) {
      const { conn } = this.helloQueue.shift()!;
      const p = this.peers.get(conn);
      if (p && this.handshaking(conn)) {
        this.reject(p, reason("hello_timeout", `no ${p.stage === "hello" ? "hello" : "name"} within ${this.settings.helloTimeoutMs} ms`));
      }
    }
    for (const match of [...this.matches.values()]) {
      const step = match.checkDeadline(this.nowMs);
      if (step) this.apply(match, step);
    }
  }

  private shutdown(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.log("info", "shutting down", { connections: this.peers.size });
    for (const match of [...this.matches.values()]) this.endMatch(match, SHUTTING_DOWN);
    this.closeAll(SHUTTING_DOWN);
    this.out.push({ kind: "finished" });
  }

  private finishedReason(): Reason {
    const n = this.settings.matchesMax ?? 0;
    return reason("broker_finished", `the broker played its ${n} match${n === 1 ? "" : "es"} and is exiting`);
  }

  private closeAll(why: Reason): void {
    for (const p of [...this.peers.values()]) {
      this.out.push({ kind: "send", conn: p.conn, message: end(formatReason(why)) });
      this.drop(p.conn);
    }
  }

  /**
   * Protocol or rule error outside a match: log with the peer, tell it why (00 FF + reason, so
   * the original libraries return cleanly and ours raise the reason), close that connection only.
   */
  private reject(p: Peer, why: Reason): void {
    this.log("warn", "connection rejected", { conn: p.conn, peer: p.peer, role: p.role, code: why.code, reason: why.text });
    this.out.push({ kind: "send", conn: p.conn, message: end(formatReason(why)) });
    this.drop(p.conn);
  }

  private drop(conn: ConnId): void {
    const p = this.peers.get(conn);
    invariant(p, "drop of a known connection");
    this.out.push({ kind: "close", conn });
    this.forget(p);
  }

  private forget(p: Peer): void {
    this.peers.delete(p.conn);
    this.lobby.leave(p.conn);
  }

  private log(level: LogLevel, event: string, fields: LogFields): void {
    this.out.push({ kind: "log", level, event, fields });
  }
}

const SHUTTING_DOWN = reason("broker_shutdown", "broker shutting down");
