// Rooms, queues, many matches at once, the running cap and the drain, in the pure state machine.
import { describe, expect, test } from "bun:test";
import { decodeBatch, decodeWelcome, message } from "../../src/protocol/index.ts";
import { Driver, closes, events, logs, sends } from "./driver.ts";

const batchTo = (d: Driver, conn: number) => {
  const c = d.log.find((c) => c.kind === "send" && c.conn === conn && c.message.opcode === 0 && c.message.operand === 0x11);
  return c?.kind === "send" ? decodeBatch(c.message.body).map((b) => b.name) : null;
};
const welcomeTo = (d: Driver, conn: number) => {
  const c = d.log.find((c) => c.kind === "send" && c.conn === conn && c.message.opcode === 0 && c.message.operand === 0x03);
  return c?.kind === "send" ? decodeWelcome(c.message.body) : null;
};

describe("queues: first in, first out, and nobody turned away", () => {
  test("a second game waits and plays the next line-up; bots are seated in arrival order", () => {
    const d = new Driver();
    d.game(1);
    d.game(2);
    for (const [conn, name] of [[3, "A"], [4, "B"], [5, "C"], [6, "D"]] as const) d.bot(conn, name);
    expect(batchTo(d, 1)).toEqual(["A", "B"]);
    expect(batchTo(d, 2)).toEqual(["C", "D"]);
    expect(d.broker.snapshot()).toMatchObject({ matchesRunning: 2, gamesWaiting: 0, botsWaiting: 0 });
  });

  test("a client that leaves its queue is simply gone from it", () => {
    const d = new Driver();
    d.bot(1, "A");
    d.bot(2, "B");
    expect(sends(d.closed(1))).toEqual([]);
    expect(d.broker.snapshot()).toMatchObject({ botsWaiting: 1, connections: 1 });
    d.bot(3, "C");
    d.game(4);
    expect(batchTo(d, 4)).toEqual(["B", "C"]);
  });

  test("a queue at its limit turns the newcomer away with queue_full, and only it", () => {
    const d = new Driver({ queueMax: 2 });
    d.bot(1, "A");
    d.bot(2, "B");
    const out = d.bot(3, "C");
    expect(sends(out)).toEqual([[3, "00 FF", "queue_full: room default has 2 clients waiting, its limit"]]);
    expect(closes(out)).toEqual([3]);
    expect(d.broker.snapshot()).toMatchObject({ botsWaiting: 2, connections: 2 });
    d.game(4);
    expect(batchTo(d, 4)).toEqual(["A", "B"]);
  });
});

