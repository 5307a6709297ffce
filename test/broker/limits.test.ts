// Access and limits in the pure state machine: tokens asked of every client, connections per
// address and per second, the connection and room caps, and the handshake's small line limit.
import { describe, expect, test } from "bun:test";
import { Driver, closes, events, sends } from "./driver.ts";

describe("tokens", () => {
  test("a client the authorizer refuses gets one reason that tells nothing of what was wrong", () => {
    const asked: unknown[] = [];
    const d = new Driver({ authorize: (req) => (asked.push(req), req.token === "good-token" && req.name !== "Mallory") });
    const out = d.bot(1, "Mallory", { room: "r", token: "good-token" });
    expect(sends(out)).toEqual([[1, "00 FF", "unauthorized: no valid token to join room r as a bot under this name"]]);
    expect(events(out)).toEqual([{ type: "connection_rejected", code: "unauthorized", role: "bot", room: null }]);
    expect(asked).toEqual([{ token: "good-token", room: "r", role: "bot", name: "Mallory" }]);
    expect(sends(d.bot(2, "Alice", { room: "r", token: "good-token" }))[0]![1]).toBe("00 03");
  });

  test("a v1 client (no Hello, so no token) asks with an empty token for the default room", () => {
    const asked: unknown[] = [];
    const d = new Driver({ authorize: (req) => (asked.push(req), false) });
    d.game(1);
    expect(asked).toEqual([{ token: "", room: "default", role: "game", name: "" }]);
  });

  test("a refused client never makes a room", () => {
    const d = new Driver({ authorize: () => false });
    d.game(1, { room: "new-room" });
    expect(Object.keys(d.broker.snapshot().rooms)).toEqual(["default"]);
  });
});

describe("connection limits", () => {
  const from = (d: Driver, conn: number, address: string) => d.broker.handle({ kind: "opened", conn, peer: `${address}:5000`, address }, d.nowMs);

  test("connections per address: the next one from that address is refused, others are not", () => {
    const d = new Driver({ connectionsPerAddressMax: 2 });
    from(d, 1, "10.0.0.1");
    from(d, 2, "10.0.0.1");
    const third = from(d, 3, "10.0.0.1");
    expect(sends(third)[0]![2]).toBe("limit_exceeded: too many connections from 10.0.0.1 (BROKER_CONNECTIONS_PER_ADDRESS_MAX 2)");
    expect(closes(third)).toEqual([3]);
    expect(closes(from(d, 4, "10.0.0.2"))).toEqual([]);
    d.closed(1);
    expect(closes(from(d, 5, "10.0.0.1"))).toEqual([]);
  });

  test("new connections per second per address: a burst beyond the rate waits for the bucket to refill", () => {
    const d = new Driver({ connectRatePerAddress: 2 });
    from(d, 1, "10.0.0.1");
    from(d, 2, "10.0.0.1");
    expect(sends(from(d, 3, "10.0.0.1"))[0]![2]).toStartWith("limit_exceeded: too many new connections from 10.0.0.1");
    d.nowMs += 500; // half a second: one more token
    expect(closes(from(d, 4, "10.0.0.1"))).toEqual([]);
    expect(closes(from(d, 5, "10.0.0.1"))).toEqual([5]);
  });

  test("the broker's own connection cap", () => {
    const d = new Driver({ connectionsMax: 2 });
    d.open(1);
    d.open(2);
    expect(sends(d.open(3))[0]![2]).toBe("limit_exceeded: the broker holds 2 connections, its limit");
  });

  test("the room cap: no room is made on demand past it", () => {
    const d = new Driver({ roomsMax: 2 });
    d.bot(1, "a", { room: "one" });
    expect(sends(d.bot(2, "b", { room: "two" }))[0]![2]).toBe("limit_exceeded: the broker holds 2 rooms, its limit");
  });

  test("a connection is admitted (its line limit lifted) once its handshake is whole, not before", () => {
    const d = new Driver();
    d.open(1);
    expect(d.recv(1, ...d.helloOf("bot")).filter((c) => c.kind === "admitted")).toEqual([]);
    expect(d.recv(1, d.nameOf("A")).filter((c) => c.kind === "admitted")).toEqual([{ kind: "admitted", conn: 1, framing: "lines" }]);
  });

  test("a client granted frames is admitted to v2 right after its Welcome, before anything else", () => {
    const d = new Driver({ botsPerMatch: 1 });
    d.game(1);
    const out = d.bot(2, "A", { features: ["frames"] });
    expect(out.filter((c) => (c.kind === "send" && c.conn === 2) || c.kind === "admitted").map((c) => (c.kind === "send" ? c.message.operand : c.kind))).toEqual([0x03, "admitted"]);
    expect(out.find((c) => c.kind === "admitted")).toEqual({ kind: "admitted", conn: 2, framing: "frames" });
  });
});
