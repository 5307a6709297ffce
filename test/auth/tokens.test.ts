// Tokens: the file's rules (rooms, roles, a bot's name, hashed tokens, open rooms) and its errors.
import { createHash } from "node:crypto";
import { describe, expect, test } from "bun:test";
import { OPEN, Tokens, parseTokensFile, sharedToken, type TokenRules } from "../../src/auth/tokens.ts";

const FILE = `
open_rooms = false

[[token]]
token = "referee-secret"
rooms = ["league"]
roles = ["game"]

[[token]]
token_sha256 = "${createHash("sha256").update("alice-secret").digest("hex")}"
rooms = ["league", "practice"]
roles = ["bot"]
name = "AliceBot"

[[token]]
token = "anyone-anywhere"
`;

function rules(text: string, name = "t.toml"): TokenRules {
  const r = parseTokensFile(text, name);
  if (r.kind !== "rules") throw new Error(r.errors.join("\n"));
  return r.rules;
}

describe("the rules of a tokens file", () => {
  const t = new Tokens(rules(FILE));
  const ask = (token: string, room: string, role: "game" | "bot", name = "") => t.allows({ token, room, role, name });

  test("a token opens its rooms for its roles only", () => {
    expect(ask("referee-secret", "league", "game")).toBe(true);
    expect(ask("referee-secret", "league", "bot", "X")).toBe(false);
    expect(ask("referee-secret", "practice", "game")).toBe(false); // not one of its rooms
    expect(ask("wrong", "league", "game")).toBe(false);
  });

  test("a token bound to a name admits that bot name only, and is stored hashed", () => {
    expect(ask("alice-secret", "practice", "bot", "AliceBot")).toBe(true);
    expect(ask("alice-secret", "practice", "bot", "MalloryBot")).toBe(false);
  });

  test("a rule for every room (\"*\" by default) applies everywhere", () => {
    expect(ask("anyone-anywhere", "somewhere", "bot", "B")).toBe(true);
    expect(ask("", "somewhere", "bot", "B")).toBe(false);
  });

  test("rooms that no rule names are closed unless open_rooms is true", () => {
    const closed = new Tokens(rules('[[token]]\ntoken = "only-here"\nrooms = ["here"]\n'));
    expect(closed.allows({ token: "", room: "elsewhere", role: "bot", name: "" })).toBe(false);
    const open = new Tokens(rules('open_rooms = true\n[[token]]\ntoken = "only-here"\nrooms = ["here"]\n'));
    expect(open.allows({ token: "", room: "elsewhere", role: "bot", name: "" })).toBe(true);
    expect(open.allows({ token: "", room: "here", role: "bot", name: "" })).toBe(false);
  });

  test("no tokens at all: every room is open; BROKER_TOKEN: one secret for all", () => {
    expect(new Tokens(OPEN).allows({ token: "", room: "x", role: "game", name: "" })).toBe(true);
    const shared = new Tokens(sharedToken("one-secret"));
    expect(shared.allows({ token: "one-secret", room: "x", role: "game", name: "" })).toBe(true);
    expect(shared.allows({ token: "", room: "default", role: "bot", name: "" })).toBe(false);
  });

  test("replaced rules apply from the next request on (SIGHUP)", () => {
    const tokens = new Tokens(rules('[[token]]\ntoken = "old-secret"\n'));
    tokens.replace(rules('[[token]]\ntoken = "new-secret"\n'));
    expect(tokens.allows({ token: "old-secret", room: "r", role: "bot", name: "" })).toBe(false);
    expect(tokens.allows({ token: "new-secret", room: "r", role: "bot", name: "" })).toBe(true);
  });

  test("the same rules read from YAML", () => {
    const y = new Tokens(rules('token:\n  - { token: "referee-secret", rooms: [league], roles: [game] }\n', "t.yaml"));
    expect(y.allows({ token: "referee-secret", room: "league", role: "game", name: "" })).toBe(true);
  });
});

test("a tokens file's problems are all listed, and no token appears in them", () => {
  const r = parseTokensFile('colour = 1\nopen_rooms = "no"\n[[token]]\ntoken = "short"\nroles = ["admin"]\nrooms = []\nwhat = 1\n', "t.toml");
  expect(r.kind === "errors" && [...r.errors]).toEqual([
    't.toml: unknown setting "colour" (known: open_rooms, token)',
    "t.toml: open_rooms must be true or false",
    't.toml: token #1: unknown setting "what" (known: token, token_sha256, rooms, roles, name)',
    "t.toml: token #1: give exactly one of token (8 characters or more) or token_sha256 (64 hex digits)",
    't.toml: token #1: rooms must be a list of room names (or "*")',
    't.toml: token #1: roles must be a list of "game" and/or "bot"',
  ]);
});
