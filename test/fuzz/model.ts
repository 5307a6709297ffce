// A fuzzing driver for the pure Broker: generated settings and steps (connections opening, hellos
// with rooms, tokens, seats and time rules, turns played right or wrong, garbage, closes, slow
// readers, a fake clock, shutdowns, watches), fed as events; after every event the commands and
// the snapshot are checked against what the events said (see `Observer`). No sockets.
import fc from "fast-check";
import { Broker } from "../../src/broker/broker.ts";
import type { BrokerSettings, Command, ConnId, Event, RoomRules } from "../../src/broker/types.ts";
import { Control, Opcode, ProtocolError, askBot, botName, decodeBatch, encodeHello, encodeResult, endGame, message, reply, type Hello, type Message } from "../../src/protocol/index.ts";
import { anyBody, askedTime, hello, validMessage } from "./arbitraries.ts";
import { Observer } from "./observer.ts";

export type Step =
  | { readonly k: "open"; readonly addr: number }
  | { readonly k: "play"; readonly who: number; readonly choice: number; readonly hello: Partial<Hello> | null; readonly body: Uint8Array }
  /** A game and `bots` bots connect and say hello, each with this Hello (or none). */
  | { readonly k: "lineup"; readonly addr: number; readonly bots: number; readonly hello: Partial<Hello> | null }
  /** Every open connection plays its next message, in order (a turn of every match). */
  | { readonly k: "round"; readonly choice: number; readonly body: Uint8Array }
  | { readonly k: "raw"; readonly who: number; readonly message: Message }
  | { readonly k: "failed"; readonly who: number; readonly code: ProtocolError["code"] }
  | { readonly k: "closed" | "slow"; readonly who: number }
  | { readonly k: "time"; readonly ms: number }
  | { readonly k: "deadline" }
  | { readonly k: "shutdown" }
  | { readonly k: "watch"; readonly match: number; readonly on: boolean };

/** What a generated broker is set up with (functions are added by `settingsOf`). */
export interface Setup {
  readonly botsPerMatch: number;
  readonly moveTimeoutMs: number;
  readonly helloTimeoutMs: number;
  readonly matchesMax: number | null;
  readonly queueMax: number;
  readonly runningMatchesMax: number | null;
  readonly drainMs: number;
  readonly rooms: ReadonlyArray<readonly [string, RoomRules]>;
  readonly roomsOnDemand: boolean;
  readonly record: boolean;
  readonly connectionsMax: number;
  readonly connectionsPerAddressMax: number;
  readonly connectRatePerAddress: number;
  readonly roomsMax: number;
  /** Tokens refused: "bad" always; "" too when tokens are required. */
  readonly tokensRequired: boolean;
}

const roomRules: fc.Arbitrary<RoomRules> = fc.record({
  bots: fc.integer({ min: 1, max: 3 }),
  queueMax: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
  record: fc.option(fc.boolean(), { nil: null }),
  time: fc.option(askedTime.map((t) => ({ ...t, ...(t.moveMs !== undefined ? { moveMs: 1 + (t.moveMs % 80) } : {}), ...(t.firstMoveMs !== undefined ? { firstMoveMs: 1 + (t.firstMoveMs % 80) } : {}), ...(t.bankMs !== undefined ? { bankMs: t.bankMs % 100 } : {}) })), { nil: null }),
});

export const setup: fc.Arbitrary<Setup> = fc.record({
  botsPerMatch: fc.integer({ min: 1, max: 3 }),
  moveTimeoutMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 })),
  helloTimeoutMs: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.constant(10_000)),
  matchesMax: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null, freq: 4 }),
  queueMax: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant(1000)),
  runningMatchesMax: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  drainMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200 })),
  rooms: fc.uniqueArray(fc.tuple(fc.constantFrom("default", "a", "b"), roomRules), { selector: ([name]) => name, maxLength: 3 }),
  roomsOnDemand: fc.constantFrom(true, true, true, false),
  record: fc.boolean(),
  // Limits: mostly out of the way, sometimes tight.
  connectionsMax: fc.oneof({ weight: 3, arbitrary: fc.constant(10_000) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }) }),
  connectionsPerAddressMax: fc.oneof({ weight: 3, arbitrary: fc.constant(10_000) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }) }),
  connectRatePerAddress: fc.oneof({ weight: 3, arbitrary: fc.constant(10_000) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }) }),
  roomsMax: fc.oneof(fc.constant(10_000), fc.integer({ min: 1, max: 5 })),
  tokensRequired: fc.constantFrom(false, false, false, true),
});

export function settingsOf(s: Setup): BrokerSettings {
  let ids = 0;
  return {
    ...s,
    rooms: new Map(s.rooms),
    moveTimeoutMsMax: 100,
    timeBankMsMax: 100,
    logTurns: true,
    brokerVersion: "fuzz",
    newMatchId: () => `m${++ids}`,
    authorize: (req) => req.token !== "bad" && !(s.tokensRequired && req.token === ""),
  };
}

