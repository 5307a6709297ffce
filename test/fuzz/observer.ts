// What must hold of the broker's commands, whatever the events (the fuzzing suites' invariants):
// no send to a closed connection, 00 FF before every close, no close twice, v1 clients see only
// v1 codes, a Welcome only first and only to a client that sent a Hello, every match started once
// and ended once, every accepted connection accounted for, and the snapshot's counters equal to
// what the events and commands said. Throws an Error naming the broken rule.
import type { Command, ConnId, Event, Snapshot } from "../../src/broker/types.ts";
import { Control, Opcode, codes, type Message } from "../../src/protocol/index.ts";

function fail(what: string): never {
  throw new Error(`invariant broken: ${what}`);
}

/** Codes a v1 client may receive (PROTOCOL.md §3): nothing of §9 ever reaches it. */
function v1Code(m: Message): boolean {
  if (m.opcode === Opcode.control) return m.operand === Control.batch || m.operand === Control.end;
  if (m.opcode === Opcode.trigger) return m.operand === 0 && m.body.length === 0;
  return m.opcode === Opcode.move && (m.operand === 0x05 || m.operand === 0x00);
}

export class Observer {
  private readonly opened = new Set<ConnId>();
  private readonly accepted = new Set<ConnId>();
  private readonly closedByPeer = new Set<ConnId>();
  private readonly closedByBroker = new Set<ConnId>();
  /** Connections whose first line was a hello: true for a v1 hello (empty body). */
  private readonly firstHello = new Map<ConnId, boolean>();
  private readonly sends = new Map<ConnId, number>();
  private readonly started = new Map<string, { readonly room: string; readonly bots: number }>();
  private readonly ended = new Set<string>();
  private aborted = 0;
  private finished = false;

  isOpen(conn: ConnId): boolean {
    return this.opened.has(conn) && !this.closedByPeer.has(conn) && !this.closedByBroker.has(conn);
  }

  peerClosed(conn: ConnId): boolean {
    return this.closedByPeer.has(conn);
  }

  startedIds(): string[] {
    return [...this.started.keys()];
  }

  before(event: Event): void {
    switch (event.kind) {
      case "opened":
        if (this.opened.has(event.conn)) fail(`connection ${event.conn} opened twice`);
        this.opened.add(event.conn);
        break;
      case "received": {
        const m = event.message;
        const hello = m.opcode === Opcode.control && (m.operand === Control.gameHello || m.operand === Control.botHello);
        if (!this.firstHello.has(event.conn) && !this.sends.has(event.conn)) this.firstHello.set(event.conn, hello && m.body.length === 0);
        break;
      }
      case "closed":
      case "slow":
        this.closedByPeer.add(event.conn);
        break;
    }
  }

