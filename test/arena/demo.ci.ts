// `bun run arena:demo` as CI runs it: the Connect Four league of five bots in four languages (the
// random and smart TypeScript bots, the Python bot, the Rust bot, an awk script behind `bitbroker
// stdio`), 40 matches two at a time, each seated by ticket through its own SDK. The smart bot
// must finish above the random one. Its own suite ("arena demo", test/arena/suites.sh), run after
// the Rust suites, so that the Rust bot its `cargo build` needs is already built.
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./helpers.ts";

test("the demo league: 40 matches, every one ended normally, the smart bot above the random one", async () => {
  const out = join(mkdtempSync(join(tmpdir(), "arena-demo-test-")), "out.json");
  const demo = Bun.spawn([process.execPath, join(ROOT, "examples/arena/demo.ts"), "--json", out], { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const bound = setTimeout(() => demo.kill("SIGKILL"), 300_000);
  const [code, stdout, stderr] = await Promise.all([demo.exited, new Response(demo.stdout).text(), new Response(demo.stderr).text()]);
  clearTimeout(bound);
  if (code !== 0) throw new Error(`arena:demo exited ${code}:\n${stderr}`);
  expect(stdout).toContain("40 of 40 matches played (finished)");
  const result = JSON.parse(readFileSync(out, "utf8")) as { matchesPlayed: number; standings: Array<{ name: string; matches: number; noResult: number; crashes: number; timeouts: number; rating: number; score: number }> };
  expect(result.matchesPlayed).toBe(40);
  const rows = new Map(result.standings.map((r) => [r.name, r]));
  expect([...rows.keys()].sort()).toEqual(["awk", "python", "rust", "ts-random", "ts-smart"]);
  for (const r of rows.values()) expect(r).toMatchObject({ matches: 16, noResult: 0, crashes: 0, timeouts: 0 });
  expect(rows.get("ts-smart")!.rating).toBeGreaterThan(rows.get("ts-random")!.rating);
  expect(rows.get("ts-smart")!.score).toBeGreaterThan(rows.get("ts-random")!.score);
  // The report it wrote: one page, the chart inline.
  const folder = /journal, report and each match's output in (\S+)/.exec(stderr)?.[1];
  expect(folder).toBeDefined();
  const report = readFileSync(join(folder!, "report.html"), "utf8");
  expect(report).toContain("<svg");
  expect(report).not.toMatch(/<script|<link|src="http/);
  expect(existsSync(join(folder!, "logs"))).toBe(true);
}, 300_000);
