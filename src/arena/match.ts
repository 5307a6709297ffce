// One match of a tournament: its own room, the game and the bots launched as child processes
// (told where to play, seated by ticket), the broker's events of that room followed to the end,
// and every process stopped before it returns, whatever happened. Returns null when interrupted
// (the match is played again on --resume).
import type { BrokerEvent } from "../broker/events.ts";
import type { MatchResult } from "../protocol/index.ts";
import { Child } from "./children.ts";
import type { BotSpec, ClientSpec } from "./config.ts";
import { argvOf, envOf, type Place } from "./launch.ts";
import { ARENA_ENDS, type ArenaMatch, type ProcessExit } from "./outcome.ts";
import { HelloRelay } from "./relay.ts";
import type { PlannedMatch } from "./schedule.ts";
import { addThink, emptyThink } from "./think.ts";

export interface BrokerAccess {
  readonly host: string;
  readonly port: number;
  /** Hands every event of `room` to `listener` until the returned function is called. */
  follow(room: string, listener: (e: BrokerEvent) => void): () => void;
  /** Delivers now what the broker knows of `room` (a broker followed from afar is polled); its events come first. */
  sync?(room: string): Promise<void>;
}

export interface MatchSetup {
  readonly tournament: string;
  readonly planned: PlannedMatch;
  readonly game: ClientSpec;
  readonly bots: readonly BotSpec[];
  readonly broker: BrokerAccess;
  readonly matchTimeoutMs: number;
  readonly startTimeoutMs: number;
  /** After the match's end, how long its processes may take to exit on their own. */
  readonly exitGraceMs: number;
  /** Every line a process writes, labelled ("game" or the bot's name). */
  readonly onLine: (room: string, label: string, line: string) => void;
  /** Aborted: stop everything and return null. */
  readonly signal: AbortSignal;
  /** Where the broker writes a match's replay, when it records them. */
  readonly replayOf?: (matchId: string) => string;
}

/** Ends that are the broker's going, not the match's. */
const BROKER_GONE = new Set(["broker_shutdown", "broker_finished"]);

/** How long a process told to stop (SIGTERM) has before SIGKILL. */
const TERM_GRACE_MS = 1000;

export function roomOf(tournament: string, index: number): string {
  return `${tournament}.${index}`;
}

type Ending = { kind: "ended"; e: Extract<BrokerEvent, { type: "match_ended" }> } | { kind: "arena"; end: string; culprit: number | null; reason: string } | { kind: "interrupted" };

