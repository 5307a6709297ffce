// The running matches: starting one from a room's line-up, carrying out each step a match
// computes (sends, deadlines, events), and ending it (PROTOCOL.md §5, §6, §9.4). Pure.
import { Control, Opcode, bodyBytes, codes, encodeResult, end, formatReason, message, type Message, type Reason } from "../protocol/index.ts";
import type { Deadlines, Timed } from "./deadlines.ts";
import { invariant } from "./invariant.ts";
import { Match } from "./match.ts";
import type { GameResult, MoveTimer, Step } from "./step.ts";
import type { Out } from "./out.ts";
import type { Peer } from "./peer.ts";
import type { Room, Rooms } from "./rooms.ts";
import { timeRules } from "./time.ts";
import type { BrokerSettings, ConnId, RunningMatch } from "./types.ts";

/** What the matchbook needs of the broker around it. */
export interface Host {
  peer(conn: ConnId): Peer | undefined;
  /** Sends nothing more to `conn`: closes it once flushed, and forgets it. */
  drop(conn: ConnId): void;
  /** A match ended: free slots may start waiting line-ups, or the broker may be done. */
  matchEnded(): void;
}

export class Matchbook {
  private readonly matches = new Map<string, Match>();
  /** The last body traced, and the copy the projections got of it. */
  private keptFrom: Uint8Array | null = null;
  private keptCopy = new Uint8Array(0);
  started = 0;
  played = 0;
  aborted = 0;
  gamesPlaying = 0;
  botsPlaying = 0;

  constructor(
    private readonly settings: BrokerSettings,
    private readonly out: Out,
    private readonly deadlines: Deadlines<Timed & { readonly due: string }>,
    private readonly rooms: Rooms,
    private readonly host: Host,
  ) {}

  get size(): number {
    return this.matches.size;
  }

  get(id: string): Match | undefined {
    return this.matches.get(id);
  }

  all(): Match[] {
    return [...this.matches.values()];
  }

  /** For GET /matches: O(running matches). */
  running(): RunningMatch[] {
    return this.all().map((m) => ({ id: m.id, room: m.room, bots: m.bots.map((b) => b.name), turn: m.turn, startedAtMs: m.startedAtMs }));
  }

  /** Starts a match from `room`'s line-up (its game and bots leave the queue). */
  start(room: Room): void {
    const { game, bots } = room.takeLineup();
    const now = this.out.nowMs;
    this.started++;
    this.gamesPlaying++;
    this.botsPlaying += bots.length;
    const seats = bots.map((b) => ({ conn: b.conn, name: b.name, timing: b.features.includes("timing") }));
    const recorded = room.rules?.record ?? this.settings.record;
    const gameTiming = game.features.includes("timing");
    const rules = timeRules(this.settings, room.rules?.time ?? null, game.hello?.time ?? null, gameTiming);
    const match = new Match(this.settings.newMatchId(), room.name, game.conn, seats, rules, gameTiming, now, recorded);
    this.matches.set(match.id, match);
    room.matchesRunning++;
    for (const p of [game, ...bots]) {
      p.stage = "match";
      p.match = match;
    }
    const client = (p: Peer) => ({ client: p.hello?.client ?? "", clientVersion: p.hello?.clientVersion ?? "" });
    this.out.event({
      type: "match_started",
      match: {
        id: match.id,
        room: room.name,
        startedAtMs: now,
        recorded,
        game: { peer: game.address, ...client(game), transport: game.transport },
        bots: bots.map((b, index) => ({ index, name: b.name, peer: b.address, ...client(b), human: b.hello?.human ?? false, transport: b.transport })),
      },
    });
    this.out.log("info", "match started", { match: match.id, room: room.name, bots: bots.length, names: bots.map((b) => b.name) });
    this.apply(match, match.start());
  }

  /** A message from a connection of `match`. */
  received(match: Match, conn: ConnId, m: Message): void {
    const fromGame = conn === match.game;
    if (match.traced) this.trace(match, "in", conn, m);
    if (this.settings.logTurns) {
      const fields = { match: match.id, room: match.room, conn, codes: codes(m), bodyBytes: bodyBytes(m), turn: match.turn };
      this.out.log("debug", fromGame ? "from game" : "from bot", fields);
    }
    this.apply(match, fromGame ? match.fromGame(m, this.out.nowMs) : match.fromBot(conn, m, this.out.nowMs));
  }

  /** Its move timer came due. */
  moveDue(timer: MoveTimer): void {
    const step = timer.match.checkDeadline(this.out.nowMs);
    invariant(step !== null, "a due move timer means a missed deadline");
    this.apply(timer.match, step);
  }

