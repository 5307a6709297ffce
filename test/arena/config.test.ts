// The arena's settings (pure, and once through the CLI): the file and the flags together, every
// problem named at once, the example league file valid.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArenaArgs, type Flags } from "../../src/arena/config.ts";
import { resolveConfig } from "../../src/arena/settings.ts";
import { ROOT, runArena } from "./helpers.ts";

function flags(argv: string[]): Flags {
  const a = parseArenaArgs(argv);
  if (a.kind !== "args") throw new Error(JSON.stringify(a));
  return a.flags;
}
const resolve = (argv: string[], file: string | null = null) => resolveConfig(flags(file === null ? argv : ["--config", "league.toml", ...argv]), file, { parallel: 2 });

test("the example league file is valid: five bots, a 40-match round-robin, two at a time", () => {
  const r = resolve([], readFileSync(join(ROOT, "examples/arena/connect4.toml"), "utf8"));
  if ("errors" in r) throw new Error(r.errors.join("\n"));
  expect(r.config.bots.map((b) => [b.name, b.relay])).toEqual([
    ["ts-random", false],
    ["ts-smart", false],
    ["python", false],
    ["rust", false],
    ["awk", false],
  ]);
  expect(r.config).toMatchObject({ kind: "round-robin", matches: 40, parallel: 2, seats: 2, seed: 1, sprt: null });
});

test("flags win over the file; --bot adds to its bots; defaults fill the rest", () => {
  const file = `[game]\ncommand = "g"\n[[bot]]\nname = "a"\ncommand = ["a", "{port}"]\n[schedule]\nmatches = 10\nseed = 5\n[settings]\nparallel = 4\n`;
  const r = resolve(["--bot", "b=b --port {port}", "--matches", "20", "--relay", "a"], file);
  if ("errors" in r) throw new Error(r.errors.join("\n"));
  expect(r.config).toMatchObject({ matches: 20, seed: 5, parallel: 4, matchTimeoutMs: 600_000, startTimeoutMs: 30_000, moveTimeoutMs: 10_000, exitGraceMs: 3000, journal: "arena.jsonl" });
  expect(r.config.bots).toEqual([
    { name: "a", command: ["a", "{port}"], relay: true },
    { name: "b", command: "b --port {port}", relay: false },
  ]);
});

test("a bad file: every problem is named at once, with where it is", () => {
  const file = `
[game]
seats = "two"
[[bot]]
name = "a b"
command = "a"
[[bot]]
name = "c"
command = ""
[[bot]]
name = "x"
command = "x"
colour = "red"
[[bot]]
name = "x"
command = "y"
[schedule]
kind = "swiss"
matches = -3
[settings]
parallel = 0
sprt = "0,10"
report = "out.txt"
[extras]
`;
  const r = resolve([], file);
  expect("errors" in r && r.errors).toEqual([
    'league.toml: unknown table "extras" (known: game, bot, schedule, settings)',
    "league.toml: [game]: command must be a command line (a string, run by /bin/sh) or a non-empty list of strings",
    'league.toml: bot "c": command must be a command line (a string, run by /bin/sh) or a non-empty list of strings',
    'league.toml: [[bot]] #3 has an unknown setting "colour" (known: name, command, relay)',
    "no game: give --game COMMAND or a [game] table with its command",
    'bot name "a b": 1-40 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit',
    'two bots are named "x": names tell bots apart in the table',
    'league.toml: schedule must be one of round-robin, gauntlet, ffa; got "swiss"',
    'league.toml: seats must be a whole number from 1 to 255; got "two"',
    'league.toml: sprt takes elo0,elo1,alpha,beta (e.g. 0,10,0.05,0.05); got "0,10"',
    "league.toml: sprt: an SPRT tests one bot against another: a round-robin of exactly 2 bots (the first is A, the second B)",
    "league.toml: matches must be a whole number from 1 to 10000000; got -3",
    "league.toml: report: the report is an HTML page: name it FILE.html",
    "league.toml: parallel must be a whole number from 1 to 256; got 0",
  ]);
});

