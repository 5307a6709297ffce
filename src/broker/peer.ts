// One connection as the broker sees it: its stage, role, room and match. Data only.
import type { Hello } from "../protocol/index.ts";
import type { Timed } from "./deadlines.ts";
import type { Linked } from "./fifo.ts";
import type { Match } from "./match.ts";
import type { Room } from "./rooms.ts";
import type { ConnId, Transport } from "./types.ts";

/** hello → (bot: name) → queued → match. */
export type Stage = "hello" | "name" | "queued" | "match";

export interface Peer extends Linked<Peer>, Timed {
  /** What its place in the deadline heap means: its handshake deadline. */
  readonly due: "hello";
  readonly conn: ConnId;
  /** Remote address:port, for logs. */
  readonly address: string;
  /** Remote address alone, for the per-address limits (PROTOCOL.md §7). */
  readonly ip: string;
  /** How it reached the broker (TCP, or a WebSocket on the HTTP port). */
  readonly transport: Transport;
  role: "unknown" | "game" | "bot";
  stage: Stage;
  name: string;
  /** Its Hello, or null for a v1 client (PROTOCOL.md §9.1). */
  hello: Hello | null;
  room: Room | null;
  match: Match | null;
  /** A game's bots per match. */
  botsNeeded: number;
  /** A bot's seat ticket (PROTOCOL.md §9.7), or null: seated by arrival. */
  seat: number | null;
  /** Features of its Hello that the broker granted (PROTOCOL.md §9.3). */
  features: readonly string[];
}

export function newPeer(conn: ConnId, address: string, ip: string, transport: Transport = "tcp"): Peer {
  return {
    due: "hello",
    conn,
    address,
    ip,
    transport,
    role: "unknown",
    stage: "hello",
    name: "",
    hello: null,
    room: null,
    match: null,
    botsNeeded: 0,
    seat: null,
    features: [],
    prev: null,
    next: null,
    list: null,
    deadlineMs: 0,
    heapIndex: -1,
  };
}
