// Before a match, in the pure state machine: handshakes, the default room's queue, rejections, hello deadlines.
import { describe, expect, test } from "bun:test";
import { decodeBatch, message, trigger } from "../../src/protocol/index.ts";
import { Driver, botName, closes, logs, sends, text } from "./driver.ts";

function batchOf(d: Driver) {
  const c = d.log.find((c) => c.kind === "send" && c.message.opcode === 0x00 && c.message.operand === 0x11);
  return c && c.kind === "send" ? { conn: c.conn, bots: decodeBatch(c.message.body) } : undefined;
}

describe("lobby", () => {
  test("starts the match once a game and every bot are in: batch, then trigger", () => {
    const d = new Driver();
    expect(sends(d.game(1))).toEqual([]);
    expect(sends(d.bot(2, "A"))).toEqual([]);
    const started = d.bot(3, "B");
    expect(sends(started).map(([c, codes]) => [c, codes])).toEqual([
      [1, "00 11"],
      [1, "01 00"],
    ]);
    expect(batchOf(d)).toEqual({ conn: 1, bots: [{ index: 0, name: "A" }, { index: 1, name: "B" }] });
    expect(d.broker.snapshot().phase).toBe("running");
  });

  test("starts the same way when the game comes last", () => {
    const d = new Driver();
    d.bot(5, "first");
    d.bot(4, "second");
    expect(sends(d.game(9)).map(([c, codes]) => [c, codes])).toEqual([
      [9, "00 11"],
      [9, "01 00"],
    ]);
    expect(batchOf(d)!.bots).toEqual([{ index: 0, name: "first" }, { index: 1, name: "second" }]);
  });

  test("gives a bot its seat only after both its hello and its name", () => {
    const d = new Driver();
    d.game(1);
    d.open(2);
    d.recv(2, message(0, 0x02));
    d.bot(3, "B");
    expect(d.broker.snapshot().botsWaiting).toBe(1);
    expect(d.broker.snapshot().phase).toBe("lobby");
    d.recv(2, botName("A"));
    // Seats follow the order names arrived: B was seated first.
    expect(batchOf(d)!.bots).toEqual([{ index: 0, name: "B" }, { index: 1, name: "A" }]);
  });

  test("accepts empty and repeated names", () => {
    const d = new Driver({ botsPerMatch: 3 });
    d.bot(1, "");
    d.bot(2, "same");
    d.bot(3, "same");
    d.game(4);
    expect(batchOf(d)!.bots.map((b) => b.name)).toEqual(["", "same", "same"]);
  });

  test("closes a connection whose first message is not a hello", () => {
    const d = new Driver();
    d.open(1);
    const out = d.recv(1, trigger());
    expect(closes(out)).toEqual([1]);
    expect(logs(out).at(-1)).toMatchObject({ code: "bad_handshake", reason: "first message was 01 00; expected a hello (00 01 or 00 02)" });
  });

  test("closes a bot whose second message is not its name", () => {
    const d = new Driver();
    d.open(1);
    expect(closes(d.recv(1, message(0, 0x02), message(0, 0x02)))).toEqual([1]);
  });

  test("closes a bot whose name is not a valid protobuf", () => {
    const d = new Driver();
    d.open(1);
    const out = d.recv(1, message(0, 0x02), message(0, 0x22, new Uint8Array([0x52, 0x09, 0x41])));
    expect(closes(out)).toEqual([1]);
    expect(String(logs(out).at(-1)?.reason)).toStartWith("bad_protobuf: bot name is not a valid protobuf");
  });

  test("closes a seated bot that speaks in the lobby, and frees its seat", () => {
    const d = new Driver();
    d.bot(1, "A");
    expect(closes(d.recv(1, message(2, 0, text("early"))))).toEqual([1]);
    expect(d.broker.snapshot().botsWaiting).toBe(0);
    d.bot(2, "B");
    d.bot(3, "C");
    d.game(4);
    expect(batchOf(d)!.bots.map((b) => b.name)).toEqual(["B", "C"]);
  });

  test("frees the seat of a bot that disconnects in the lobby", () => {
    const d = new Driver();
    d.bot(1, "A");
    d.game(2);
    expect(sends(d.closed(1))).toEqual([]);
    expect(d.broker.snapshot()).toMatchObject({ botsWaiting: 0, gamesWaiting: 1, phase: "lobby" });
    d.bot(3, "B");
    d.bot(4, "C");
    expect(batchOf(d)!.bots.map((b) => b.name)).toEqual(["B", "C"]);
  });

  test("closes a silent or half-finished handshake at the hello deadline, and no one else", () => {
    const d = new Driver({ helloTimeoutMs: 5000 });
    d.open(1); // silent
    d.nowMs = 2000;
    d.open(2);
    d.recv(2, message(0, 0x02)); // hello, no name
    d.bot(3, "A"); // done in time
    expect(d.broker.nextDeadlineMs()).toBe(6000);
    expect(closes(d.tick(5999))).toEqual([]);
    const first = d.tick(6000);
    expect(closes(first)).toEqual([1]);
    expect(logs(first)[0]?.reason).toBe("no hello within 5000 ms");
    expect(d.broker.nextDeadlineMs()).toBe(7000);
    const second = d.tick(7000);
    expect(closes(second)).toEqual([2]);
    expect(logs(second)[0]?.reason).toBe("no name within 5000 ms");
    expect(d.broker.nextDeadlineMs()).toBeNull();
    expect(d.broker.snapshot().botsWaiting).toBe(1);
  });

  test("the same events always give the same commands", () => {
    const play = () => {
      const d = new Driver();
      d.bot(1, "A");
      d.open(7);
      d.game(2);
      d.bot(3, "B");
      d.ask(2, 1, "s");
      d.tick(999_999);
      return d.log;
    };
    expect(play()).toEqual(play());
  });
});

describe("a room says what it waits for", () => {
  test("after each arrival: how many bots, and whether a game is missing", () => {
    const d = new Driver();
    expect(logs(d.game(1)).at(-1)).toMatchObject({ event: "lobby waiting", room: "default", waitingFor: "2 more bots", games: 1, bots: 0 });
    expect(logs(d.bot(2, "A")).at(-1)).toMatchObject({ event: "lobby waiting", waitingFor: "1 more bot", games: 1, bots: 1 });
    const e = new Driver();
    expect(logs(e.bot(2, "A")).at(-1)).toMatchObject({ event: "lobby waiting", waitingFor: "a game" });
  });
});

describe("a connection opened once the broker stops", () => {
  test("is told why before it is closed", () => {
    const d = new Driver();
    d.shutdown();
    const out = d.open(7);
    expect(sends(out)).toEqual([[7, "00 FF", "broker_shutdown: broker shutting down"]]);
    expect(closes(out)).toEqual([7]);
  });
});
