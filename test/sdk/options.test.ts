// Where an SDK client goes and who it says it is, from its arguments or the environment that an
// arena (or an operator) sets: BITBROKER_HOST, _PORT, _ROOM, _SEAT, _TOKEN.
import { describe, expect, test } from "bun:test";
import { decodeHello, decodeLine } from "../../src/protocol/index.ts";
import { brokerAddress, roomOption, seatOption, tokenOption } from "../../src/sdk/options.ts";
import { Action, BaseBot, BaseGame, runBot, runGame, type SdkError } from "../../src/sdk/index.ts";
import table from "../vectors/session.json" with { type: "json" };

test("arguments win; else the environment; else 127.0.0.1:7878, the default room, no seat, no token", () => {
  const env = { BITBROKER_HOST: "10.0.0.5", BITBROKER_PORT: "9000", BITBROKER_ROOM: "arena-7", BITBROKER_SEAT: "1", BITBROKER_TOKEN: "t0ken-abc" };
  expect(brokerAddress("example", 1234, env)).toEqual(["example", 1234]);
  expect(brokerAddress(undefined, undefined, env)).toEqual(["10.0.0.5", 9000]);
  expect(brokerAddress(undefined, undefined, {})).toEqual(["127.0.0.1", 7878]);
  expect([roomOption({}, env), seatOption({}, env), tokenOption({}, env)]).toEqual(["arena-7", 1, "t0ken-abc"]);
  expect([roomOption({ room: "r" }, env), seatOption({ seat: 0 }, env), tokenOption({ token: "x" }, env)]).toEqual(["r", 0, "x"]);
  expect([roomOption({}, {}), seatOption({}, {}), tokenOption({}, {})]).toEqual(["", null, ""]);
});

test("a bad port or seat in the environment is a clear error, not a silent default", () => {
  expect(() => brokerAddress(undefined, undefined, { BITBROKER_PORT: "http" })).toThrow('BITBROKER_PORT must be a TCP port; got "http"');
  expect(() => seatOption({}, { BITBROKER_SEAT: "first" })).toThrow('BITBROKER_SEAT must be a seat index (0-254); got "first"');
});

// The shared table (test/vectors/session.json, read by the Python and Rust suites too).
describe("each environment case of the shared table", () => {
  for (const c of table.environment.cases) {
    test(c.name, () => {
      type Args = { host?: string; port?: number; room?: string; seat?: number; token?: string };
      const args = (("args" in c ? c.args : undefined) ?? {}) as Args;
      const env = c.env as Readonly<Record<string, string | undefined>>;
      const resolve = () => {
        const [host, port] = brokerAddress(args.host, args.port, env);
        return { host, port, room: roomOption(args, env), seat: seatOption(args, env), token: tokenOption(args, env) };
      };
      if ("error" in c.expect) expect(resolve).toThrow(c.expect.error);
      else expect(resolve()).toEqual(c.expect);
    });
  }
});

test("where to connect by default is the table's", () => {
  expect(brokerAddress(undefined, undefined, {})).toEqual([table.defaults.host, table.defaults.port]);
});

/** The features in the Hello a bot and a game send with `options`, read by a listener that closes after the hello. */
async function helloFeatures(options: { timing?: boolean; frames?: boolean }): Promise<Array<readonly string[]>> {
  const hellos: Uint8Array[] = [];
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket, chunk) {
        const nl = chunk.indexOf(0x0a);
        if (nl >= 0) hellos.push(chunk.subarray(0, nl));
        socket.end();
      },
    },
  });
  const quiet = { log: () => {}, connectTimeoutMs: 5_000 };
  const bot = new (class extends BaseBot {
    name = "B";
    decideMove(s: Uint8Array): Uint8Array {
      return s;
    }
  })();
  const game = new (class extends BaseGame {
    initialise(): void {}
    nextAction(): Action {
      return Action.endGame();
    }
    deliverResponse(): void {}
  })();
  // Each is turned away once its hello is read: the session ends with connection_lost.
  for (const run of [runBot(bot, "127.0.0.1", server.port, { ...quiet, ...options }), runGame(game, "127.0.0.1", server.port, { ...quiet, ...options })]) {
    expect(await run.catch((e: SdkError) => e.code)).toBe("connection_lost");
  }
  server.stop(true);
  return hellos.map((line) => decodeHello(decodeLine(line).body)?.features ?? []);
}

describe("the hello asks for the table's features in its order", () => {
  for (const c of table.hello_features.cases) {
    test(JSON.stringify(c.options), async () => {
      expect(await helloFeatures(c.options)).toEqual([c.features, c.features]);
    });
  }
});