test("bad flags: unknown ones, a --bot without a command, a schedule that does not fit the seats", () => {
  expect(parseArenaArgs(["--colour", "red"])).toMatchObject({ kind: "errors" });
  const r = resolve(["--game", "g", "--bot", "a", "--bot", "b=b", "--seats", "3", "--gauntlet", "zed", "--broker", "nowhere"]);
  expect("errors" in r && r.errors).toEqual([
    '--bot takes NAME=COMMAND; got "a"',
    "a round-robin is for 2-seat games; for 3 seats use --schedule ffa",
    "a round-robin needs at least 2 bots; 1 given (--bot NAME=COMMAND or [[bot]] tables)",
    "--gauntlet is for --schedule gauntlet",
    '--gauntlet: no bot is named "zed"',
    '--broker must be HOST:PORT; got "nowhere"',
  ]);
});

test("the CLI says what is wrong and exits 2 without playing", async () => {
  const run = await runArena(["--config", join(ROOT, "test/arena/fixtures/bad.toml")]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain("bitbroker arena: invalid settings:");
  expect(run.stderr).toContain("not valid TOML");
  expect(run.seen).toEqual([]);
  const missing = await runArena(["--config", "/nonexistent/league.toml"]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("--config: cannot read /nonexistent/league.toml");
});

test("a league file may be YAML (by its extension): the same league as in TOML; another extension is refused", () => {
  const toml = `[game]\ncommand = "g --port {port}"\n[[bot]]\nname = "a"\ncommand = "a"\n[[bot]]\nname = "b"\ncommand = ["b", "{port}"]\nrelay = true\n[schedule]\nkind = "gauntlet"\ngauntlet = "b"\n[settings]\nsprt = { elo0 = 0, elo1 = 5, alpha = 0.05, beta = 0.1 }\n`;
  const yaml = `game: { command: "g --port {port}" }\nbot:\n  - { name: a, command: a }\n  - { name: b, command: [b, "{port}"], relay: true }\nschedule: { kind: gauntlet, gauntlet: b }\nsettings:\n  sprt: { elo0: 0, elo1: 5, alpha: 0.05, beta: 0.1 }\n`;
  const fromToml = resolveConfig(flags(["--config", "league.toml"]), toml, { parallel: 2 });
  const fromYaml = resolveConfig(flags(["--config", "league.yaml"]), yaml, { parallel: 2 });
  expect("errors" in fromYaml && fromYaml.errors).toEqual([
    "league.yaml: sprt: an SPRT tests one bot against another: a round-robin of exactly 2 bots (the first is A, the second B)",
  ]);
  expect("errors" in fromToml && fromToml.errors).toEqual(["league.toml: sprt: an SPRT tests one bot against another: a round-robin of exactly 2 bots (the first is A, the second B)"]);
  expect(resolveConfig(flags(["--config", "league.json"]), "{}", { parallel: 2 })).toEqual({ errors: ["league.json: a league file ends in .toml, .yaml or .yml", "no game: give --game COMMAND or a [game] table with its command", "a round-robin needs at least 2 bots; 0 given (--bot NAME=COMMAND or [[bot]] tables)"] });
  const ok = (text: string, name: string) => {
    const r = resolveConfig(flags(["--config", name]), text.replace(/\n(\[settings\]|settings:)[\s\S]*$/, "\n"), { parallel: 2 });
    if ("errors" in r) throw new Error(r.errors.join("\n"));
    return { ...r.config, file: null };
  };
  // Without the SPRT, both files give the same league.
  expect(ok(yaml, "league.yaml")).toEqual(ok(toml, "league.toml"));
  expect(ok(yaml, "league.yaml")).toMatchObject({ kind: "gauntlet", gauntlet: 1, bots: [{ name: "a", command: "a", relay: false }, { name: "b", command: ["b", "{port}"], relay: true }] });
});