describe("rooms", () => {
  test("clients of one room never play with those of another; v1 clients play in the default room", () => {
    const d = new Driver();
    d.game(1, { room: "red" });
    d.bot(2, "red1", { room: "red" });
    d.bot(3, "v1a"); // v1: default room
    d.game(4); // v1 game: default room
    d.bot(5, "red2", { room: "red" });
    d.bot(6, "v1b");
    expect(batchTo(d, 1)).toEqual(["red1", "red2"]);
    expect(batchTo(d, 4)).toEqual(["v1a", "v1b"]);
  });

  test("a client with a Hello gets a Welcome first; a v1 client never does", () => {
    const d = new Driver();
    d.bot(1, "A", { room: "r" });
    d.bot(2, "B", { room: "r" });
    d.game(3); // v1, default room
    const out = d.game(4, { room: "r" });
    expect(sends(out).map(([c, codes]) => [c, codes])).toEqual([
      [4, "00 03"],
      [4, "00 11"],
      [4, "01 00"],
    ]);
    expect(welcomeTo(d, 2)).toEqual({ brokerVersion: "test", features: [], room: "r", queuePosition: 2, bots: 2, time: null });
    expect(welcomeTo(d, 4)).toEqual({ brokerVersion: "test", features: [], room: "r", queuePosition: 1, bots: 2, time: null });
    expect(welcomeTo(d, 3)).toBeNull();
  });

  test("a game's Hello sets its line-up size in a room made on demand", () => {
    const d = new Driver();
    d.game(1, { room: "trio", bots: 3 });
    d.bot(2, "a", { room: "trio" });
    d.bot(3, "b", { room: "trio" });
    expect(batchTo(d, 1)).toBeNull();
    d.bot(4, "c", { room: "trio" });
    expect(batchTo(d, 1)).toEqual(["a", "b", "c"]);
  });

  test("a declared room's size wins over the game's Hello, and the Welcome says so", () => {
    const d = new Driver({ rooms: new Map([["duel", { bots: 2, queueMax: null, record: null, time: null }]]) });
    d.game(1, { room: "duel", bots: 5 });
    expect(welcomeTo(d, 1)?.bots).toBe(2);
    d.bot(2, "a", { room: "duel" });
    d.bot(3, "b", { room: "duel" });
    expect(batchTo(d, 1)).toEqual(["a", "b"]);
  });

  test("with rooms made on demand turned off, an undeclared room is refused with unknown_room", () => {
    const d = new Driver({ roomsOnDemand: false, rooms: new Map([["duel", { bots: 2, queueMax: null, record: null, time: null }]]) });
    const out = d.game(1, { room: "elsewhere" });
    expect(sends(out)[0]![2]).toStartWith("unknown_room: room elsewhere is not declared");
    expect(closes(out)).toEqual([1]);
    expect(sends(d.game(2, { room: "duel" }))).toEqual([[2, "00 03", expect.any(String)]]);
  });

  test("a Hello that asks for the impossible is refused with bad_hello", () => {
    const d = new Driver();
    expect(sends(d.game(1, { room: "no spaces" }))[0]![2]).toStartWith("bad_hello: room name");
    expect(sends(d.game(2, { bots: 256 }))[0]![2]).toStartWith("bad_hello: a match has at most 255 bots");
  });

  test("a room made on demand is forgotten once no one waits or plays in it", () => {
    const d = new Driver();
    d.game(1, { room: "once", bots: 1 });
    d.bot(2, "a", { room: "once" });
    expect(Object.keys(d.broker.snapshot().rooms).sort()).toEqual(["default", "once"]);
    d.end(1);
    expect(Object.keys(d.broker.snapshot().rooms)).toEqual(["default"]);
  });
});

describe("many matches at once", () => {
  test("each match keeps its own turn, deadline and end; the earliest deadline is the next tick", () => {
    const d = new Driver({ moveTimeoutMs: 1000, botsPerMatch: 1 });
    d.game(1);
    d.bot(2, "A");
    d.game(3);
    d.bot(4, "B");
    d.ask(1, 0, "s1"); // deadline 2000
    d.nowMs = 1500;
    d.ask(3, 0, "s2"); // deadline 2500
    expect(d.broker.nextDeadlineMs()).toBe(2000);
    d.answer(2, "r1");
    expect(d.broker.nextDeadlineMs()).toBe(2500);
    const out = d.tick(2500);
    expect(sends(out).map(([c]) => c)).toEqual([3, 3, 4]);
    expect(d.broker.snapshot()).toMatchObject({ matchesRunning: 1, matchesAborted: 1 });
    expect(d.broker.nextDeadlineMs()).toBeNull();
    expect(sends(d.ask(1, 0, "still on"))).toEqual([[2, "02 05", "still on"]]);
  });

  test("emits match_started, one turn per relayed reply with its think time, and match_ended", () => {
    const d = new Driver({ botsPerMatch: 1 });
    d.game(1, { room: "r", client: "g", clientVersion: "1" });
    const started = events(d.bot(2, "A", { room: "r", client: "py", clientVersion: "2" }));
    expect(started).toEqual([
      {
        type: "match_started",
        match: {
          id: "m1",
          room: "r",
          startedAtMs: 1000,
          recorded: false,
          game: { peer: "127.0.0.1:40001", client: "g", clientVersion: "1", transport: "tcp" },
          bots: [{ index: 0, name: "A", peer: "127.0.0.1:40002", client: "py", clientVersion: "2", human: false, transport: "tcp" }],
        },
      },
    ]);
    d.ask(1, 0, "four");
    d.nowMs = 1040;
    expect(events(d.answer(2, "xy"))).toEqual([{ type: "turn", matchId: "m1", atMs: 1040, room: "r", bot: 0, thinkMs: 40, stateBytes: 4, replyBytes: 2 }]);
    d.nowMs = 1100;
    expect(events(d.end(1))).toEqual([
      {
        type: "match_ended",
        matchId: "m1",
        room: "r",
        startedAtMs: 1000,
        endedAtMs: 1100,
        code: "normal",
        reason: "",
        culprit: null,
        turns: 1,
        bytesRelayed: 6,
        think: [{ moves: 1, totalMs: 40, maxMs: 40 }],
        result: null,
      },
    ]);
  });

  test("BROKER_MATCHES counts matches started: no more start, and the broker finishes when they end", () => {
    const d = new Driver({ botsPerMatch: 1, matchesMax: 2 });
    for (const [g, b] of [[1, 2], [3, 4], [5, 6]] as const) {
      d.game(g);
      d.bot(b, `b${b}`);
    }
    expect(d.broker.snapshot()).toMatchObject({ matchesRunning: 2, gamesWaiting: 1, botsWaiting: 1 });
    d.end(1);
    const out = d.end(3);
    expect(sends(out).slice(-2)).toEqual([
      [5, "00 FF", "broker_finished: the broker played its 2 matches and is exiting"],
      [6, "00 FF", "broker_finished: the broker played its 2 matches and is exiting"],
    ]);
    expect(out.at(-1)).toEqual({ kind: "finished" });
  });
});

