// `bitbroker stdio`: its encodings (pure), and bots with no SDK at all in an arena: a shell loop
// that answers each line, its stderr in the match's log under its name, a state with a newline
// refused by text and carried by json, a program that dies counted as that bot's crash.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EncodingError, replyOf, stateLine } from "../../src/cli/stdio-encoding.ts";
import { ROOT, bot, game, runArena } from "./helpers.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("encodings", () => {
  test("text: the state as it is; one with a newline, or not UTF-8, is refused with what to use instead", () => {
    expect(stateLine(bytes("3 4 ✓"), "text")).toBe("3 4 ✓");
    expect(() => stateLine(bytes("two\nlines"), "text")).toThrow(new EncodingError("a state holds a newline (character 3): --encoding text cannot carry it in one line (use --encoding json or base64)"));
    expect(() => stateLine(new Uint8Array([0xff, 0x0a]), "text")).toThrow(/not UTF-8 text: --encoding text cannot carry it \(use --encoding base64\)/);
    expect(text(replyOf("move 3\r", "text"))).toBe("move 3");
  });

  test("base64: any bytes, newlines included; a reply that is not base64 is refused", () => {
    const any = new Uint8Array([0, 10, 13, 255, 10]);
    expect(stateLine(any, "base64")).toBe("AAoN/wo=");
    expect(replyOf("AAoN/wo=", "base64")).toEqual(any);
    expect(replyOf("", "base64")).toEqual(new Uint8Array());
    expect(() => replyOf("not base64!", "base64")).toThrow(EncodingError);
  });

  test("json: one JSON string (a newline becomes \\n); the reply is a JSON string, or any JSON value's text", () => {
    expect(stateLine(bytes('two\nlines "q"'), "json")).toBe('"two\\nlines \\"q\\""');
    expect(text(replyOf('"a\\nb"', "json"))).toBe("a\nb");
    expect(text(replyOf('{"column": 3}', "json"))).toBe('{"column":3}');
    expect(() => replyOf("{oops", "json")).toThrow(EncodingError);
  });
});

const stdioBot = (encoding: string, script: string) => `${process.execPath} ${join(ROOT, "src/main.ts")} stdio --encoding ${encoding} -- sh -c '${script}'`;
const ECHO_NAME = 'while IFS= read -r line; do echo "got [$line]" >&2; echo "$BITBROKER_NAME"; done';

test("a shell loop is a bot: it plays, its stderr is in the match's log under its name", async () => {
  const d = mkdtempSync(join(tmpdir(), "arena-"));
  const run = await runArena(["--game", game(), "--bot", `alpha=${stdioBot("text", ECHO_NAME)}`, "--bot", `delta=${bot()}`, "--journal", join(d, "j.jsonl"), "--logs", join(d, "logs"), "--json", "-"]);
  expect(run.code).toBe(0);
  const rows = (JSON.parse(run.stdout) as { standings: Array<{ name: string; wins: number; crashes: number }> }).standings;
  expect(rows.map((r) => [r.name, r.wins, r.crashes])).toEqual([
    ["alpha", 2, 0],
    ["delta", 0, 0],
  ]);
  const room = (JSON.parse(readFileSync(join(d, "j.jsonl"), "utf8").split("\n")[0]!) as { room: string }).room;
  expect(readFileSync(join(d, "logs", `${room}.log`), "utf8")).toContain("[alpha] [alpha] got []");
}, 120_000);

test("a state with a newline: text refuses it (that bot loses, a crash), json carries it", async () => {
  const d = mkdtempSync(join(tmpdir(), "arena-"));
  const run = await runArena(["--game", game("newline"), "--bot", `alpha=${stdioBot("text", ECHO_NAME)}`, "--bot", `beta=${stdioBot("json", 'while IFS= read -r line; do echo "\\"$BITBROKER_NAME\\""; done')}`, "--exit-grace-ms", "500", "--journal", join(d, "j.jsonl"), "--logs", join(d, "logs"), "--json", "-"]);
  expect(run.code).toBe(0);
  const rows = (JSON.parse(run.stdout) as { standings: Array<{ name: string; wins: number; losses: number; crashes: number }> }).standings;
  expect(rows.map((r) => [r.name, r.wins, r.losses, r.crashes])).toEqual([
    ["beta", 2, 0, 0],
    ["alpha", 0, 2, 2],
  ]);
  expect(run.stderr).toContain("bot_disconnected: alpha");
}, 120_000);

test("a program that exits at once is its bot's crash", async () => {
  const d = mkdtempSync(join(tmpdir(), "arena-"));
  const run = await runArena(["--game", game(), "--bot", `alpha=${bot()}`, "--bot", `quitter=${stdioBot("text", "exit 4")}`, "--journal", join(d, "j.jsonl"), "--json", "-"]);
  expect(run.code).toBe(0);
  const rows = (JSON.parse(run.stdout) as { standings: Array<{ name: string; wins: number; crashes: number }> }).standings;
  expect(rows.map((r) => [r.name, r.wins, r.crashes])).toEqual([
    ["alpha", 2, 0],
    ["quitter", 0, 2],
  ]);
}, 120_000);
