// What the arena shows (pure): the live line in a terminal and plain lines elsewhere, the table
// as text, CSV and JSON, and the report page: self-contained, escaped, every match in it.
import { expect, test } from "bun:test";
import type { ArenaMatch } from "../../src/arena/outcome.ts";
import { csvSummary, jsonSummary, textTable, type Summary } from "../../src/arena/output.ts";
import { Progress } from "../../src/arena/progress.ts";
import { htmlReport } from "../../src/arena/report.ts";
import { standings } from "../../src/arena/standings.ts";
import { addThink, emptyThink } from "../../src/arena/think.ts";

function match(index: number, lineup: string[], winner: number | null, m: Partial<ArenaMatch> = {}): ArenaMatch {
  const think = lineup.map(() => emptyThink());
  think.forEach((t, i) => addThink(t, 1 + i));
  return {
    tournament: "t",
    index,
    room: `t.${index}`,
    lineup,
    matchId: `id-${index}`,
    end: "normal",
    culprit: null,
    reason: "",
    result: winner === null ? null : { seats: lineup.map((_, i) => ({ index: i, rank: i === winner ? 1 : 2 })), summary: "" },
    turns: 3,
    think,
    missed: lineup.map(() => 0),
    startedAt: "2026-11-30T00:00:00.000Z",
    endedAt: "2026-11-30T00:00:01.000Z",
    exits: [],
    ...m,
  };
}

class Sink {
  text = "";
  constructor(
    readonly isTTY: boolean,
    readonly columns = 80,
  ) {}
  write(t: string): void {
    this.text += t;
  }
}

test("in a terminal one live line is redrawn (done, %, ETA, scores), notes print above it; elsewhere a line per match", () => {
  const tty = new Sink(true);
  const p = new Progress(tty, 4, ["a", "b"], [match(0, ["a", "b"], 0)]);
  p.matchEnded(match(1, ["b", "a"], 0), 2);
  expect(tty.text).toMatch(/^\r\x1b\[2K\[2\/4\] 50% ETA \d+s \| a 1  b 1$/);
  p.note("a note");
  expect(tty.text).toEndWith("\r\x1b[2Ka note\n" + tty.text.split("\r\x1b[2K")[1]);
  p.finish();
  expect(tty.text).toEndWith("\r\x1b[2K");

  const plain = new Sink(false);
  const q = new Progress(plain, 2, ["a", "b"], []);
  q.matchEnded(match(0, ["a", "b"], null, { end: "bot_disconnected", culprit: 1 }), 1);
  expect(plain.text).toMatch(/^match 1\/2 \(#0, a vs b\): a wins \(bot_disconnected: b\) ETA \d+s \| a 1  b 0\n$/);
});

test("the table as text, CSV and JSON; the report page escapes what bots and games say, and lists every match", () => {
  const ms = [match(0, ["a<b>", "c"], 0), match(1, ["c", "a<b>"], null, { end: "match_timeout", reason: 'never ended "<x>"' })];
  const s: Summary = { tournament: "t", kind: "round-robin", planned: 2, played: 2, interrupted: false, gaveUp: false, table: standings(["a<b>", "c"], ms), sprt: null };
  const text = textTable(s);
  expect(text.split("\n")[0]).toBe("t: round-robin, 2 bots, 2 of 2 matches played (finished)");
  expect(text).toMatch(/1 +a<b> +2 +1 +0 +0 +1 +1\.0 +100\.0%/);
  expect(csvSummary(s).split("\n")[1]).toStartWith("1,a<b>,2,1,0,0,1,1,");
  const json = JSON.parse(jsonSummary(s));
  expect(json).toMatchObject({ matchesPlayed: 2, headToHead: { "a<b>": { c: { score: 1, games: 1 } } } });
  expect(json.standings[0]).toMatchObject({ name: "a<b>", wins: 1, noResult: 1, thinkMoves: 2, thinkMeanMs: 1.5 });
  const html = htmlReport(s, ms, { journal: "j.jsonl", logs: null });
  expect(html).not.toContain("a<b>");
  expect(html).toContain("a&lt;b&gt;");
  expect(html).toContain("never ended &quot;&lt;x&gt;&quot;");
  expect(html).toContain("<svg");
  expect(html).not.toMatch(/<script|<link|src=/);
  for (const m of ms) expect(html).toContain(`${m.matchId}<br>${m.room}`);
});