describe("draining (BROKER_DRAIN_MS)", () => {
  function draining(): Driver {
    const d = new Driver({ drainMs: 5000, botsPerMatch: 1 });
    d.game(1);
    d.bot(2, "A");
    d.game(3); // waits: no bot for it
    d.open(4); // still handshaking
    return d;
  }

  test("SIGTERM: those who wait are told to go, running matches go on, newcomers are refused", () => {
    const d = draining();
    const out = d.shutdown();
    const why = "broker_shutdown: broker draining: it starts no new matches";
    expect(sends(out)).toEqual([
      [3, "00 FF", why],
      [4, "00 FF", why],
    ]);
    expect(events(out)).toEqual([{ type: "draining", untilMs: 6000 }]);
    expect(d.broker.snapshot()).toMatchObject({ draining: true, phase: "draining", matchesRunning: 1 });
    expect(sends(d.open(9))).toEqual([[9, "00 FF", why]]);
    expect(sends(d.ask(1, 0, "on"))).toEqual([[2, "02 05", "on"]]);
  });

  test("the last match's end ends the drain", () => {
    const d = draining();
    d.shutdown();
    const out = d.end(1);
    expect(sends(out)).toEqual([
      [1, "00 FF", ""],
      [2, "00 FF", ""],
    ]);
    expect(events(out).map((e) => e.type)).toEqual(["match_ended", "finished"]);
    expect(out.at(-1)).toEqual({ kind: "finished" });
  });

  test("at the drain deadline the matches left end with broker_shutdown", () => {
    const d = draining();
    d.shutdown();
    expect(d.broker.nextDeadlineMs()).toBe(6000);
    expect(sends(d.tick(5999))).toEqual([]);
    const out = d.tick(6000);
    expect(sends(out).map(([c, , body]) => [c, body])).toEqual([
      [1, "broker_shutdown: broker shutting down"],
      [2, "broker_shutdown: broker shutting down"],
    ]);
    expect(out.at(-1)).toEqual({ kind: "finished" });
  });

  test("a second SIGTERM stops at once", () => {
    const d = draining();
    d.shutdown();
    const out = d.shutdown();
    expect(closes(out).sort()).toEqual([1, 2]);
    expect(out.at(-1)).toEqual({ kind: "finished" });
  });

  test("with no match running, SIGTERM stops at once even with a drain set", () => {
    const d = new Driver({ drainMs: 5000 });
    d.bot(1, "A");
    const out = d.shutdown();
    expect(sends(out)).toEqual([[1, "00 FF", "broker_shutdown: broker shutting down"]]);
    expect(out.at(-1)).toEqual({ kind: "finished" });
  });
});

test("a client that speaks while it waits is refused with unexpected_message and leaves its queue", () => {
  const d = new Driver();
  d.bot(1, "A", { room: "r" });
  const out = d.recv(1, message(2, 0));
  expect(sends(out)).toEqual([[1, "00 FF", "unexpected_message: sent 02 00 while waiting in room r"]]);
  expect(logs(out).at(-1)).toMatchObject({ event: "connection rejected", role: "bot", room: "r", code: "unexpected_message" });
  expect(d.broker.snapshot().botsWaiting).toBe(0);
});

