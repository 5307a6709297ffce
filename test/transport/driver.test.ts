// The transport's Driver over a real Broker and fake links: the broker's commands are reused from
// step to step, so the driver carries a step out whole before the next one starts, even when a
// projection dispatches an event of its own meanwhile (the dashboard's `watch`). No sockets.
import { expect, test } from "bun:test";
import { Broker } from "../../src/broker/broker.ts";
import type { BrokerEvent } from "../../src/broker/events.ts";
import type { Command, ConnId } from "../../src/broker/types.ts";
import type { Logger } from "../../src/log.ts";
import { askBot, botHello, botName, gameHello, reply, type Message } from "../../src/protocol/index.ts";
import { Driver, type Link } from "../../src/transport/driver.ts";
import { brokerSettings, text } from "../broker/driver.ts";

class FakeLink implements Link {
  done = false;
  /** What was pushed, as "opcode operand body" (copied: the broker's messages are reused). */
  readonly sent: string[] = [];
  closed = false;
  constructor(readonly id: ConnId) {}
  push(m: Message): void {
    this.sent.push(`${m.opcode} ${m.operand} ${new TextDecoder().decode(m.body)}`);
  }
  flush(): boolean {
    return true;
  }
  close(): void {
    this.done = true;
    this.closed = true;
  }
  admitted(): void {}
  cut(): number {
    this.done = true;
    return 0;
  }
}

const quiet = { log() {} } as unknown as Logger;

function setUp(onEvent: (e: BrokerEvent, driver: Driver) => void) {
  const broker = new Broker(brokerSettings({ botsPerMatch: 1 }));
  let last: Command[] = [];
  const handle = broker.handle.bind(broker);
  broker.handle = (event, nowMs) => (last = handle(event, nowMs));
  const events: BrokerEvent[] = [];
  const driver: Driver = new Driver(broker, quiet, {
    onFinished() {},
    onEvent(e) {
      events.push(e.type === "traced" ? { ...e } : e);
      onEvent(e, driver);
    },
  });
  const game = new FakeLink(driver.nextConnId());
  const bot = new FakeLink(driver.nextConnId());
  driver.open(game, "127.0.0.1:1", "127.0.0.1", "tcp");
  driver.open(bot, "127.0.0.1:2", "127.0.0.1", "tcp");
  driver.received(bot, [botHello(), botName("b")]);
  driver.received(game, [gameHello()]);
  return { broker, driver, game, bot, events, lastCommands: () => last };
}

test("a projection's dispatch waits until the step's commands are carried out, then is handled", () => {
  const s = setUp((e, driver) => {
    if (e.type === "match_started") driver.dispatch({ kind: "watch", matchId: e.match.id, on: true });
  });
  // The match started: the game got its batch (00 11) though a watch was dispatched in the middle.
  expect(s.game.sent.some((l) => l.startsWith("0 17 "))).toBe(true);
  // The watch was handled after that step: the next turn is traced.
  s.driver.received(s.game, [askBot(0, text("state"))]);
  s.driver.received(s.bot, [reply(text("move"))]);
  expect(s.bot.sent.at(-1)).toBe("2 5 state");
  expect(s.game.sent.slice(-2)).toEqual(["2 0 move", "1 0 "]);
  expect(s.events.filter((e) => e.type === "traced").length).toBeGreaterThan(0);
});

test("after each step the broker's commands are released: nothing of a step's messages stays reachable", () => {
  const s = setUp(() => {});
  s.driver.received(s.game, [askBot(0, text("state"))]);
  expect(s.lastCommands()).toHaveLength(0);
  expect(s.bot.sent.at(-1)).toBe("2 5 state");
});

test("the broker reuses one array of commands, refilled at each step", () => {
  const broker = new Broker(brokerSettings({ botsPerMatch: 1 }));
  const first = broker.handle({ kind: "opened", conn: 1, peer: "127.0.0.1:1", address: "127.0.0.1" }, 0);
  const second = broker.handle({ kind: "received", conn: 1, message: gameHello() }, 0);
  expect(second).toBe(first);
  broker.release();
  expect(first).toHaveLength(0);
});