const who = fc.nat({ max: 63 });

/** Hellos a fleet of well-meaning clients sends, now and then a hostile one. */
const playerHello: fc.Arbitrary<Partial<Hello>> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        room: fc.constantFrom("", "default", "a", "b", "c"),
        client: fc.constant("fuzz"),
        features: fc.subarray(["timing", "results"]),
        bots: fc.integer({ min: 0, max: 3 }),
        time: fc.option(fc.record({ moveMs: fc.integer({ min: 1, max: 100 }), bankMs: fc.integer({ min: 0, max: 60 }), onMiss: fc.constantFrom("end" as const, "skip" as const) }, { requiredKeys: [] }), { nil: null, freq: 2 }),
        token: fc.constantFrom("good-token", "good-token", "good-token", "", "bad"),
        seat: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 4 }),
      },
      { requiredKeys: ["client"] },
    ),
  },
  { weight: 1, arbitrary: hello },
);

/** One step; "play" (the right next message for that connection, mostly) is the most common. */
export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ k: fc.constant("open" as const), addr: fc.nat({ max: 2 }) }) },
  {
    weight: 14,
    arbitrary: fc.record({
      k: fc.constant("play" as const),
      who,
      choice: fc.nat({ max: 255 }),
      hello: fc.option(playerHello, { nil: null, freq: 3 }),
      body: fc.uint8Array({ maxLength: 8 }),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({ k: fc.constant("lineup" as const), addr: fc.nat({ max: 2 }), bots: fc.integer({ min: 1, max: 3 }), hello: fc.option(playerHello, { nil: null, freq: 2 }) }),
  },
  { weight: 18, arbitrary: fc.record({ k: fc.constant("round" as const), choice: fc.nat({ max: 255 }), body: fc.uint8Array({ maxLength: 8 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant("raw" as const),
      who,
      message: fc.oneof(validMessage, fc.tuple(fc.constantFrom(0x01, 0x02, 0x22, 0xfe, 0xff), anyBody).map(([operand, b]) => message(0, operand, b))),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("failed" as const), who, code: fc.constantFrom("line_too_long" as const, "bad_base64" as const, "short_envelope" as const, "unknown_opcode" as const) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constantFrom("closed" as const, "slow" as const), who }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant("time" as const), ms: fc.nat({ max: 150 }) }) },
  { weight: 4, arbitrary: fc.constant({ k: "deadline" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "shutdown" as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("watch" as const), match: fc.nat({ max: 7 }), on: fc.boolean() }) },
);

/** What the driver remembers of a connection to play it right: what it sent, what it last got. */
interface Client {
  readonly conn: ConnId;
  sent: "nothing" | "bot hello" | "joined";
  role: "game" | "bot" | null;
  /** The last message it got that asks it to act (a state, a trigger), until it acts. */
  lastIn: Message | null;
  /** Bots in its match (a game, from its batch). */
  bots: number;
}

/** Feeds generated steps to a Broker and checks every step's commands (Observer). */
export class Run {
  readonly broker: Broker;
  readonly observer = new Observer();
  private nowMs = 1000;
  private nextConn = 1;
  private readonly clients: Client[] = [];
  /** Every command, in order (the determinism property compares two runs). */
  readonly commands: Command[] = [];

  constructor(readonly settings: BrokerSettings) {
    this.broker = new Broker(settings);
  }

  private feed(event: Event): void {
    this.observer.before(event);
    // Copies: the broker refills its commands at the next step (Broker.handle).
    const commands = this.broker.handle(event, this.nowMs).map((c) => ({ ...c }));
    this.commands.push(...commands);
    this.observer.after(event, commands, this.broker.snapshot(), this.nowMs, this.broker.nextDeadlineMs());
    for (const c of commands) {
      if (c.kind !== "send") continue;
      const client = this.clients.find((x) => x.conn === c.conn);
      if (!client) continue;
      const m = c.message;
      if (m.opcode === Opcode.control && m.operand === Control.batch) client.bots = decodeBatch(m.body).length;
      if (m.opcode === Opcode.trigger || (m.opcode === Opcode.move && m.operand !== 0)) client.lastIn = m;
    }
  }

  /** The `who`-th connection still open (by the observer's account), else any ever opened. */
  private pick(n: number): Client | undefined {
    const open = this.clients.filter((c) => this.observer.isOpen(c.conn));
    const from = open.length > 0 ? open : this.clients;
    return from[n % Math.max(1, from.length)];
  }

  apply(s: Step): void {
    switch (s.k) {
      case "open": {
        const conn = this.nextConn++;
        this.clients.push({ conn, sent: "nothing", role: null, lastIn: null, bots: 0 });
        return this.feed({ kind: "opened", conn, peer: `10.0.0.${s.addr}:${40000 + conn}`, address: `10.0.0.${s.addr}` });
      }
      case "play": {
        const c = this.pick(s.who);
        if (c) this.feed({ kind: "received", conn: c.conn, message: this.next(c, s) });
        return;
      }
      case "lineup": {
        for (let i = 0; i <= s.bots; i++) {
          const conn = this.nextConn++;
          const c: Client = { conn, sent: "nothing", role: null, lastIn: null, bots: 0 };
          this.clients.push(c);
          this.feed({ kind: "opened", conn, peer: `10.0.0.${s.addr}:${40000 + conn}`, address: `10.0.0.${s.addr}` });
          // The game asks for the line-up's size; bots with tickets hold seats 0, 1, ...
          const h = s.hello && (i === 0 ? { ...s.hello, bots: s.bots } : s.hello.seat != null ? { ...s.hello, seat: i - 1 } : s.hello);
          const play = { k: "play" as const, who: 0, choice: i === 0 ? 0 : 1, hello: h, body: new Uint8Array(0) };
          this.feed({ kind: "received", conn, message: this.next(c, play) });
          if (c.sent === "bot hello" && this.observer.isOpen(conn)) this.feed({ kind: "received", conn, message: this.next(c, play) });
        }
        return;
      }
      case "round": {
        for (const [i, c] of this.clients.entries()) {
          // Well-behaved: a client with nothing to answer waits.
          if (!this.observer.isOpen(c.conn) || (c.sent === "joined" && c.lastIn === null)) continue;
          const play = { k: "play" as const, who: 0, choice: (s.choice + i * 7) % 256, hello: null, body: s.body };
          this.feed({ kind: "received", conn: c.conn, message: this.next(c, play) });
        }
        return;
      }
      case "raw": {
        const c = this.pick(s.who);
        if (c) this.feed({ kind: "received", conn: c.conn, message: s.message });
        return;
      }
      case "failed": {
        const c = this.pick(s.who);
        if (c) this.feed({ kind: "failed", conn: c.conn, error: new ProtocolError(s.code, "fuzz") });
        return;
      }
      case "closed":
      case "slow": {
        const c = this.pick(s.who);
        if (!c) return;
        // The transport reports a socket's end once; a later one is of a connection it forgot.
        if (this.observer.peerClosed(c.conn)) return;
        return this.feed(s.k === "closed" ? { kind: "closed", conn: c.conn, cause: "fuzz" } : { kind: "slow", conn: c.conn, unsentBytes: 1 });
      }
      case "time":
        this.nowMs += s.ms;
        return this.feed({ kind: "tick" });
      case "deadline": {
        const next = this.broker.nextDeadlineMs();
        if (next !== null) this.nowMs = Math.max(this.nowMs, next);
        return this.feed({ kind: "tick" });
      }
      case "shutdown":
        return this.feed({ kind: "shutdown" });
      case "watch": {
        const ids = this.observer.startedIds();
        return this.feed({ kind: "watch", matchId: ids[s.match % Math.max(1, ids.length)] ?? "none", on: s.on });
      }
    }
  }

  /** The message this client would send next if it played by the rules (with the step's choices). */
  private next(c: Client, s: Extract<Step, { k: "play" }>): Message {
    if (c.sent === "nothing") {
      c.role = s.choice % 2 === 0 ? "game" : "bot";
      c.sent = c.role === "game" ? "joined" : "bot hello";
      const body = s.hello ? encodeHello(s.hello) : new Uint8Array(0);
      return message(Opcode.control, c.role === "game" ? Control.gameHello : Control.botHello, body);
    }
    if (c.sent === "bot hello") {
      c.sent = "joined";
      return botName(`bot${c.conn}`);
    }
    const last = c.lastIn;
    c.lastIn = null;
    // A bot answers its state (or, asked nothing, speaks out of turn).
    if (c.role === "bot") return reply(s.body);
    // A game: at a trigger, ask a bot (now and then one it does not have) or end; else it speaks out of turn.
    if (last) {
      if (s.choice % 9 === 0) {
        // A result that names bot 0 (and bot 1, which a one-bot match does not have), garbage, or none.
        const seats = s.choice % 2 === 0 ? [{ index: 0, score: s.choice, rank: 1 }] : [{ index: 0, rank: 2 }, { index: 1, score: -1 }];
        const result = s.choice % 3 === 0 ? encodeResult({ seats, summary: "fuzz" }) : s.choice % 3 === 1 ? s.body : new Uint8Array(0);
        return message(Opcode.control, Control.endGame, result);
      }
      return askBot(s.choice % 17 === 1 ? c.bots : s.choice % Math.max(1, c.bots), s.body);
    }
    return s.choice % 2 === 0 ? endGame() : askBot(0, s.body);
  }

  /** Ends the run as the broker's driver does at SIGTERM: shutdown, the drain's end, and again. */
  finish(): void {
    this.feed({ kind: "shutdown" });
    const next = this.broker.nextDeadlineMs();
    if (next !== null) this.nowMs = Math.max(this.nowMs, next);
    this.feed({ kind: "tick" });
    this.feed({ kind: "shutdown" });
    this.observer.atEnd(this.broker.snapshot());
  }
}