describe("seat tickets (PROTOCOL.md §9.7)", () => {
  test("bots with tickets take the seat their ticket names, whatever order they arrive in", () => {
    const d = new Driver();
    d.bot(1, "second-seat", { room: "t", seat: 1 });
    d.game(2, { room: "t", bots: 2 });
    d.bot(3, "first-seat", { room: "t", seat: 0 });
    expect(batchTo(d, 2)).toEqual(["first-seat", "second-seat"]);
  });

  test("a line-up waits until every seat's ticket is there; two holders of one ticket play one after the other", () => {
    const d = new Driver();
    d.game(1, { room: "t", bots: 2 });
    d.bot(2, "a0", { room: "t", seat: 0 });
    d.bot(3, "b0", { room: "t", seat: 0 });
    expect(batchTo(d, 1)).toBeNull();
    d.bot(4, "a1", { room: "t", seat: 1 });
    expect(batchTo(d, 1)).toEqual(["a0", "a1"]);
    d.game(5, { room: "t", bots: 2 });
    d.bot(6, "b1", { room: "t", seat: 1 });
    expect(batchTo(d, 5)).toEqual(["b0", "b1"]);
  });

  test("a room seats by ticket or by arrival, never both at once; a declared room refuses a seat it does not have", () => {
    const d = new Driver({ rooms: new Map([["duel", { bots: 2, queueMax: null, record: null, time: null }]]) });
    d.bot(1, "ticketed", { room: "t", seat: 0 });
    expect(sends(d.bot(2, "plain", { room: "t" }))[0]![2]).toBe("bad_hello: room t seats its bots by ticket: this bot has none");
    d.bot(3, "plain", { room: "u" });
    expect(sends(d.bot(4, "ticketed", { room: "u", seat: 0 }))[0]![2]).toBe("bad_hello: room u seats its bots by arrival: this bot has a ticket");
    expect(sends(d.bot(5, "x", { room: "duel", seat: 2 }))[0]![2]).toBe("bad_hello: seat 2 is not one of room duel's 2 seats");
  });

  test("a ticketed bot that leaves its queue frees its ticket for the next holder", () => {
    const d = new Driver();
    d.bot(1, "gone", { room: "t", seat: 0 });
    d.closed(1);
    d.bot(2, "a0", { room: "t", seat: 0 });
    d.game(3, { room: "t", bots: 1 });
    expect(batchTo(d, 3)).toEqual(["a0"]);
    expect(d.broker.snapshot()).toMatchObject({ botsWaiting: 0, botsPlaying: 1 });
  });
});

describe("who ended a match", () => {
  const culprit = (out: ReturnType<Driver["tick"]>) => events(out).find((e) => e.type === "match_ended");
  test("match_ended names the bot or game at fault, and no one for a normal end or a shutdown", () => {
    const d = new Driver({ moveTimeoutMs: 1000 });
    const start = () => {
      const base = d.nowMs;
      d.game(base + 1);
      d.bot(base + 2, "A");
      d.bot(base + 3, "B");
      return base;
    };
    // A bot that misses its deadline.
    let b = start();
    d.ask(b + 1, 1, "s");
    expect(culprit(d.tick(d.nowMs + 1000))).toMatchObject({ code: "move_timeout", culprit: 1 });
    // A bot that disconnects.
    d.nowMs = 100;
    b = start();
    expect(culprit(d.closed(b + 2))).toMatchObject({ code: "bot_disconnected", culprit: 0 });
    // A bot that speaks out of turn.
    d.nowMs = 200;
    b = start();
    expect(culprit(d.answer(b + 3, "?"))).toMatchObject({ code: "bot_misbehaved", culprit: 1 });
    // The game that asks for a bot the match does not have.
    d.nowMs = 300;
    b = start();
    expect(culprit(d.ask(b + 1, 7, "s"))).toMatchObject({ code: "game_misbehaved", culprit: -1 });
    // A normal end, and the broker's own.
    d.nowMs = 400;
    b = start();
    expect(culprit(d.end(b + 1))).toMatchObject({ code: "normal", culprit: null });
    d.nowMs = 500;
    start();
    expect(culprit(d.shutdown())).toMatchObject({ code: "broker_shutdown", culprit: null });
  });
});
