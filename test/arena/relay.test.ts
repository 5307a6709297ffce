// The relay for v1-only clients: the hello gets the room and seat ticket (pure), and a raw v1 bot
// through a real relay into the arena's embedded broker takes the seat the arena gave it and never
// sees a Welcome, exactly as with the original broker.
import { afterAll, expect, test } from "bun:test";
import { EmbeddedBroker } from "../../src/arena/embedded.ts";
import { HelloRelay, placeHello } from "../../src/arena/relay.ts";
import { Control, Opcode, botHello, botName, decodeHello, decodeLine, encodeHello, encodeLine, gameHello, message, reply } from "../../src/protocol/index.ts";
import { Action, BaseBot, BaseGame, runBot, runGame, type BotInfo } from "../../src/sdk/index.ts";
import { RawClient } from "../e2e/harness.ts";

const line = (m: ReturnType<typeof botHello>) => new TextEncoder().encode(encodeLine(m).trimEnd());

test("a v1 hello gets the room and the seat; a Hello keeps what it says and gets what it lacks; anything else is left alone", () => {
  const v1 = placeHello(line(botHello()), { room: "t.1", seat: 1 })!;
  expect(v1.v1).toBe(true);
  const m = decodeLine(new TextEncoder().encode(v1.line.trimEnd()));
  expect([m.opcode, m.operand]).toEqual([Opcode.control, Control.botHello]);
  expect(decodeHello(m.body)).toMatchObject({ room: "t.1", seat: 1 });

  const own = placeHello(line(message(Opcode.control, Control.botHello, encodeHello({ client: "py", features: ["results"] }))), { room: "t.1", seat: 0 })!;
  expect(own.v1).toBe(false);
  expect(decodeHello(decodeLine(new TextEncoder().encode(own.line.trimEnd())).body)).toMatchObject({ room: "t.1", seat: 0, client: "py", features: ["results"] });

  const game = placeHello(line(gameHello()), { room: "t.1", seat: null })!;
  expect(decodeHello(decodeLine(new TextEncoder().encode(game.line.trimEnd())).body)).toMatchObject({ room: "t.1", seat: null });
  expect(placeHello(line(botName("x")), { room: "t.1", seat: 0 })).toBeNull();
  expect(placeHello(new TextEncoder().encode("%%%"), { room: "t.1", seat: 0 })).toBeNull();
});

const broker = EmbeddedBroker.start({ seats: 2, moveTimeoutMs: 10_000, logLevel: "error", writeLog: () => {} });
afterAll(async () => await broker.stop());

test("a raw v1 bot through the relay plays in its seat of its room and never sees a Welcome", async () => {
  const room = "relay-test.0";
  const relay = await HelloRelay.start({ host: broker.host, port: broker.port }, { room, seat: 1 });
  const raw = await RawClient.connect(relay.port);
  await raw.send(botHello(), botName("v1bot"));
  class Echo extends BaseBot {
    name = "sdkbot";
    decideMove(state: Uint8Array): Uint8Array {
      return state;
    }
  }
  let seated: BotInfo[] = [];
  let answer = "";
  class Ask extends BaseGame {
    private asked = false;
    initialise(bots: BotInfo[]): void {
      seated = bots;
    }
    nextAction(): Action {
      if (this.asked) return Action.endGame();
      this.asked = true;
      return Action.playerAction(1, new TextEncoder().encode("ping"));
    }
    deliverResponse(r: Uint8Array): void {
      answer = new TextDecoder().decode(r);
    }
  }
  const sdk = runBot(new Echo(), broker.host, broker.port, { room, seat: 0 });
  const game = runGame(new Ask(), broker.host, broker.port, { room });
  // The first line the v1 bot gets is its state: no Welcome before it.
  const first = await raw.next();
  expect([first.opcode, first.operand, new TextDecoder().decode(first.body)]).toEqual([Opcode.move, 0x05, "ping"]);
  await raw.send(reply(new TextEncoder().encode("pong")));
  await Promise.all([sdk, game]);
  expect(seated.map((b) => b.name)).toEqual(["sdkbot", "v1bot"]);
  expect(answer).toBe("pong");
  const rest = await raw.untilClosed();
  expect(rest.map((m) => [m.opcode, m.operand])).toEqual([[Opcode.control, Control.end]]);
  relay.close();
});