  after(event: Event, commands: readonly Command[], snap: Snapshot, nowMs: number, nextDeadlineMs: number | null): void {
    const lastSend = new Map<ConnId, Message>();
    for (const [i, c] of commands.entries()) {
      const at = `command ${i} (${c.kind}) of ${event.kind}`;
      switch (c.kind) {
        case "send": {
          if (!this.opened.has(c.conn)) fail(`${at}: send to connection ${c.conn}, never opened`);
          if (this.closedByPeer.has(c.conn)) fail(`${at}: send ${codes(c.message)} to connection ${c.conn}, closed by its peer`);
          if (this.closedByBroker.has(c.conn)) fail(`${at}: send ${codes(c.message)} to connection ${c.conn}, which the broker closed`);
          const v1 = this.firstHello.get(c.conn) === true;
          if (v1 && !v1Code(c.message)) fail(`${at}: a v1 client (${c.conn}) was sent ${codes(c.message)} with ${c.message.body.length} body bytes`);
          if (c.message.opcode === Opcode.control && c.message.operand === Control.welcome) {
            if (this.sends.has(c.conn)) fail(`${at}: a Welcome to ${c.conn} after other lines`);
            if (this.firstHello.get(c.conn) !== false) fail(`${at}: a Welcome to ${c.conn}, which sent no Hello`);
          }
          this.sends.set(c.conn, (this.sends.get(c.conn) ?? 0) + 1);
          lastSend.set(c.conn, c.message);
          break;
        }
        case "close": {
          if (this.closedByBroker.has(c.conn)) fail(`${at}: connection ${c.conn} closed twice`);
          const last = lastSend.get(c.conn);
          // PROTOCOL.md §7: every connection the broker closes is told why first.
          if (!last || last.opcode !== Opcode.control || last.operand !== Control.end) fail(`${at}: connection ${c.conn} closed without a 00 FF first`);
          this.closedByBroker.add(c.conn);
          break;
        }
        case "admitted":
          if (!this.isOpen(c.conn)) fail(`${at}: connection ${c.conn} admitted while closed`);
          break;
        case "event": {
          const e = c.event;
          if (e.type === "match_started") {
            if (this.started.has(e.match.id)) fail(`${at}: match ${e.match.id} started twice`);
            this.started.set(e.match.id, { room: e.match.room, bots: e.match.bots.length });
          } else if (e.type === "match_ended") {
            if (!this.started.has(e.matchId)) fail(`${at}: match ${e.matchId} ended but never started`);
            if (this.ended.has(e.matchId)) fail(`${at}: match ${e.matchId} ended twice`);
            this.ended.add(e.matchId);
            if (e.code !== "normal") this.aborted++;
          }
          break;
        }
        case "finished":
          if (this.finished) fail(`${at}: finished twice`);
          this.finished = true;
          break;
        case "log":
          break;
      }
    }
    if (event.kind === "opened" && !this.closedByBroker.has(event.conn)) this.accepted.add(event.conn);
    this.counters(snap, `after ${event.kind}`);
    // A tick leaves nothing overdue: the driver's next timer is in the future.
    if (event.kind === "tick" && nextDeadlineMs !== null && nextDeadlineMs <= nowMs) fail(`a deadline at ${nextDeadlineMs} is still due after the tick at ${nowMs}`);
  }

  /** The snapshot's numbers are what the events and commands said. */
  private counters(snap: Snapshot, when: string): void {
    const alive = [...this.accepted].filter((c) => this.isOpen(c)).length;
    const eq = (what: string, got: number, want: number) => {
      if (got !== want) fail(`${when}: ${what} is ${got}, the events say ${want}`);
    };
    eq("connections", snap.connections, alive);
    eq("handshaking + waiting + playing", snap.handshaking + snap.gamesWaiting + snap.botsWaiting + snap.gamesPlaying + snap.botsPlaying, snap.connections);
    const running = [...this.started].filter(([id]) => !this.ended.has(id));
    eq("matchesRunning", snap.matchesRunning, running.length);
    eq("matchesPlayed", snap.matchesPlayed, this.ended.size);
    eq("matchesAborted", snap.matchesAborted, this.aborted);
    eq("gamesPlaying", snap.gamesPlaying, running.length);
    eq("botsPlaying", snap.botsPlaying, running.reduce((n, [, m]) => n + m.bots, 0));
    const rooms = Object.entries(snap.rooms);
    eq("the rooms' gamesWaiting", rooms.reduce((n, [, r]) => n + r.gamesWaiting, 0), snap.gamesWaiting);
    eq("the rooms' botsWaiting", rooms.reduce((n, [, r]) => n + r.botsWaiting, 0), snap.botsWaiting);
    for (const [name, r] of rooms) eq(`room ${name}'s matchesRunning`, r.matchesRunning, running.filter(([, m]) => m.room === name).length);
    for (const [, m] of running) if (!snap.rooms[m.room]) fail(`${when}: room ${m.room} has a running match but is not in the snapshot`);
    if ((snap.phase === "finished") !== this.finished) fail(`${when}: phase ${snap.phase}, finished ${this.finished}`);
    if (this.finished) eq("connections once finished", snap.connections, 0);
  }

  /** After the last shutdown: the broker has finished; every match ended once; no connection is left. */
  atEnd(snap: Snapshot): void {
    if (!this.finished) fail("the broker did not finish after shutdown, the drain and a second shutdown");
    for (const id of this.started.keys()) if (!this.ended.has(id)) fail(`match ${id} never ended`);
    const left = [...this.accepted].filter((c) => this.isOpen(c));
    if (left.length > 0) fail(`connections ${left.join(", ")} were accepted and never closed`);
    if (snap.connections !== 0) fail(`the snapshot still counts ${snap.connections} connections`);
  }

  /** Totals, for the suite's report. */
  get totals(): { matches: number; aborted: number; connections: number } {
    return { matches: this.ended.size, aborted: this.aborted, connections: this.accepted.size };
  }
}
