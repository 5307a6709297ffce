// The running and finished phases of the pure state machine: relay, normal end, every fault.
import { describe, expect, test } from "bun:test";
import { ProtocolError, message } from "../../src/protocol/index.ts";
import { Driver, closes, logs, sends } from "./driver.ts";
import type { BrokerSettings } from "../../src/broker/types.ts";

/** A running match: game 1, bots 2 ("A", index 0) and 3 ("B", index 1). */
function running(settings: Partial<BrokerSettings> = {}): Driver {
  const d = new Driver(settings);
  d.game(1);
  d.bot(2, "A");
  d.bot(3, "B");
  return d;
}

describe("a running match", () => {
  test("relays the state to the bot asked, with operand 05, and its reply back, then triggers", () => {
    const d = running();
    expect(sends(d.ask(1, 1, "state for B"))).toEqual([[3, "02 05", "state for B"]]);
    expect(sends(d.answer(3, "move of B"))).toEqual([
      [1, "02 00", "move of B"],
      [1, "01 00", ""],
    ]);
    expect(sends(d.ask(1, 0, ""))).toEqual([[2, "02 05", ""]]);
    expect(d.broker.runningMatches()).toMatchObject([{ id: "m1", room: "default", bots: ["A", "B"], turn: 2 }]);
  });

  test("ends normally on 00 FE: 00 FF to the game, then every bot, all closed, back to the lobby", () => {
    const d = running();
    d.ask(1, 0, "s");
    d.answer(2, "r");
    const out = d.end(1);
    expect(sends(out)).toEqual([
      [1, "00 FF", ""],
      [2, "00 FF", ""],
      [3, "00 FF", ""],
    ]);
    expect(closes(out)).toEqual([1, 2, 3]);
    expect(logs(out).at(-1)).toMatchObject({ event: "match ended", cause: "the game ended the match", turns: 1 });
    expect(d.broker.snapshot()).toMatchObject({ phase: "lobby", matchesPlayed: 1, matchesAborted: 0, connections: 0 });
  });

  test("also ends normally on 00 FF from the game", () => {
    const d = running();
    expect(sends(d.recv(1, message(0, 0xff))).map(([c, codes, body]) => [c, codes, body])).toEqual([
      [1, "00 FF", ""],
      [2, "00 FF", ""],
      [3, "00 FF", ""],
    ]);
  });

  test("ends with a reason when a bot disconnects; the game awaiting its reply gets 00 FF twice", () => {
    const d = running();
    d.ask(1, 0, "s");
    const out = d.closed(2);
    const why = "bot_disconnected: bot 0 (A) disconnected (reset by peer)";
    expect(sends(out)).toEqual([
      [1, "00 FF", why],
      [1, "00 FF", why],
      [3, "00 FF", why],
    ]);
    expect(closes(out)).toEqual([1, 3]);
    expect(d.broker.snapshot()).toMatchObject({ phase: "lobby", matchesPlayed: 1, matchesAborted: 1 });
  });

  test("sends the game one 00 FF when it was not awaiting a reply", () => {
    const d = running();
    expect(sends(d.closed(3))).toEqual([
      [1, "00 FF", "bot_disconnected: bot 1 (B) disconnected (reset by peer)"],
      [2, "00 FF", "bot_disconnected: bot 1 (B) disconnected (reset by peer)"],
    ]);
  });

  test("ends when the game disconnects: 00 FF to every bot", () => {
    const d = running();
    d.ask(1, 1, "s");
    expect(sends(d.closed(1))).toEqual([
      [2, "00 FF", "game_disconnected: the game disconnected (reset by peer)"],
      [3, "00 FF", "game_disconnected: the game disconnected (reset by peer)"],
    ]);
  });

  test("ends when a bot replies out of turn", () => {
    const d = running();
    d.ask(1, 0, "s");
    const out = d.answer(3, "me too");
    expect(sends(out)[0]).toEqual([1, "00 FF", "bot_misbehaved: bot 1 (B) sent 02 00 out of turn"]);
    expect(closes(out)).toEqual([1, 2, 3]);
  });

  test("ends when a bot replies before anyone asked", () => {
    const d = running();
    expect(sends(d.answer(2, "eager"))[0]).toEqual([1, "00 FF", "bot_misbehaved: bot 0 (A) sent 02 00 out of turn"]);
  });

  test("ends when the bot to move sends something other than its reply", () => {
    const d = running();
    d.ask(1, 0, "s");
    expect(sends(d.recv(2, message(0, 0x22)))[0]).toEqual([1, "00 FF", "bot_misbehaved: bot 0 (A) sent 00 22; expected its reply (02 00)"]);
  });

  test("ends when the game names an unknown bot index", () => {
    const d = running();
    expect(sends(d.ask(1, 2, "s"))).toEqual([
      [1, "00 FF", "game_misbehaved: the game asked for bot 2; bots are 0..1"],
      [2, "00 FF", "game_misbehaved: the game asked for bot 2; bots are 0..1"],
      [3, "00 FF", "game_misbehaved: the game asked for bot 2; bots are 0..1"],
    ]);
  });

  test("ends when the game acts while a bot is moving, or sends a non-action", () => {
    const d = running();
    d.ask(1, 0, "s");
    expect(sends(d.ask(1, 1, "again"))[0]).toEqual([1, "00 FF", "game_misbehaved: the game sent 01 01 while bot 0 was moving"]);
    const e = running();
    expect(sends(e.recv(1, message(2, 0)))[0]).toEqual([1, "00 FF", "game_misbehaved: the game sent 02 00; expected an action (01 ii or 00 FE)"]);
  });

  test("ends when the bot to move misses its deadline, and not a moment before", () => {
    const d = running({ moveTimeoutMs: 300 });
    expect(d.broker.nextDeadlineMs()).toBeNull();
    d.ask(1, 1, "s");
    expect(d.broker.nextDeadlineMs()).toBe(1300);
    expect(sends(d.tick(1299))).toEqual([]);
    const out = d.tick(1300);
    expect(sends(out)[0]).toEqual([1, "00 FF", "move_timeout: bot 1 (B) missed its move deadline of 300 ms"]);
    expect(sends(out)).toHaveLength(4); // twice to the game, once to each bot
    expect(d.broker.nextDeadlineMs()).toBeNull();
  });

  test("has no move deadline when the timeout is 0", () => {
    const d = running({ moveTimeoutMs: 0 });
    d.ask(1, 0, "s");
    expect(d.broker.nextDeadlineMs()).toBeNull();
    expect(sends(d.tick(10_000_000))).toEqual([]);
  });

  test("tells a participant that sends a bad line why, closes it, and ends the match for everyone", () => {
    const d = running();
    const out = d.broker.handle({ kind: "failed", conn: 2, error: new ProtocolError("bad_base64", "x") }, d.nowMs);
    const why = "bot_misbehaved: bot 0 (A) sent an invalid line: bad_base64: x";
    expect(sends(out)).toEqual([
      [1, "00 FF", why],
      [2, "00 FF", why],
      [3, "00 FF", why],
    ]);
    expect(closes(out)).toEqual([1, 2, 3]);
  });

  test("ends the match when one of its clients is cut for not reading", () => {
    const d = running();
    d.ask(1, 0, "s");
    const out = d.broker.handle({ kind: "slow", conn: 2, unsentBytes: 99 }, d.nowMs);
    const why = "slow_consumer: bot 0 (A) stopped reading (99 bytes unsent)";
    expect(sends(out)).toEqual([
      [1, "00 FF", why],
      [1, "00 FF", why],
      [3, "00 FF", why],
    ]);
    expect(logs(out).at(-1)).toMatchObject({ event: "match ended", code: "slow_consumer" });
  });

  test("leaves connections outside the match alone when it ends", () => {
    const d = running();
    d.open(8); // still handshaking
    d.bot(9, "next");
    const out = d.closed(2);
    expect(closes(out)).not.toContain(8);
    expect(closes(out)).not.toContain(9);
    expect(d.broker.snapshot().botsWaiting).toBe(1);
  });
});

