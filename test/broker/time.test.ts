// Time rules in the pure state machine, on a fake clock (no sleeps): move and first-move
// deadlines, the time bank, END and SKIP, late replies dropped, notices only for those who asked.
import { describe, expect, test } from "bun:test";
import { decodeMoveMissed, decodeMoveTiming, decodeTurnTiming, decodeWelcome, type AskedTime } from "../../src/protocol/index.ts";
import type { BrokerSettings } from "../../src/broker/types.ts";
import { Driver, events, sends } from "./driver.ts";

/** Game 1 (timing unless `untimedGame`) and bot 2 "A" (timing) in room "t", with these time rules in the game's Hello. */
function timed(time: AskedTime, opts: { untimedGame?: boolean; settings?: Partial<BrokerSettings> } = {}): Driver {
  const d = new Driver({ botsPerMatch: 1, ...opts.settings });
  d.game(1, { features: opts.untimedGame ? [] : ["timing"], time });
  d.bot(2, "A", { features: ["timing"] });
  return d;
}
const bodyOf = (d: ReturnType<typeof sends>, conn: number, codes: string) => d.find(([c, k]) => c === conn && k === codes);
const rawSends = (out: ReturnType<Driver["ask"]>) => out.flatMap((c) => (c.kind === "send" ? [c] : []));

describe("deadlines and the time bank", () => {
  test("a first move may take first_move_ms, later moves move_ms; the bank pays the overage", () => {
    const d = timed({ moveMs: 100, firstMoveMs: 500, bankMs: 300 });
    d.ask(1, 0, "s1");
    expect(d.broker.nextDeadlineMs()).toBe(1000 + 500 + 300);
    d.nowMs = 1600; // 600 ms: 100 over its first-move time, taken from the bank
    const out = d.answer(2, "r1");
    const trig = rawSends(out).find((c) => c.message.opcode === 1)!;
    expect(decodeTurnTiming(trig.message.body)).toEqual({ bot: 0, thinkMs: 600, bankMs: 200, missed: false });
    d.ask(1, 0, "s2");
    expect(d.broker.nextDeadlineMs()).toBe(1600 + 100 + 200);
  });

  test("an opted-in bot learns its time before each state; the state's bytes are unchanged", () => {
    const d = timed({ moveMs: 100, bankMs: 50 });
    const out = d.ask(1, 0, "state");
    expect(sends(out).map(([c, codes, body]) => [c, codes, codes === "02 05" ? body : ""])).toEqual([
      [2, "00 30", ""],
      [2, "02 05", "state"],
    ]);
    expect(decodeMoveTiming(rawSends(out)[0]!.message.body)).toEqual({ moveMs: 100, bankMs: 50, deadlineMs: 150 });
  });

  test("END: a missed deadline ends the match, at the deadline and not a moment before", () => {
    const d = timed({ moveMs: 100, bankMs: 50, onMiss: "end" });
    d.ask(1, 0, "s");
    expect(sends(d.tick(1149))).toEqual([]);
    const out = d.tick(1150);
    expect(bodyOf(sends(out), 1, "00 FF")?.[2]).toBe("move_timeout: bot 0 (A) missed its move deadline of 150 ms");
  });

  test("a reply read after its deadline, before the tick came, is late all the same", () => {
    const d = timed({ moveMs: 100, onMiss: "end" });
    d.ask(1, 0, "s");
    d.nowMs = 1100;
    expect(bodyOf(sends(d.answer(2, "too late")), 1, "00 FF")?.[2]).toStartWith("move_timeout:");
  });
});

