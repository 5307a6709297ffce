// Where an SDK client goes and who it says it is, from its arguments or the environment that an
// arena (or an operator) sets: BITBROKER_HOST, _PORT, _ROOM, _SEAT, _TOKEN.
import { expect, test } from "bun:test";
import { brokerAddress, roomOption, seatOption, tokenOption } from "../../src/sdk/connection.ts";

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
