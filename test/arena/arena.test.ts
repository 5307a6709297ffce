// `bitbroker arena` end to end, from source, with real child processes on its embedded broker: a
// rigged game whose results are known gives exactly the expected table and ratings; the seat
// tickets put each bot where the schedule says; gauntlet and free-for-all schedules.
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rate, rating, type Rating } from "openskill";
import { STRENGTH } from "./fixtures/rigged-game.ts";
import { bot, game, runArena } from "./helpers.ts";

interface Row {
  name: string;
  matches: number;
  wins: number;
  draws: number;
  losses: number;
  noResult: number;
  score: number;
  mu: number;
  sigma: number;
  rating: number;
  timeouts: number;
  crashes: number;
}
interface Journal {
  index: number;
  lineup: string[];
  end: string;
  result: { seats: Array<{ index: number; rank: number }> } | null;
}

const journalOf = (path: string): Journal[] => readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Journal);
const dir = () => mkdtempSync(join(tmpdir(), "arena-"));

/** Places by seat as the rigged game decides them: by strength, ties sharing. */
function riggedPlaces(lineup: readonly string[]): number[] {
  const s = lineup.map((n) => STRENGTH[n] ?? 0);
  return s.map((x) => 1 + s.filter((o) => o > x).length);
}

/** openskill applied directly to the rigged results, in schedule order: what the table must say. */
function expectedRatings(matches: readonly Journal[]): Map<string, Rating> {
  const r = new Map<string, Rating>();
  for (const m of [...matches].sort((a, b) => a.index - b.index)) {
    const rated = rate(
      m.lineup.map((n) => [r.get(n) ?? rating()]),
      { rank: riggedPlaces(m.lineup) },
    );
    m.lineup.forEach((n, i) => r.set(n, rated[i]![0]!));
  }
  return r;
}

test("a rigged round-robin gives exactly the expected table and ratings; every bot sits where the schedule says", async () => {
  const d = dir();
  const names = ["alpha", "beta", "gamma", "delta"];
  const run = await runArena(["--game", game(), ...names.flatMap((n) => ["--bot", `${n}=${bot()}`]), "--parallel", "2", "--journal", join(d, "j.jsonl"), "--json", "-"]);
  expect(run.code).toBe(0);
  const out = JSON.parse(run.stdout) as { matchesPlayed: number; standings: Row[]; headToHead: Record<string, Record<string, { score: number; games: number }>> };
  expect(out.matchesPlayed).toBe(12);
  const journal = journalOf(join(d, "j.jsonl"));
  // Each match's result came from the names its seats answered with: the seating was the schedule's.
  for (const m of journal) {
    expect(m.end).toBe("normal");
    expect(m.result!.seats.map((s) => s.rank)).toEqual(riggedPlaces(m.lineup));
  }
  // Every pairing, both seat orders.
  const orders = new Set(journal.map((m) => m.lineup.join(">")));
  expect(orders.size).toBe(12);
  const row = (n: string) => out.standings.find((r) => r.name === n)!;
  expect(out.standings.map((r) => r.name)).toEqual(["alpha", row("beta").rating >= row("gamma").rating ? "beta" : "gamma", row("beta").rating >= row("gamma").rating ? "gamma" : "beta", "delta"]);
  expect(row("alpha")).toMatchObject({ matches: 6, wins: 6, draws: 0, losses: 0, noResult: 0, score: 6, timeouts: 0, crashes: 0 });
  expect(row("beta")).toMatchObject({ matches: 6, wins: 2, draws: 2, losses: 2, noResult: 0, score: 3 });
  expect(row("gamma")).toMatchObject({ matches: 6, wins: 2, draws: 2, losses: 2, noResult: 0, score: 3 });
  expect(row("delta")).toMatchObject({ matches: 6, wins: 0, draws: 0, losses: 6, noResult: 0, score: 0 });
  const want = expectedRatings(journal);
  for (const n of names) {
    expect(row(n).mu).toBeCloseTo(want.get(n)!.mu, 9);
    expect(row(n).sigma).toBeCloseTo(want.get(n)!.sigma, 9);
    expect(row(n).rating).toBeCloseTo(want.get(n)!.mu - 3 * want.get(n)!.sigma, 9);
  }
  expect(out.headToHead.beta!.gamma).toEqual({ score: 1, games: 2 });
  expect(out.headToHead.alpha!.delta).toEqual({ score: 2, games: 2 });
}, 120_000);

test("a gauntlet pits one bot against each other one in both seats; a free-for-all seats three of four bots", async () => {
  const d = dir();
  const gauntlet = await runArena(["--game", game(), "--bot", `beta=${bot()}`, "--bot", `alpha=${bot()}`, "--bot", `delta=${bot()}`, "--schedule", "gauntlet", "--gauntlet", "alpha", "--journal", join(d, "g.jsonl"), "--csv", "-"]);
  expect(gauntlet.code).toBe(0);
  const g = journalOf(join(d, "g.jsonl"));
  expect(new Set(g.map((m) => m.lineup.join(">")))).toEqual(new Set(["alpha>beta", "beta>alpha", "alpha>delta", "delta>alpha"]));
  const csv = gauntlet.stdout.trim().split("\n");
  expect(csv[0]).toStartWith("rank,bot,matches,wins,draws,losses,no_result,score,rating,mu,sigma,timeouts,crashes");
  expect(csv[1]).toStartWith("1,alpha,4,4,0,0,0,4,");

  const ffa = await runArena(["--game", game(), ...["alpha", "beta", "gamma", "delta"].flatMap((n) => ["--bot", `${n}=${bot()}`]), "--schedule", "ffa", "--seats", "3", "--matches", "4", "--journal", join(d, "f.jsonl"), "--json", "-"]);
  expect(ffa.code).toBe(0);
  const f = journalOf(join(d, "f.jsonl"));
  expect(f).toHaveLength(4);
  for (const m of f) {
    expect(m.lineup).toHaveLength(3);
    expect(new Set(m.lineup).size).toBe(3);
    expect(m.result!.seats.map((s) => s.rank)).toEqual(riggedPlaces(m.lineup));
  }
  // Each bot plays three of the four matches.
  const rows = (JSON.parse(ffa.stdout) as { standings: Row[] }).standings;
  expect(rows.map((r) => r.matches)).toEqual([3, 3, 3, 3]);
  expect(rows[0]!.name).toBe("alpha");
}, 120_000);