describe("SKIP", () => {
  test("a missed move is forfeited: the game gets MoveMissed and a trigger that says so, the match goes on", () => {
    const d = timed({ moveMs: 100, bankMs: 20, onMiss: "skip" });
    d.ask(1, 0, "s1");
    const out = d.tick(1120);
    expect(sends(out).map(([c, codes]) => [c, codes])).toEqual([
      [1, "00 31"],
      [1, "01 00"],
    ]);
    const [missed, trig] = rawSends(out);
    expect(decodeMoveMissed(missed!.message.body)).toEqual({ bot: 0, deadlineMs: 120 });
    expect(decodeTurnTiming(trig!.message.body)).toEqual({ bot: 0, thinkMs: 120, bankMs: 0, missed: true });
    expect(events(out)).toMatchObject([{ type: "move_missed", matchId: "m1", bot: 0, thinkMs: 120 }]);
    expect(d.broker.snapshot().matchesRunning).toBe(1);
  });

  test("late replies to skipped turns are dropped, and the next turn gets the right reply", () => {
    const d = timed({ moveMs: 100, onMiss: "skip" });
    d.ask(1, 0, "s1");
    d.tick(1100); // s1 missed
    d.nowMs = 1200;
    d.ask(1, 0, "s2");
    d.tick(1300); // s2 missed too: two replies owed
    d.nowMs = 1400;
    d.ask(1, 0, "s3");
    expect(sends(d.answer(2, "late r1"))).toEqual([]);
    expect(sends(d.answer(2, "late r2"))).toEqual([]);
    d.nowMs = 1450;
    const out = d.answer(2, "r3");
    expect(sends(out)[0]).toEqual([1, "02 00", "r3"]);
    expect(decodeTurnTiming(rawSends(out)[1]!.message.body)).toMatchObject({ thinkMs: 50, missed: false });
  });

  test("a reply read after the deadline under SKIP is the late one itself: dropped, not owed again", () => {
    const d = timed({ moveMs: 100, onMiss: "skip" });
    d.ask(1, 0, "s1");
    d.nowMs = 1150;
    expect(sends(d.answer(2, "late")).map(([c, codes]) => [c, codes])).toEqual([
      [1, "00 31"],
      [1, "01 00"],
    ]);
    d.ask(1, 0, "s2");
    expect(sends(d.answer(2, "r2"))[0]).toEqual([1, "02 00", "r2"]);
  });

  test("a bot that answers more than it was asked still ends its match", () => {
    const d = timed({ moveMs: 100, onMiss: "skip" });
    d.ask(1, 0, "s1");
    d.answer(2, "r1");
    expect(bodyOf(sends(d.answer(2, "extra")), 1, "00 FF")?.[2]).toBe("bot_misbehaved: bot 0 (A) sent 02 00 out of turn");
  });

  test("a game that did not ask for timing plays under END whatever it asks, and sees v1 bytes only", () => {
    const d = timed({ moveMs: 100, onMiss: "skip" }, { untimedGame: true });
    const first = d.ask(1, 0, "s");
    d.nowMs = 1050;
    const relayed = d.answer(2, "r");
    expect(rawSends(relayed).map((c) => c.message.body.length)).toEqual([1, 0]); // the reply "r", an empty trigger
    expect(sends(first)[1]).toEqual([2, "02 05", "s"]);
    d.ask(1, 0, "again");
    expect(bodyOf(sends(d.tick(1150)), 1, "00 FF")?.[2]).toStartWith("move_timeout:");
  });
});

describe("where the rules come from", () => {
  test("per field: the room's declaration, then the game's Hello, then the broker's defaults", () => {
    const rooms = new Map([["t", { bots: 1, queueMax: null, record: null, time: { moveMs: 70 } }]]);
    const d = new Driver({ rooms, moveTimeoutMs: 999 });
    const out = d.game(1, { room: "t", features: ["timing"], time: { moveMs: 5000, bankMs: 40, onMiss: "skip" } });
    const w = decodeWelcome(rawSends(out)[0]!.message.body);
    expect(w.time).toEqual({ moveMs: 70, firstMoveMs: 70, bankMs: 40, onMiss: "skip" });
  });

  test("a Hello that asks beyond the broker's maximums is refused with bad_hello", () => {
    const d = new Driver({ moveTimeoutMsMax: 1000, timeBankMsMax: 500 });
    expect(sends(d.game(1, { time: { moveMs: 1001 } }))[0]![2]).toStartWith("bad_hello: move_ms 1001 is over this broker's longest move");
    expect(sends(d.game(2, { time: { moveMs: 0 } }))[0]![2]).toStartWith("bad_hello: move_ms 0 (no deadline)");
    expect(sends(d.game(3, { time: { bankMs: 501 } }))[0]![2]).toStartWith("bad_hello: bank_ms 501");
  });
});
