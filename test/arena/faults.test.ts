// The arena when things go wrong, end to end: a crashing bot and a hanging bot (that ignores
// SIGTERM and leaves a process behind) are counted as such; a game that never ends is stopped at
// --match-timeout-ms; Ctrl-C prints the partial table and the command that resumes, which then
// plays only what is missing. After each run, /proc shows no process left of the arena's children.
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/store/open.ts";
import { bot, game, processes, runArena, survivors, type ArenaRun } from "./helpers.ts";

const dir = () => mkdtempSync(join(tmpdir(), "arena-"));

/** Nothing the arena started is alive: not one process seen under it, nor anyone in its children's sessions. */
async function nothingLeft(run: ArenaRun, sawSome = true): Promise<void> {
  if (sawSome) expect(run.seen.length).toBeGreaterThan(0);
  expect(await survivors(run.seen)).toEqual([]);
  // The sessions the arena's children made (each leads its own: sid = pid; one seen before its
  // setsid still has its parent's session, which is not its own).
  const sessions = new Set(run.seen.filter((p) => p.ppid === run.pid && p.sid === p.pid).map((p) => p.sid));
  expect(processes().filter((p) => sessions.has(p.sid))).toEqual([]);
}

interface Row {
  name: string;
  matches: number;
  wins: number;
  losses: number;
  timeouts: number;
  crashes: number;
}

