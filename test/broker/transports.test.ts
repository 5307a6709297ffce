// The broker and how clients came (PROTOCOL.md §12): a WebSocket client is never granted v2 frames
// (its messages are already framed), a TCP one is; match_started says each seat's transport and
// whether a person plays it (Hello.human). Pure: events in, commands out.
import { describe, expect, test } from "bun:test";
import { Broker } from "../../src/broker/broker.ts";
import type { BrokerEvent } from "../../src/broker/events.ts";
import type { Command, Transport } from "../../src/broker/types.ts";
import { Control, Opcode, botName, decodeWelcome, encodeHello, message, type Hello } from "../../src/protocol/index.ts";
import { brokerSettings } from "./driver.ts";

function join(broker: Broker, conn: number, role: "game" | "bot", transport: Transport, hello: Partial<Hello>): Command[] {
  // Copies: the broker refills its commands at the next step.
  const out = broker.handle({ kind: "opened", conn, peer: `127.0.0.1:${40000 + conn}`, address: "127.0.0.1", transport }, 1000).map((c) => ({ ...c }));
  const h = message(Opcode.control, role === "game" ? Control.gameHello : Control.botHello, encodeHello({ client: "test", ...hello }));
  out.push(...broker.handle({ kind: "received", conn, message: h }, 1000).map((c) => ({ ...c })));
  if (role === "bot") out.push(...broker.handle({ kind: "received", conn, message: botName(`bot${conn}`) }, 1000).map((c) => ({ ...c })));
  return out;
}

const welcomeOf = (out: Command[]) => {
  const sent = out.find((c) => c.kind === "send" && c.message.operand === Control.welcome);
  return sent?.kind === "send" ? decodeWelcome(sent.message.body) : null;
};
const framingOf = (out: Command[]) => {
  const admitted = out.find((c) => c.kind === "admitted");
  return admitted?.kind === "admitted" ? admitted.framing : null;
};

describe("transports", () => {
  test("a WebSocket client that asks for frames is not granted them, and stays one message per WebSocket message", () => {
    const broker = new Broker(brokerSettings({ botsPerMatch: 1 }));
    const out = join(broker, 1, "bot", "ws", { features: ["results", "frames", "timing"] });
    expect(welcomeOf(out)?.features).toEqual(["results", "timing"]);
    expect(framingOf(out)).toBe("lines");
    const logged = out.find((c) => c.kind === "log" && c.event === "connection opened");
    expect(logged?.kind === "log" && logged.fields.transport).toBe("ws");
  });

  test("a TCP client that asks for frames is granted them", () => {
    const broker = new Broker(brokerSettings({ botsPerMatch: 1 }));
    const out = join(broker, 1, "bot", "tcp", { features: ["frames"] });
    expect(welcomeOf(out)?.features).toEqual(["frames"]);
    expect(framingOf(out)).toBe("frames");
  });

  test("match_started carries each seat's transport and marks a human seat", () => {
    const broker = new Broker(brokerSettings({ botsPerMatch: 2 }));
    join(broker, 1, "bot", "ws", { human: true, client: "bitbroker-play" });
    join(broker, 2, "bot", "tcp", {});
    const out = join(broker, 3, "game", "tcp", {});
    const started = out.flatMap((c) => (c.kind === "event" ? [c.event] : [])).find((e): e is Extract<BrokerEvent, { type: "match_started" }> => e.type === "match_started");
    expect(started?.match.bots.map((b) => [b.index, b.name, b.human, b.transport, b.client])).toEqual([
      [0, "bot1", true, "ws", "bitbroker-play"],
      [1, "bot2", false, "tcp", "test"],
    ]);
    expect(started?.match.game.transport).toBe("tcp");
  });
});
