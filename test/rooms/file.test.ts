// BROKER_ROOMS_FILE: TOML and YAML, every problem reported at once; and the broker refusing to
// start on a bad file (exit 2), or on a file that contradicts BROKER_NUM_PLAYERS.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRoomsFile } from "../../src/rooms/file.ts";

const TOML = `
on_demand = false

[rooms.duel]
bots = 2

[rooms.ffa-8]
bots = 8
queue_max = 64
`;

const YAML = `
on_demand: false
rooms:
  duel: { bots: 2 }
  ffa-8:
    bots: 8
    queue_max: 64
`;

describe("parseRoomsFile", () => {
  for (const [name, text] of [["rooms.toml", TOML], ["rooms.yaml", YAML]] as const) {
    test(`reads rooms and their settings from ${name}`, () => {
      const r = parseRoomsFile(text, name);
      expect(r).toEqual({
        kind: "rooms",
        file: {
          onDemand: false,
          rooms: new Map([
            ["duel", { bots: 2, queueMax: null, record: null, time: null }],
            ["ffa-8", { bots: 8, queueMax: 64, record: null, time: null }],
          ]),
        },
      });
    });
  }

  test("an empty file declares nothing and lets rooms be made on demand", () => {
    expect(parseRoomsFile("", "r.toml")).toEqual({ kind: "rooms", file: { onDemand: true, rooms: new Map() } });
  });

  test("lists every problem at once, each with where it is", () => {
    const r = parseRoomsFile(
      `on_demand = "yes"
colour = "red"
[rooms."bad name"]
bots = 2
[rooms.big]
bots = 300
queue_max = 0
[rooms.typo]
botz = 2
`,
      "r.toml",
    );
    expect(r.kind).toBe("errors");
    expect(r.kind === "errors" && [...r.errors]).toEqual([
      'r.toml: unknown setting "colour" (known: on_demand, rooms)',
      "r.toml: on_demand must be true or false",
      'r.toml: room "bad name": a room name is 1-64 characters of A-Z a-z 0-9 . _ -',
      'r.toml: room "big": bots must be a whole number from 1 to 255; got 300',
      'r.toml: room "big": queue_max must be a whole number from 1 to 1000000; got 0',
      'r.toml: room "typo": unknown setting "botz" (known: bots, queue_max, record, move_timeout_ms, first_move_timeout_ms, time_bank_ms, on_timeout)',
      'r.toml: room "typo": bots (bots per match) is required',
    ]);
  });

  test("says which format failed to parse, and refuses other extensions", () => {
    expect(parseRoomsFile("[rooms", "r.toml")).toMatchObject({ kind: "errors", errors: [expect.stringMatching(/^r\.toml: not valid TOML: /)] });
    expect(parseRoomsFile("a: [", "r.yml")).toMatchObject({ kind: "errors", errors: [expect.stringMatching(/^r\.yml: not valid YAML: /)] });
    expect(parseRoomsFile("{}", "r.json")).toEqual({ kind: "errors", errors: ["r.json: a rooms file ends in .toml, .yaml or .yml"] });
  });
});

describe("the broker and its rooms file", () => {
  const dir = mkdtempSync(join(tmpdir(), "bitbroker-rooms-"));
  const run = (env: Record<string, string>) =>
    Bun.spawnSync(["bun", "src/main.ts"], {
      cwd: new URL("../..", import.meta.url).pathname,
      env: { ...process.env, BROKER_PORT: "0", BROKER_HEALTH_PORT: "0", BROKER_HOST: "127.0.0.1", ...env },
      stdout: "pipe",
      stderr: "pipe",
    });

  test("exits 2 listing the file's problems", () => {
    const file = join(dir, "bad.toml");
    writeFileSync(file, "[rooms.x]\nbots = 0\n");
    const r = run({ BROKER_ROOMS_FILE: file });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.toString()).toContain(`${file}: room "x": bots must be a whole number from 1 to 255; got 0`);
  });

  test("exits 2 when the file cannot be read", () => {
    const r = run({ BROKER_ROOMS_FILE: join(dir, "missing.yaml") });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.toString()).toContain("BROKER_ROOMS_FILE: cannot read");
  });

  test("exits 2 when the file and BROKER_NUM_PLAYERS disagree on the default room", () => {
    const file = join(dir, "default.yaml");
    writeFileSync(file, "rooms:\n  default: { bots: 3 }\n");
    const r = run({ BROKER_ROOMS_FILE: file, BROKER_NUM_PLAYERS: "2" });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.toString()).toContain('BROKER_NUM_PLAYERS is 2 but');
  });
});