test("a crashing bot and a hanging bot are counted as such, and leave no process behind", async () => {
  const d = dir();
  const run = await runArena(
    ["--game", game(), "--bot", `alpha=${bot()}`, "--bot", `crasher=${bot("crash")}`, "--bot", `hanger=${bot("hang")}`, "--move-timeout-ms", "2000", "--exit-grace-ms", "200", "--journal", join(d, "j.jsonl"), "--json", "-"],
  );
  expect(run.code).toBe(0);
  // The hanging bot started a `sleep` of its own: it was seen, and it is gone too.
  expect(run.seen.some((p) => p.cmd === "sleep")).toBe(true);
  await nothingLeft(run);
  const rows = (JSON.parse(run.stdout) as { standings: Row[] }).standings;
  const row = (n: string) => rows.find((r) => r.name === n)!;
  // alpha wins all 4; crasher vs hanger: whoever sits first fails first (the game asks seat 0 first).
  expect(row("alpha")).toMatchObject({ matches: 4, wins: 4, losses: 0, timeouts: 0, crashes: 0 });
  expect(row("crasher")).toMatchObject({ matches: 4, wins: 1, losses: 3, timeouts: 0, crashes: 3 });
  expect(row("hanger")).toMatchObject({ matches: 4, wins: 1, losses: 3, timeouts: 3, crashes: 0 });
  const journal = readFileSync(join(d, "j.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { end: string; exits: Array<{ stopped: boolean; tail?: string[] }> });
  expect(journal.map((m) => m.end).sort()).toEqual(["bot_disconnected", "bot_disconnected", "bot_disconnected", "move_timeout", "move_timeout", "move_timeout"]);
  // The hanging bot ignored SIGTERM: it was stopped (SIGKILL) in each of its matches.
  expect(journal.filter((m) => m.end === "move_timeout").every((m) => m.exits.some((x) => x.stopped))).toBe(true);
}, 120_000);

test("a game that never ends is stopped at --match-timeout-ms: no result, no process left", async () => {
  const d = dir();
  const run = await runArena(["--game", game("forever"), "--bot", `alpha=${bot()}`, "--bot", `beta=${bot()}`, "--match-timeout-ms", "1500", "--exit-grace-ms", "200", "--journal", join(d, "j.jsonl"), "--json", "-"]);
  expect(run.code).toBe(0);
  await nothingLeft(run);
  const rows = (JSON.parse(run.stdout) as { standings: Array<Row & { noResult: number }> }).standings;
  expect(rows.map((r) => [r.matches, r.noResult, r.wins, r.losses])).toEqual([
    [2, 2, 0, 0],
    [2, 2, 0, 0],
  ]);
  const ends = readFileSync(join(d, "j.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { end: string }).end);
  expect(ends).toEqual(["match_timeout", "match_timeout"]);
}, 120_000);

test("Ctrl-C prints the partial table and the command that resumes; --resume plays only what is missing", async () => {
  const d = dir();
  const journal = join(d, "j.jsonl");
  const db = join(d, "arena.db");
  const args = ["--game", game(), ...["alpha", "beta", "gamma", "delta"].flatMap((n) => ["--bot", `${n}=${bot()}`]), "--parallel", "1", "--journal", journal, "--db", db, "--record-dir", join(d, "replays")];
  const first = await runArena(args, { interruptWhen: (err) => err.includes("match 3/12") });
  expect(first.code).toBe(130);
  await nothingLeft(first);
  expect(first.stdout).toContain("(interrupted)");
  const resume = /To resume:\n {2}(.+)\n/.exec(first.stderr)?.[1];
  expect(resume).toBeDefined();
  expect(resume!).toEndWith("--resume");
  const kept = readFileSync(journal, "utf8").trim().split("\n").length;
  expect(kept).toBeGreaterThanOrEqual(3);
  expect(kept).toBeLessThan(12);
  expect(first.stdout).toContain(`${kept} of 12 matches played (interrupted)`);

  // Without --resume, the journal's matches are not played over.
  const refused = await runArena(args);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain("add --resume");

  // The records database knows what was played, and that the matches cut short were not (broker_shutdown).
  const inDb = (await recordsOf(db)).filter((r) => r.code === "normal").length;
  expect(inDb).toBe(kept);

  const second = await runArena([...args, "--resume", "--json", "-"]);
  expect(second.code).toBe(0);
  expect(second.stderr).toContain(`${12 - kept} of 12 matches to play`);
  const indexes = readFileSync(journal, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { index: number }).index);
  expect(indexes.sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
  const rows = (JSON.parse(second.stdout) as { standings: Array<Row & { score: number }> }).standings;
  expect(rows.map((r) => [r.name, r.matches, r.score])).toContainEqual(["alpha", 6, 6]);
  expect(rows.map((r) => [r.name, r.matches, r.score])).toContainEqual(["delta", 6, 0]);
}, 120_000);

test("an SPRT stops early on a clearly stronger bot, says which hypothesis it accepted, and reports the matches still running then", async () => {
  const d = dir();
  const run = await runArena(["--game", game(), "--bot", `alpha=${bot()}`, "--bot", `delta=${bot()}`, "--sprt", "0,400,0.05,0.05", "--parallel", "2", "--journal", join(d, "j.jsonl"), "--json", join(d, "out.json")]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("SPRT: is alpha stronger than delta?");
  expect(run.stdout).toContain("H1 accepted: alpha is stronger than delta");
  const out = JSON.parse(readFileSync(join(d, "out.json"), "utf8")) as { matchesPlayed: number; sprt: { decided: { decision: string; pairs: number }; decidedAfterMatches: number } };
  // Five swept pairs reach the bound (log(0.95/0.05) = 2.94) at 0 vs 400 Elo.
  expect(out.sprt.decided).toMatchObject({ decision: "H1", pairs: 5 });
  // Matches running when it decided were finished and reported (at most one more with 2 at a time).
  expect(out.matchesPlayed).toBeGreaterThanOrEqual(out.sprt.decidedAfterMatches);
  expect(out.matchesPlayed).toBeLessThanOrEqual(out.sprt.decidedAfterMatches + 1);
  expect(out.matchesPlayed).toBeLessThan(20);
}, 120_000);

test("a command line that cannot start: three matches in a row fail to start, the arena gives up and keeps none of them", async () => {
  const d = dir();
  const journal = join(d, "j.jsonl");
  const run = await runArena(["--game", "/nonexistent/game --port {port}", ...["alpha", "beta", "gamma"].flatMap((n) => ["--bot", `${n}=${bot()}`]), "--parallel", "1", "--journal", journal]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain("arena: gave up: 3 matches in a row could not start; the last: the game exited with status 127 before the match started");
  expect(run.stderr).toContain("/nonexistent/game: not found");
  expect(run.stderr).toContain("--resume");
  expect(existsSync(journal)).toBe(false);
  // Its processes fail within a few milliseconds: the poll may not have seen any of them.
  await nothingLeft(run, false);
}, 120_000);

test("a journal that cannot be written stops the tournament (exit 1) and every match with it", async () => {
  const d = dir();
  writeFileSync(join(d, "file"), "");
  const run = await runArena(["--game", game(), ...["alpha", "beta", "gamma"].flatMap((n) => ["--bot", `${n}=${bot()}`]), "--parallel", "2", "--journal", join(d, "file", "j.jsonl")]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(`arena: stopped: cannot write the journal ${join(d, "file", "j.jsonl")}`);
  await nothingLeft(run);
}, 120_000);

test("a bot that never joins: its match is stopped at --start-timeout-ms, no result, no process left", async () => {
  const d = dir();
  const run = await runArena(["--game", game(), "--bot", `alpha=${bot()}`, "--bot", "sleeper=sleep 1000", "--start-timeout-ms", "1500", "--journal", join(d, "j.jsonl"), "--json", "-"]);
  expect(run.code).toBe(0);
  expect(run.seen.some((p) => p.cmd === "sleep")).toBe(true);
  await nothingLeft(run);
  const ends = readFileSync(join(d, "j.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { end: string }).end);
  expect(ends).toEqual(["start_timeout", "start_timeout"]);
  expect((JSON.parse(run.stdout) as { standings: Array<{ noResult: number }> }).standings.map((r) => r.noResult)).toEqual([2, 2]);
}, 120_000);

/** The records the arena's broker kept in `db` (SQLite), through the records' own store. */
async function recordsOf(db: string): Promise<Array<{ room: string; status: string; code: string | null; replay: string | null }>> {
  const store = openStore({ kind: "sqlite", path: db });
  try {
    return await store.exportPage(null, 1000);
  } finally {
    await store.close();
  }
}

test("the records database alone knows what was played: without the journal, --resume plays only the rest; every match has its replay", async () => {
  const d = dir();
  const db = join(d, "arena.db");
  const replays = join(d, "replays");
  const args = ["--game", game(), ...["alpha", "beta", "gamma"].flatMap((n) => ["--bot", `${n}=${bot()}`]), "--parallel", "1", "--db", db, "--record-dir", replays];
  const first = await runArena([...args, "--journal", join(d, "first.jsonl"), "--matches", "4"]);
  expect(first.code).toBe(0);
  const recorded = await recordsOf(db);
  expect(recorded).toHaveLength(4);
  for (const r of recorded) expect(existsSync(join(replays, r.replay!))).toBe(true);
  // A new journal: only the database says that matches 0-3 were played.
  const second = await runArena([...args, "--journal", join(d, "second.jsonl"), "--resume", "--json", "-", "--report", join(d, "report.html")]);
  expect(second.code).toBe(0);
  expect(second.stderr).toContain("2 of 6 matches to play");
  expect(await recordsOf(db)).toHaveLength(6);
  const rows = (JSON.parse(second.stdout) as { standings: Array<{ name: string; matches: number; wins: number; draws: number }> }).standings;
  expect(rows.map((r) => [r.name, r.matches, r.wins, r.draws]).sort()).toEqual([
    ["alpha", 4, 4, 0],
    ["beta", 4, 0, 2],
    ["gamma", 4, 0, 2],
  ]);
  // The report offers each match's replay.
  const html = readFileSync(join(d, "report.html"), "utf8");
  expect(html.match(/<code>bitbroker replay [^<]+\.bbr<\/code>/g)?.length).toBe(6);
}, 120_000);

test("Ctrl-C during a match: the broker ends it first (broker_shutdown), nothing of it is kept, --resume plays it", async () => {
  const d = dir();
  const db = join(d, "arena.db");
  const journal = join(d, "j.jsonl");
  const common = ["--bot", `alpha=${bot()}`, "--bot", `delta=${bot()}`, "--parallel", "1", "--name", "cut", "--db", db, "--record-dir", join(d, "replays"), "--journal", journal];
  // A game that never ends: the records say its match is running, and then comes the signal.
  const first = await runArena(["--game", game("forever"), ...common], { interruptWhen: async () => (await recordsOf(db).catch(() => [])).some((r) => r.status === "running") });
  expect(first.code).toBe(130);
  await nothingLeft(first);
  expect(existsSync(journal)).toBe(false);
  expect((await recordsOf(db)).map((r) => [r.room, r.code])).toEqual([["cut.0", "broker_shutdown"]]);
  const second = await runArena(["--game", game(), ...common, "--resume"]);
  expect(second.code).toBe(0);
  expect(second.stderr).toContain("2 of 2 matches to play");
}, 120_000);
