// Replays of a real Connect Four match (examples/connect4: the game and two TypeScript bots,
// recorded by the broker with BROKER_RECORD=on): the timeline, --serve-game re-driving the real
// game to the same final board (and catching a game that departs), --serve-bot passing the same
// bot and catching a changed one; a damaged file is a clear error.
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Connect4Bot } from "../../examples/connect4/bots.ts";
import type { Move, GameState } from "../../examples/connect4/schema.ts";
import { Connect4Game } from "../../examples/connect4/referee.ts";
import { seededRng } from "../../examples/connect4/strategy.ts";
import { Action } from "../../src/sdk/index.ts";
import { runBot, runGame } from "../../src/sdk/index.ts";
import { run } from "../image/run.ts";
import { brokerWithRecords, recordOf, tempDir } from "../records/helpers.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const quiet = { log: () => {} };
const smart = () => new Connect4Bot("smart", "Smart", seededRng(11));
const random = () => new Connect4Bot("random", "Random", seededRng(22));

/** `bitbroker replay FILE …` serving on a free port: its port, and its end (status and output). */
async function serving(args: string[]): Promise<{ port: number; done: Promise<{ code: number; out: string }> }> {
  const proc = Bun.spawn([process.execPath, "src/main.ts", "replay", ...args, "--port", "0", "--connect-timeout-ms", "30000"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
    timeout: 60_000,
  });
  const reader = proc.stdout.getReader();
  let out = "";
  for (;;) {
    const port = /on 127\.0\.0\.1:(\d+)/.exec(out)?.[1];
    if (port) {
      const done = (async () => {
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) break;
          out += new TextDecoder().decode(chunk.value);
        }
        return { code: await proc.exited, out: out + (await new Response(proc.stderr).text()) };
      })();
      return { port: Number(port), done };
    }
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`replay exited before listening: ${out}${await new Response(proc.stderr).text()}`);
    out += new TextDecoder().decode(chunk.value);
  }
}

let file = "";
let recorded: Connect4Game;
beforeAll(async () => {
  const dir = tempDir();
  const broker = await brokerWithRecords({ BROKER_RECORD: "on", BROKER_RECORD_DIR: join(dir, "replays") });
  try {
    const seated = broker.waitForLog((l) => l.event === "seat taken" && l.name === "Smart");
    const first = runBot(smart(), "127.0.0.1", broker.port, quiet);
    await seated;
    recorded = new Connect4Game();
    await Promise.all([first, runBot(random(), "127.0.0.1", broker.port, quiet), runGame(recorded, "127.0.0.1", broker.port, quiet)]);
    const id = String((await broker.waitForLog((l) => l.event === "match started")).match);
    const record = await recordOf(broker, id);
    file = join(dir, "replays", String(record.replay));
  } finally {
    await broker.stop();
  }
  expect(recorded.result).toBeDefined();
});

describe("a recorded Connect Four match", () => {
  test("prints as a timeline: the batch, each state and move with its think time, the end", async () => {
    const r = await run([process.execPath, "src/main.ts", "replay", file, "--width", "60"], { cwd: ROOT, env: { PATH: process.env.PATH ?? "" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('batch: 0 "Smart", 1 "Random"');
    expect(r.stdout).toMatch(/broker → bot 0 "Smart"\s+02 05/);
    expect(r.stdout).toMatch(/bot 1 "Random" → broker\s+02 00\s+\d+\s+\d+\.\d{3} ms/);
    expect(r.stdout).toContain(`ended normally`);
    expect(r.stdout).toContain(`after ${recorded.result!.moves} turns`);
    for (const line of r.stdout.split("\n")) expect(line.length).toBeLessThan(160);
  });

  test("--serve-game re-drives the real game to the same final board", async () => {
    const server = await serving([file, "--serve-game"]);
    const live = new Connect4Game();
    await runGame(live, "127.0.0.1", server.port, quiet);
    expect(live.cells).toEqual(recorded.cells!);
    expect(live.result).toEqual(recorded.result!);
    const done = await server.done;
    expect(done.out).toContain("the live game followed the record");
    expect(done.code).toBe(0);
  });

  test("--serve-game tells a game that departs from the record where it does", async () => {
    class Departing extends Connect4Game {
      private actions = 0;
      override nextAction(): Action {
        const a = super.nextAction();
        // Its third action sends the other bot the board: not what the recorded game did.
        if (++this.actions === 3 && a.kind === "play") return Action.playerAction(1 - a.botIndex, a.state);
        return a;
      }
    }
    const server = await serving([file, "--serve-game"]);
    const error = await runGame(new Departing(), "127.0.0.1", server.port, quiet).catch((e: unknown) => e);
    expect(String((error as { reason?: string }).reason)).toStartWith("replay_diverged: the live game departs from the record at turn 3");
    const done = await server.done;
    expect(done.code).toBe(1);
    // Turn 3 is bot 0's (X moves on odd turns): the live game asked bot 1.
    expect(done.out).toContain("departs from the record at turn 3: it sent 01 01");
    expect(done.out).toContain("the record has 01 00");
  });

  test("--serve-bot passes the same bot and catches a changed one, turn by turn", async () => {
    const same = await serving([file, "--serve-bot", "0"]);
    await runBot(smart(), "127.0.0.1", same.port, quiet);
    const ok = await same.done;
    expect(ok.out).toMatch(/bot 0: (\d+) replies compared, \1 as recorded, 0 different/);
    expect(ok.code).toBe(0);

    class OffByOne extends Connect4Bot {
      override decide(state: GameState): Move {
        return { column: (super.decide(state).column + 1) % 7 };
      }
    }
    const changed = await serving([file, "--serve-bot", "0"]);
    await runBot(new OffByOne("smart", "Smart", seededRng(11)), "127.0.0.1", changed.port, quiet).catch(() => {});
    const caught = await changed.done;
    expect(caught.code).toBe(1);
    expect(caught.out).toMatch(/turn 1: DIFFERENT: it sent 02 00/);
    expect(caught.out).toMatch(/[1-9]\d* different/);
  });

  test("a truncated or damaged file is a clear error, never a crash", async () => {
    const dir = tempDir();
    const bytes = readFileSync(file);
    const cut = join(dir, "cut.bbr");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 3));
    const damaged = join(dir, "damaged.bbr");
    const flipped = Uint8Array.from(bytes);
    flipped[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(damaged, flipped);
    const env = { PATH: process.env.PATH ?? "" };
    const a = await run([process.execPath, "src/main.ts", "replay", cut], { cwd: ROOT, env });
    expect([a.code, a.stderr]).toEqual([1, expect.stringMatching(/cut\.bbr: the file ends inside record \d+ .*\[truncated\]/)]);
    expect(a.stdout).toContain("batch:"); // what could be read is shown first
    const b = await run([process.execPath, "src/main.ts", "replay", damaged, "--serve-game", "--port", "0"], { cwd: ROOT, env });
    expect([b.code, b.stderr]).toEqual([1, expect.stringMatching(/damaged\.bbr: .*(checksum does not match|is damaged).*\[(checksum|bad_record|truncated)\]/)]);
    const c = await run([process.execPath, "src/main.ts", "replay", join(dir, "none.bbr")], { cwd: ROOT, env });
    expect([c.code, c.stderr]).toEqual([1, expect.stringContaining("ENOENT")]);
    const d = await run([process.execPath, "src/main.ts", "replay", file, "--serve-bot", "x"], { cwd: ROOT, env });
    expect(d.code).toBe(2);
  });
});
