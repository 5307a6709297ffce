// Drives the pure Broker in tests: events in, commands read back as readable tuples. No sockets.
import { Broker } from "../../src/broker/broker.ts";
import type { BrokerEvent } from "../../src/broker/events.ts";
import type { BrokerSettings, Command, ConnId } from "../../src/broker/types.ts";
import {
  Control,
  Opcode,
  askBot,
  botHello,
  botName,
  encodeHello,
  endGame,
  gameHello,
  message,
  reply,
  type Hello,
  type Message,
} from "../../src/protocol/index.ts";

export const text = (s: string) => new TextEncoder().encode(s);
export { botName };

/** Every broker setting, test defaults overridden by `settings` (match ids m1, m2, …). */
export function brokerSettings(settings: Partial<BrokerSettings> = {}): BrokerSettings {
  let ids = 0;
  return {
    botsPerMatch: 2,
    moveTimeoutMs: 0,
    moveTimeoutMsMax: 3_600_000,
    timeBankMsMax: 3_600_000,
    helloTimeoutMs: 5000,
    matchesMax: null,
    logTurns: false,
    queueMax: 1000,
    runningMatchesMax: null,
    drainMs: 0,
    rooms: new Map(),
    roomsOnDemand: true,
    record: false,
    brokerVersion: "test",
    newMatchId: () => `m${++ids}`,
    authorize: () => true,
    connectionsMax: 10_000,
    connectionsPerAddressMax: 10_000,
    connectRatePerAddress: 10_000,
    roomsMax: 10_000,
    ...settings,
  };
}

export class Driver {
  readonly broker: Broker;
  nowMs = 1000;
  /** Every command so far, in order. */
  readonly log: Command[] = [];

  constructor(settings: Partial<BrokerSettings> = {}) {
    this.broker = new Broker(brokerSettings(settings));
  }

  /** The step's commands, copied: the broker refills its own at the next step (Broker.handle). */
  private run(commands: Command[]): Command[] {
    const copies = commands.map((c) => ({ ...c }));
    this.broker.release();
    this.log.push(...copies);
    return copies;
  }

  open(conn: ConnId): Command[] {
    return this.run(this.broker.handle({ kind: "opened", conn, peer: `127.0.0.1:${40000 + conn}`, address: "127.0.0.1" }, this.nowMs));
  }

  recv(conn: ConnId, ...messages: Message[]): Command[] {
    const out: Command[] = [];
    for (const m of messages) out.push(...this.run(this.broker.handle({ kind: "received", conn, message: m }, this.nowMs)));
    return out;
  }

  closed(conn: ConnId): Command[] {
    return this.run(this.broker.handle({ kind: "closed", conn, cause: "reset by peer" }, this.nowMs));
  }

  tick(atMs: number): Command[] {
    this.nowMs = atMs;
    return this.run(this.broker.handle({ kind: "tick" }, atMs));
  }

  shutdown(): Command[] {
    return this.run(this.broker.handle({ kind: "shutdown" }, this.nowMs));
  }

  /** A game that connects and says hello: v1 (no Hello), or with a Hello (room, bots...). */
  game(conn: ConnId, hello?: Partial<Hello>): Command[] {
    const h = hello ? message(Opcode.control, Control.gameHello, encodeHello({ client: "test", ...hello })) : gameHello();
    return [...this.open(conn), ...this.recv(conn, h)];
  }

  bot(conn: ConnId, name: string, hello?: Partial<Hello>): Command[] {
    const h = hello ? message(Opcode.control, Control.botHello, encodeHello({ client: "test", ...hello })) : botHello();
    return [...this.open(conn), ...this.recv(conn, h, botName(name))];
  }

  /** The hello line of a v1 client of this role. */
  helloOf(role: "game" | "bot"): Message[] {
    return [role === "game" ? gameHello() : botHello()];
  }

  nameOf(name: string): Message {
    return botName(name);
  }

  ask(game: ConnId, index: number, state: string): Command[] {
    return this.recv(game, askBot(index, text(state)));
  }

  answer(bot: ConnId, body: string): Command[] {
    return this.recv(bot, reply(text(body)));
  }

  end(game: ConnId): Command[] {
    return this.recv(game, endGame());
  }
}

/** Sends as [conn, "opcode operand", body as text]. */
export function sends(commands: Command[]): Array<[ConnId, string, string]> {
  return commands.flatMap((c) =>
    c.kind === "send"
      ? [[c.conn, `${hex(c.message.opcode)} ${hex(c.message.operand)}`, new TextDecoder().decode(c.message.body)] as [ConnId, string, string]]
      : [],
  );
}

export function closes(commands: Command[]): ConnId[] {
  return commands.flatMap((c) => (c.kind === "close" ? [c.conn] : []));
}

export function logs(commands: Command[]): Array<{ event: string; [field: string]: unknown }> {
  return commands.flatMap((c) => (c.kind === "log" ? [{ event: c.event, ...c.fields }] : []));
}

const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");

export { Opcode, Control };

export function events(commands: Command[]): BrokerEvent[] {
  return commands.flatMap((c) => (c.kind === "event" ? [c.event] : []));
}
