// Rooms and their queues (PROTOCOL.md §5): games and bots wait first-in first-out in their room;
// a match forms when the first game's line-up is there. Rooms with a full line-up that cannot
// start (BROKER_RUNNING_MATCHES_MAX) wait, fairly, in one queue. Pure; every step is O(1).
import { Fifo, type Linked } from "./fifo.ts";
import { DEFAULT_ROOM } from "./handshake.ts";
import type { Peer } from "./peer.ts";
import type { BrokerSettings, RoomRules, RoomSnapshot } from "./types.ts";

export class Room implements Linked<Room> {
  readonly games = new Fifo<Peer>();
  /** Bots seated by arrival. */
  readonly bots = new Fifo<Peer>();
  /** Bots seated by ticket (PROTOCOL.md §9.7): one queue per seat index. */
  private readonly byTicket = new Map<number, Fifo<Peer>>();
  private ticketedBots = 0;
  matchesRunning = 0;
  prev: Room | null = null;
  next: Room | null = null;
  list: { remove(item: Room): void } | null = null;

  constructor(
    readonly name: string,
    /** The operator's declaration, or null for a room created on demand. */
    readonly rules: RoomRules | null,
    /** Bots per match: the declared size, else the broker's default. */
    readonly botsPerMatch: number,
    readonly queueMax: number,
  ) {}

  get botsWaiting(): number {
    return this.bots.length + this.ticketedBots;
  }

  get queued(): number {
    return this.games.length + this.botsWaiting;
  }

  /** True when the first game and every bot it needs are waiting (by ticket: one for each seat). */
  get lineupReady(): boolean {
    const game = this.games.first();
    if (game === null) return false;
    if (this.ticketedBots === 0) return this.bots.length >= game.botsNeeded;
    for (let seat = 0; seat < game.botsNeeded; seat++) if (!this.byTicket.get(seat)?.length) return false;
    return true;
  }

  /** The bots a game of this room needs: the room's declaration wins over the game's Hello. */
  botsFor(asked: number): number {
    return this.rules ? this.rules.bots : asked > 0 ? asked : this.botsPerMatch;
  }

  /**
   * Puts a client in its queue; returns its place, or why it cannot wait here: a room seats its
   * bots either by arrival or by ticket, never both at once.
   */
  enqueue(p: Peer): { position: number } | { problem: string } {
    if (p.role === "game") {
      this.games.push(p);
      return { position: this.games.length };
    }
    if (p.seat === null) {
      if (this.ticketedBots > 0) return { problem: `room ${this.name} seats its bots by ticket: this bot has none` };
      this.bots.push(p);
      return { position: this.bots.length };
    }
    if (this.bots.length > 0) return { problem: `room ${this.name} seats its bots by arrival: this bot has a ticket` };
    if (this.rules !== null && p.seat >= this.rules.bots) return { problem: `seat ${p.seat} is not one of room ${this.name}'s ${this.rules.bots} seats` };
    let q = this.byTicket.get(p.seat);
    if (!q) this.byTicket.set(p.seat, (q = new Fifo<Peer>()));
    q.push(p);
    this.ticketedBots++;
    return { position: q.length };
  }

  /** Takes a waiting client out of its queue. */
  leave(p: Peer): void {
    const q = p.list;
    if (q === null) return;
    q.remove(p);
    if (p.role !== "bot" || p.seat === null) return;
    this.ticketedBots--;
    if (this.byTicket.get(p.seat)?.length === 0) this.byTicket.delete(p.seat);
  }

  /** Takes the first game and the bots it needs: seat i is the i-th in arrival order, or the holder of ticket i. */
  takeLineup(): { game: Peer; bots: Peer[] } {
    const game = this.games.shift()!;
    const bots: Peer[] = [];
    for (let i = 0; i < game.botsNeeded; i++) {
      const bot = this.ticketedBots === 0 ? this.bots.first()! : this.byTicket.get(i)!.first()!;
      this.leave(bot);
      bots.push(bot);
    }
    return { game, bots };
  }

  snapshot(): RoomSnapshot {
    return {
      botsPerMatch: this.botsPerMatch,
      declared: this.rules !== null,
      gamesWaiting: this.games.length,
      botsWaiting: this.botsWaiting,
      matchesRunning: this.matchesRunning,
    };
  }
}

export type RoomLookup = { readonly room: Room } | { readonly refused: "unknown_room" | "limit_exceeded"; readonly reason: string };

/** Every room: the declared ones for good, on-demand ones while someone is in them. */
export class Rooms {
  private readonly byName = new Map<string, Room>();
  /** Rooms whose line-up is complete but wait for a free running slot, oldest first. */
  readonly waitingToStart = new Fifo<Room>();

  constructor(private readonly settings: BrokerSettings) {
    const declared = new Map(settings.rooms);
    if (!declared.has(DEFAULT_ROOM)) this.make(DEFAULT_ROOM, null);
    for (const [name, rules] of declared) this.make(name, rules);
  }

  /** The room a client asked for ("" = the default room), made on demand when allowed. */
  find(name: string): RoomLookup {
    const key = name === "" ? DEFAULT_ROOM : name;
    const room = this.byName.get(key);
    if (room) return { room };
    if (!this.settings.roomsOnDemand) return { refused: "unknown_room", reason: `room ${key} is not declared, and this broker makes no rooms on demand` };
    if (this.byName.size >= this.settings.roomsMax) return { refused: "limit_exceeded", reason: `the broker holds ${this.byName.size} rooms, its limit` };
    return { room: this.make(key, null) };
  }

  get(name: string): Room | undefined {
    return this.byName.get(name);
  }

  /** Forgets an on-demand room once no one waits or plays in it (arenas make one per match). */
  release(room: Room): void {
    if (room.rules === null && room.name !== DEFAULT_ROOM && room.queued === 0 && room.matchesRunning === 0) {
      if (room.list) this.waitingToStart.remove(room);
      this.byName.delete(room.name);
    }
  }

  get count(): number {
    return this.byName.size;
  }

  snapshot(): Record<string, RoomSnapshot> {
    const out: Record<string, RoomSnapshot> = {};
    for (const [name, room] of this.byName) out[name] = room.snapshot();
    return out;
  }

  private make(name: string, rules: RoomRules | null): Room {
    const room = new Room(name, rules, rules?.bots ?? this.settings.botsPerMatch, rules?.queueMax ?? this.settings.queueMax);
    this.byName.set(name, room);
    return room;
  }
}