export async function runMatch(s: MatchSetup): Promise<ArenaMatch | null> {
  const { planned } = s;
  const room = roomOf(s.tournament, planned.index);
  const seats = planned.lineup.length;
  const think = planned.lineup.map(() => emptyThink());
  const missed = planned.lineup.map(() => 0);
  let matchId: string | null = null;
  let resolveEnding: (e: Ending) => void = () => {};
  const ending = new Promise<Ending>((resolve) => (resolveEnding = resolve));
  const unfollow = s.broker.follow(room, (e) => {
    if (e.type === "match_started") matchId = e.match.id;
    else if (e.type === "turn") addThink(think[e.bot]!, e.thinkMs);
    else if (e.type === "move_missed") missed[e.bot]!++;
    else if (e.type === "match_ended") {
      // A broker followed from afar sends no turns: its records' totals stand in (no p99 then).
      e.think.forEach((t, seat) => {
        const mine = think[seat];
        if (mine && mine.moves === 0 && t.moves > 0) Object.assign(mine, { moves: t.moves, totalMs: t.totalMs, maxMs: t.maxMs });
      });
      resolveEnding({ kind: "ended", e });
    }
  });
  const startedAt = new Date().toISOString();
  const children: Array<{ who: "game" | number; child: Child }> = [];
  const relays: HelloRelay[] = [];
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  const onAbort = () => resolveEnding({ kind: "interrupted" });
  s.signal.addEventListener("abort", onAbort);
  if (s.signal.aborted) onAbort();
  try {
    const launch = async (who: "game" | number, spec: ClientSpec, label: string): Promise<void> => {
      let port = s.broker.port;
      let host = s.broker.host;
      if (spec.relay) {
        const relay = await HelloRelay.start({ host, port }, { room, seat: who === "game" ? null : who });
        relays.push(relay);
        [host, port] = ["127.0.0.1", relay.port];
      }
      const place: Place = { host, port, room, seat: who === "game" ? null : who, name: who === "game" ? null : label, seed: planned.seed };
      let child: Child;
      try {
        child = Child.spawn({ label, argv: argvOf(spec.command, place), env: envOf(place), onLine: (l, line) => s.onLine(room, l, line) });
      } catch (e) {
        resolveEnding({ kind: "arena", end: ARENA_ENDS.start_failed, culprit: who === "game" ? -1 : who, reason: `${who === "game" ? "the game" : label} could not be started: ${(e as Error).message}` });
        return;
      }
      children.push({ who, child });
      void child.exited.then(async (x) => {
        // Before its match started nobody may leave: the match could never form. (A broker
        // followed from afar may have started and ended it between two looks: ask it first.)
        if (matchId === null) await s.broker.sync?.(room);
        if (matchId === null) {
          const how = x.signal ? `was killed by ${x.signal}` : `exited with status ${x.code}`;
          resolveEnding({ kind: "arena", end: ARENA_ENDS.start_failed, culprit: who === "game" ? -1 : who, reason: `${who === "game" ? "the game" : label} ${how} before the match started` });
        }
      });
    };
    await launch("game", s.game, "game");
    for (let seat = 0; seat < seats; seat++) await launch(seat, s.bots[planned.lineup[seat]!]!, s.bots[planned.lineup[seat]!]!.name);
    timers.push(
      setTimeout(() => {
        if (matchId === null) resolveEnding({ kind: "arena", end: ARENA_ENDS.start_timeout, culprit: null, reason: `the match did not start within ${s.startTimeoutMs} ms` });
      }, s.startTimeoutMs),
      setTimeout(() => resolveEnding({ kind: "arena", end: ARENA_ENDS.match_timeout, culprit: null, reason: `the match did not end within ${s.matchTimeoutMs} ms` }), s.matchTimeoutMs),
    );
    const end = await ending;
    for (const t of timers) clearTimeout(t);
    if (end.kind === "ended") {
      // They were told the match is over: they may leave on their own, for a while.
      await Promise.race([Promise.all(children.map((c) => c.child.exited)), sleepUnlessAborted(s.exitGraceMs, s.signal)]);
    }
    await Promise.all(children.map((c) => c.child.stop(TERM_GRACE_MS)));
    // Ended by the arena's own Ctrl-C, or by the broker going away: not played (--resume plays it).
    if (end.kind === "interrupted" || (end.kind === "ended" && BROKER_GONE.has(end.e.code))) return null;
    const fromBroker = end.kind === "ended" ? end.e : null;
    let culprit = fromBroker ? (fromBroker.culprit ?? null) : end.kind === "arena" ? end.culprit : null;
    let reason = fromBroker ? fromBroker.reason : end.kind === "arena" ? end.reason : "";
    // Several failed at once (a command not found everywhere): a game that failed on its own is
    // the one at fault, not the bot whose failure happened to be seen first.
    const game = children.find((c) => c.who === "game")?.child;
    if (end.kind === "arena" && end.end === ARENA_ENDS.start_failed && culprit !== -1 && game?.exit && !game.stopped && (game.exit.code !== 0 || game.exit.signal !== null)) {
      culprit = -1;
      reason = `the game ${game.exit.signal ? `was killed by ${game.exit.signal}` : `exited with status ${game.exit.code}`} before the match started`;
    }
    const exits: ProcessExit[] = children.map(({ who, child }) => {
      const exit = { who, pid: child.pid, code: child.exit?.code ?? null, signal: child.exit?.signal ?? null, stopped: child.stopped };
      const failed = !child.stopped && (exit.code !== 0 || exit.signal !== null);
      const atFault = (who === "game" ? -1 : who) === culprit;
      return failed || atFault ? { ...exit, tail: child.tail.map((l) => l.slice(0, 300)) } : exit;
    });
    return {
      tournament: s.tournament,
      index: planned.index,
      room,
      lineup: planned.lineup.map((b) => s.bots[b]!.name),
      matchId,
      end: fromBroker ? fromBroker.code : end.kind === "arena" ? end.end : "",
      culprit,
      reason,
      result: (fromBroker?.result ?? null) as MatchResult | null,
      turns: fromBroker?.turns ?? 0,
      think,
      missed,
      startedAt,
      endedAt: new Date().toISOString(),
      exits,
      replay: matchId !== null && s.replayOf ? s.replayOf(matchId) : null,
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    s.signal.removeEventListener("abort", onAbort);
    // Whatever happened above, no process of this match outlives it.
    await Promise.all(children.map((c) => c.child.stop(TERM_GRACE_MS)));
    for (const r of relays) r.close();
    unfollow();
  }
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
