// The compiled executable (dist/bitbroker, built here if missing or stale) on its own: --version,
// --help, healthcheck, a full match, run from an empty folder with an empty environment.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { compile, compileArgs, ensureBuilt } from "../../scripts/build.ts";
import { SETTINGS } from "../../src/config.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { joinBot, joinGame, playBot, playGame } from "../e2e/players.ts";
import { freePort, run } from "./run.ts";

let binary = "";
/** An empty folder: no node_modules, no package.json, nothing for the executable to lean on. */
const empty = mkdtempSync(join(tmpdir(), "bitbroker-empty-"));
let broker: BrokerProcess | undefined;

beforeAll(async () => {
  binary = await ensureBuilt();
}, 120_000);
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});
afterAll(() => rmSync(empty, { recursive: true, force: true }));

test("--version prints package.json's version, and the commit when the build knew it", async () => {
  const r = await run([binary, "--version"], { cwd: empty });
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`^bitbroker ${pkg.version.replaceAll(".", "\\.")}( \\([^)]+\\))?\\n$`));
});

test("--help lists every setting with its variable and flag, and the healthcheck subcommand", async () => {
  const r = await run([binary, "--help"], { cwd: empty });
  expect(r.code).toBe(0);
  for (const s of Object.values(SETTINGS)) {
    expect(r.stdout).toContain(s.env);
    expect(r.stdout).toContain(`--${s.flag}`);
  }
  expect(r.stdout).toContain("bitbroker healthcheck");
});

test("healthcheck exits 1 and says why when nothing listens on the health port", async () => {
  const port = freePort();
  const r = await run([binary, "healthcheck", "--health-port", String(port)], { cwd: empty });
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(new RegExp(`^unhealthy: http://127\\.0\\.0\\.1:${port}/health: \\S`));
});

test("healthcheck takes the port from BROKER_HEALTH_PORT, as the image's HEALTHCHECK does", async () => {
  const port = freePort();
  const r = await run([binary, "healthcheck"], { cwd: empty, env: { BROKER_HEALTH_PORT: String(port) } });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(`127.0.0.1:${port}/health`);
});

test("healthcheck asks the broker's BROKER_HOST, or loopback when the broker binds every address", async () => {
  const port = String(freePort());
  const ask = (host: string) => run([binary, "healthcheck"], { cwd: empty, env: { BROKER_HOST: host, BROKER_HEALTH_PORT: port } });
  expect((await ask("localhost")).stdout).toStartWith(`unhealthy: http://localhost:${port}/health: `);
  expect((await ask("0.0.0.0")).stdout).toStartWith(`unhealthy: http://127.0.0.1:${port}/health: `);
  expect((await ask("::")).stdout).toStartWith(`unhealthy: http://127.0.0.1:${port}/health: `);
});

test("healthcheck exits 2 on a health port that is not a port", async () => {
  const r = await run([binary, "healthcheck", "--health-port", "http"], { cwd: empty });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("health port");
});

test("an invalid setting makes the executable exit 2 with every problem listed", async () => {
  const r = await run([binary], { cwd: empty, env: { BROKER_NUM_PLAYERS: "0", LOG_LEVEL: "loud" } });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("BROKER_NUM_PLAYERS");
  expect(r.stderr).toContain("LOG_LEVEL");
});

test("ignores a .env file in its working directory: settings come from the environment and flags", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bitbroker-dotenv-"));
  try {
    writeFileSync(join(dir, ".env"), "BROKER_NUM_PLAYERS=999\n");
    writeFileSync(join(dir, "bunfig.toml"), 'preload = ["./missing.ts"]\n');
    const cmd = [binary, "--host", "127.0.0.1", "--port", "0", "--health-port", "0", "--log-format", "json"];
    const proc = Bun.spawn(cmd, { cwd: dir, env: {}, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 10_000 });
    const reader = proc.stdout.getReader();
    let out = "";
    while (!out.includes('"event":"listening"')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      out += new TextDecoder().decode(chunk.value);
    }
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(out).toContain('"event":"listening"');
    expect(out).toContain('"numPlayers":2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("serves a full match; healthcheck says 0 while it runs and 1 once it is gone", async () => {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" }, [binary]);
  const check = () => run([binary, "healthcheck"], { cwd: empty, env: { BROKER_HEALTH_PORT: String(broker?.healthPort) } });
  const up = await check();
  expect(up.code).toBe(0);
  expect(up.stdout).toMatch(/^healthy: \{"status":"ok"/);

  const game = await joinGame(broker.port);
  const a = await joinBot(broker.port, "A");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "A");
  const b = await joinBot(broker.port, "B");
  const [g, ra, rb] = await Promise.all([playGame(game, 4), playBot(a, "A"), playBot(b, "B")]);
  expect(g.replies).toEqual(["A:turn 0", "B:turn 1", "A:turn 2", "B:turn 3"]);
  expect([ra.states, rb.states]).toEqual([["turn 0", "turn 2"], ["turn 1", "turn 3"]]);
  await Promise.all([game.untilClosed(), a.untilClosed(), b.untilClosed()]);
  expect((await broker.health()).body.matchesPlayed).toBe(1);

  expect(await broker.stop()).toBe(0);
  const down = await check();
  expect(down.code).toBe(1);
  expect(down.stdout).toMatch(/^unhealthy: /);
});

test("builds with bytecode for this machine only: cross-compiled bytecode would crash on its target", () => {
  expect(compileArgs({ outfile: "x", bytecode: true }, "")).toContain("--bytecode");
  expect(compileArgs({ outfile: "x", bytecode: false, target: "bun-linux-arm64" }, "abc")).not.toContain("--bytecode");
  expect(() => compileArgs({ outfile: "x", bytecode: true, target: "bun-linux-arm64" }, "")).toThrow("host only");
});

test("builds reproducibly: the same sources, commit and file name give the same bytes", async () => {
  const dirs = [mkdtempSync(join(tmpdir(), "bitbroker-repro-")), mkdtempSync(join(tmpdir(), "bitbroker-repro-"))];
  try {
    const hashes: string[] = [];
    for (const dir of dirs) {
      await compile({ outfile: join(dir, "bitbroker"), bytecode: true }, "repro");
      hashes.push(new Bun.CryptoHasher("sha256").update(readFileSync(join(dir, "bitbroker"))).digest("hex"));
      expect(readdirSync(dir)).toEqual(["bitbroker"]); // no .map, no leftovers
    }
    expect(hashes[0]).toBe(hashes[1]!);
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