test("logs every message of a match at debug level only when asked", () => {
  const quiet = running();
  expect(logs(quiet.ask(1, 0, "s"))).toEqual([]);
  const loud = running({ logTurns: true });
  expect(logs(loud.ask(1, 0, "state"))).toEqual([{ event: "from game", match: "m1", room: "default", conn: 1, codes: "01 00", bodyBytes: 5, turn: 0 }]);
  expect(logs(loud.answer(2, "r"))).toEqual([{ event: "from bot", match: "m1", room: "default", conn: 2, codes: "02 00", bodyBytes: 1, turn: 1 }]);
});

describe("between and after matches", () => {
  test("with BROKER_RUNNING_MATCHES_MAX reached, a complete line-up starts the moment a match ends", () => {
    const d = running({ runningMatchesMax: 1 });
    d.game(11);
    d.bot(12, "C");
    const waiting = d.bot(13, "D");
    expect(sends(waiting)).toEqual([]);
    expect(logs(waiting).at(-1)).toMatchObject({ event: "lobby waiting", waitingFor: "a free match slot" });
    expect(d.broker.snapshot()).toMatchObject({ matchesRunning: 1, roomsWaitingToStart: 1, gamesWaiting: 1, botsWaiting: 2 });
    const out = d.end(1);
    expect(sends(out).slice(3).map(([c, codes]) => [c, codes])).toEqual([
      [11, "00 11"],
      [11, "01 00"],
    ]);
    expect(sends(d.ask(11, 1, "x"))).toEqual([[13, "02 05", "x"]]);
  });

  test("without a cap, a second complete line-up starts beside the running match", () => {
    const d = running();
    d.game(11);
    d.bot(12, "C");
    expect(sends(d.bot(13, "D")).map(([c, codes]) => [c, codes])).toEqual([
      [11, "00 11"],
      [11, "01 00"],
    ]);
    expect(d.broker.snapshot()).toMatchObject({ matchesRunning: 2, gamesPlaying: 2, botsPlaying: 4 });
  });

  test("finishes after BROKER_MATCHES matches, refusing newcomers", () => {
    const d = running({ matchesMax: 1 });
    d.bot(7, "waiting");
    const out = d.end(1);
    expect(out.some((c) => c.kind === "finished")).toBe(true);
    expect(sends(out).at(-1)).toEqual([7, "00 FF", "broker_finished: the broker played its 1 match and is exiting"]);
    expect(d.broker.snapshot().phase).toBe("finished");
    const late = d.open(20);
    expect(sends(late)).toEqual([[20, "00 FF", "broker_finished: the broker played its 1 match and is exiting"]]);
    expect(closes(late)).toEqual([20]);
  });

  test("on shutdown sends 00 FF to everyone connected and finishes", () => {
    const d = running();
    d.ask(1, 0, "s");
    d.bot(5, "lobby bot");
    d.open(6);
    const out = d.shutdown();
    expect(sends(out).map(([c, , body]) => [c, body])).toEqual([
      [1, "broker_shutdown: broker shutting down"],
      [1, "broker_shutdown: broker shutting down"],
      [2, "broker_shutdown: broker shutting down"],
      [3, "broker_shutdown: broker shutting down"],
      [5, "broker_shutdown: broker shutting down"],
      [6, "broker_shutdown: broker shutting down"],
    ]);
    expect(closes(out).sort()).toEqual([1, 2, 3, 5, 6]);
    expect(out.at(-1)).toEqual({ kind: "finished" });
    expect(d.broker.snapshot().stopping).toBe(true);
  });
});
