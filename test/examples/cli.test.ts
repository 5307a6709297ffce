// The example's command lines as other languages' tests call them (game.ts, bot.ts), and
// `bun run demo`, each run as a real process against the real broker.
import { afterEach, expect, test } from "bun:test";
import { BrokerProcess } from "../e2e/harness.ts";
import { joinBot } from "../e2e/players.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const BUN = process.execPath;

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

/** Runs a command to its end; returns its status and output. */
async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([BUN, ...args], { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, status] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { status, stdout, stderr };
}

const lastLine = (text: string): string => text.trimEnd().split("\n").at(-1) ?? "";

test("game.ts and two bot.ts play a match; the game's last line is the JSON result", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2", BROKER_MATCHES: "1" });
  const port = String(broker.port);
  const [game, smart, random] = await Promise.all([
    run(["examples/connect4/game.ts", "--host", "127.0.0.1", "--port", port]),
    run(["examples/connect4/bot.ts", "--host", "127.0.0.1", "--port", port, "--kind", "smart", "--name", "S"]),
    run(["examples/connect4/bot.ts", "--host", "127.0.0.1", "--port", port, "--kind", "random"]),
  ]);
  expect([game.status, smart.status, random.status]).toEqual([0, 0, 0]);
  expect(game.stdout).toContain("| ");
  const result = JSON.parse(lastLine(game.stdout)) as Record<string, unknown>;
  if (result.result === "draw") {
    expect(result).toEqual({ result: "draw", moves: 42 });
  } else {
    expect(Object.keys(result)).toEqual(["result", "winner", "name", "moves", "forfeit"]);
    expect(result).toMatchObject({ result: "win", forfeit: false });
    expect([0, 1]).toContain(result.winner as number);
    expect(["S", "RandomBot"]).toContain(result.name as string);
  }
  expect(await broker.proc.exited).toBe(0);
}, 30_000);

test("game.ts and bot.ts exit non-zero when the match is aborted", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const port = String(broker.port);
  const quitter = await joinBot(broker.port, "Quitter");
  const bot = run(["examples/connect4/bot.ts", "--port", port, "--kind", "smart"]);
  const game = run(["examples/connect4/game.ts", "--port", port]);
  await broker.waitForLog((l) => l.event === "match started");
  quitter.close();
  const [g, b] = await Promise.all([game, bot]);
  expect(g.status).not.toBe(0);
  expect(g.stderr).toContain("Quitter");
  expect(b.status).not.toBe(0);
}, 30_000);

test("bot.ts refuses an unknown kind with status 2", async () => {
  const r = await run(["examples/connect4/bot.ts", "--kind", "genius"]);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("--kind");
});

test("bun run demo shows the board, prints the result and exits 0", async () => {
  const r = await run(["run", "demo"]);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain("| ");
  expect(lastLine(r.stdout)).toMatch(/^Result: (.+ \(bot [01]\) wins after \d+ moves|a draw after 42 moves)/);
}, 60_000);
