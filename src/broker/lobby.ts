// The connections before their match: accepted or refused, their handshake, their room's queue,
// and the start of a match when a line-up is complete (PROTOCOL.md §5, §7, §9). Part of the pure
// state machine (broker.ts drives it): no I/O, no clocks; a match's own life is matchbook.ts's.
import { codes, end, formatReason, reason, welcome, type Message, type Reason } from "../protocol/index.ts";
import type { Deadlines, Timed } from "./deadlines.ts";
import { DEFAULT_ROOM, grantedFeatures, handshake } from "./handshake.ts";
import { invariant } from "./invariant.ts";
import { Addresses } from "./limits.ts";
import type { Matchbook } from "./matchbook.ts";
import type { Out } from "./out.ts";
import { newPeer, type Peer } from "./peer.ts";
import type { Room, Rooms } from "./rooms.ts";
import { askedTimeProblem, timeRules } from "./time.ts";
import type { BrokerSettings, ConnId, Transport } from "./types.ts";

/** What the lobby needs of the broker around it. */
export interface LobbyHost {
  /** Why every new connection is turned away now (draining, stopped, finished), or null while open. */
  closedReason(): Reason | null;
  /** Whether a complete line-up may start a match now (open, under the running and total caps). */
  mayStart(): boolean;
}

export class Lobby {
  readonly peers = new Map<ConnId, Peer>();
  /** Counters kept up to date, so a snapshot costs O(rooms), never O(connections). */
  readonly count = { handshaking: 0, gamesWaiting: 0, botsWaiting: 0 };
  private readonly addresses: Addresses;

  constructor(
    private readonly settings: BrokerSettings,
    private readonly out: Out,
    private readonly deadlines: Deadlines<Timed & { readonly due: string }>,
    private readonly rooms: Rooms,
    private readonly matches: Matchbook,
    private readonly host: LobbyHost,
  ) {
    this.addresses = new Addresses({ perAddressMax: settings.connectionsPerAddressMax, ratePerSecond: settings.connectRatePerAddress });
  }

  opened(conn: ConnId, peer: string, address: string, transport: Transport): void {
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
    const closed = this.host.closedReason();
    if (closed !== null) return closed;
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

  /** A line from a connection not in a match: its handshake, or a fault while it waits. */
  received(p: Peer, m: Message): void {
    if (p.stage === "queued") return this.reject(p, reason("unexpected_message", `sent ${codes(m)} while waiting in room ${p.room!.name}`));
    invariant(p.stage === "hello" || p.stage === "name", "the lobby reads only handshakes and queued clients");
    const step = handshake(p.stage, m);
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
    if (room.queued > room.queueMax && !(room.lineupReady && this.host.mayStart())) {
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

  /** Starts what the room can start; else says why it waits. */
  private roomChanged(room: Room): void {
    while (room.lineupReady && this.host.mayStart()) this.start(room);
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

  /** A slot is free: start waiting line-ups in the order their rooms became ready. */
  startWaiting(): void {
    const waiting = this.rooms.waitingToStart;
    while (waiting.length > 0 && this.host.mayStart()) {
      const room = waiting.shift()!;
      if (!room.lineupReady) continue;
      this.start(room);
      if (room.lineupReady) waiting.push(room);
    }
  }

  private start(room: Room): void {
    const game = room.games.first()!;
    this.count.gamesWaiting--;
    this.count.botsWaiting -= game.botsNeeded;
    this.matches.start(room);
  }

  /** Tells every connection `which` selects why it goes, and drops it. */
  closeAll(why: Reason, which: (p: Peer) => boolean = () => true): void {
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
  reject(p: Peer, why: Reason): void {
    const room = p.room?.name ?? null;
    this.out.log("warn", "connection rejected", { conn: p.conn, peer: p.address, role: p.role, room, code: why.code, reason: why.text });
    this.out.event({ type: "connection_rejected", code: why.code, role: p.role, room });
    this.out.send(p.conn, end(formatReason(why)));
    this.drop(p.conn);
  }

  drop(conn: ConnId): void {
    const p = this.peers.get(conn);
    invariant(p, "drop of a known connection");
    this.out.close(conn);
    this.forget(p);
  }

  /** Takes a connection out of every structure it is in (not its match: the match's end does that). */
  forget(p: Peer): void {
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