  watch(matchId: string, on: boolean): void {
    const match = this.matches.get(matchId);
    if (match) match.watched = on;
  }

  private apply(match: Match, step: Step): void {
    if (step.kind === "end") return this.end(match, step.reason, step.result);
    this.turnDone(match);
    for (let i = 0; i < step.count; i++) this.sendIn(match, step.conns[i]!, step.messages[i]!);
    step.clear();
    const deadline = match.deadlineMs;
    if (deadline === null) this.deadlines.clear(match.timer);
    else this.deadlines.set(match.timer, deadline);
  }

  /** The turn a step closed, for the projections (records, metrics): relayed, missed or a dropped late reply. */
  private turnDone(match: Match): void {
    const t = match.lastTurn;
    if (t === null) return;
    if (t.kind === "dropped") {
      this.out.log("info", "late reply dropped", { match: match.id, room: match.room, bot: t.bot, bytes: t.replyBytes });
      return;
    }
    if (t.kind === "missed") {
      this.out.log("info", "move missed", { match: match.id, room: match.room, bot: t.bot, thinkMs: Math.round(t.thinkMs) });
    }
    // One object of one shape per turn (no spread): the projections' hot path reads it.
    const type = t.kind === "relayed" ? "turn" : "move_missed";
    this.out.event({ type, matchId: match.id, atMs: this.out.nowMs, room: match.room, bot: t.bot, thinkMs: t.thinkMs, stateBytes: t.stateBytes, replyBytes: t.replyBytes });
  }

  /** PROTOCOL.md §6: 00 FF to everyone of the match still here (twice to a game awaiting a reply). */
  end(match: Match, why: Reason | null, given?: GameResult): void {
    const bye = end(why ? formatReason(why) : "");
    const result = given && "result" in given ? given.result : null;
    if (given && "problem" in given) {
      this.out.log("warn", "result ignored", { match: match.id, room: match.room, problem: given.problem });
    }
    // PROTOCOL.md §9.4: bots that asked for results get it just before their 00 FF.
    const resultLine = result ? message(Opcode.control, Control.result, encodeResult(result)) : null;
    for (const conn of match.conns()) {
      const p = this.host.peer(conn);
      if (!p) continue;
      if (resultLine && p.role === "bot" && p.features.includes("results")) this.sendIn(match, conn, resultLine);
      this.sendIn(match, conn, bye);
      if (conn === match.game && why !== null && match.awaitingReply) this.sendIn(match, conn, bye);
      this.host.drop(conn);
    }
    this.deadlines.clear(match.timer);
    this.matches.delete(match.id);
    const room = this.rooms.get(match.room);
    invariant(room, "a match's room lives while the match runs");
    room.matchesRunning--;
    this.gamesPlaying--;
    this.botsPlaying -= match.bots.length;
    this.played++;
    if (why !== null) this.aborted++;
    const code = why?.code ?? "normal";
    this.out.log(why === null ? "info" : "warn", "match ended", {
      match: match.id,
      room: match.room,
      code,
      cause: why?.text ?? "the game ended the match",
      turns: match.turn,
    });
    this.out.event({
      type: "match_ended",
      matchId: match.id,
      room: match.room,
      startedAtMs: match.startedAtMs,
      endedAtMs: this.out.nowMs,
      code,
      reason: why?.text ?? "",
      culprit: why?.party ?? null,
      turns: match.turn,
      bytesRelayed: match.bytesRelayed,
      think: match.thinkStats(),
      result,
    });
    this.rooms.release(room);
    this.host.matchEnded();
  }

  /** A send to a connection of `match`, traced when the match is recorded or watched. */
  private sendIn(match: Match, conn: ConnId, m: Message): void {
    this.out.send(conn, m);
    if (match.traced) this.trace(match, "out", conn, m);
  }

  private trace(match: Match, dir: "in" | "out", conn: ConnId, m: Message): void {
    // The codes are copied now: a relayed line is rewritten in place later (retag).
    const { id: matchId } = match;
    this.out.event({ type: "traced", matchId, atMs: this.out.nowMs, dir, party: match.partyOf(conn), opcode: m.opcode, operand: m.operand, body: this.kept(m.body) });
  }

  /**
   * A body the projections may keep: the transport's bodies live only until its next read (they
   * are views of reused memory), so a traced one is copied, once: a relayed body traced in and out
   * is the same copy both times (the replay writer writes it once: docs/REPLAY.md).
   */
  private kept(body: Uint8Array): Uint8Array {
    if (body !== this.keptFrom) {
      this.keptFrom = body;
      this.keptCopy = body.slice();
    }
    return this.keptCopy;
  }
}
