// The TypeScript SDK as an npm package, used from a new project exactly as the README says: the
// packed tarball installed with npm, a game in TypeScript compiled by tsc and run by Node, one bot
// run by Node and one by Bun, a real match against the real broker; the clone stays clean.
// Run by test/packaging/suites.sh (slow: npm installs); not part of a plain `bun test`.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BrokerProcess } from "../e2e/harness.ts";
import { freePort } from "../image/run.ts";
import { cloneStatus, expectSuccess, install, newProject, playMatch, recipeEnv, removeProject, sh, writeFiles } from "./harness.ts";
import { MATCH_OVER, RECIPES, ROOT, withPort } from "./recipes.ts";

const recipe = RECIPES.typescript;
const env = recipeEnv();
let project = "";
let statusBefore = "";

beforeAll(async () => {
  statusBefore = await cloneStatus();
  project = newProject("typescript");
  writeFiles(recipe, project);
  await install(recipe, project, env, 240_000);
}, 300_000);
afterAll(() => removeProject(project), 60_000); // a venv or node_modules is thousands of files

test("the recipe leaves the clone as it was: no file changed, no mode changed", async () => {
  expect(await cloneStatus()).toBe(statusBefore);
});

test("the package carries ES modules and types, an exports map, and no executable", () => {
  const pkg = JSON.parse(readFileSync(join(project, "node_modules/bitbroker/package.json"), "utf8")) as Record<string, unknown>;
  expect(pkg.bin).toBeUndefined();
  expect(pkg.type).toBe("module");
  expect(pkg.exports).toEqual({
    ".": { types: "./dist/types/sdk/index.d.ts", default: "./dist/index.js" },
    "./package.json": "./package.json",
  });
  const entry = readFileSync(join(project, "node_modules/bitbroker/dist/index.js"), "utf8");
  // Runtime-neutral: node:net for the socket, nothing from Bun.
  expect(entry).toContain('from "node:net"');
  expect(entry).not.toMatch(/\bBun\.|from "bun"/);
});

test("tsc type-checked the TypeScript game against the package's declarations", () => {
  // `npx tsc` (a build step of the recipe) succeeded; here, that it did emit the game.
  expect(readFileSync(join(project, "game.js"), "utf8")).toContain('from "bitbroker"');
});

test("a game and a bot on Node and a bot on Bun play a whole match through the real broker", async () => {
  const node = await sh("node --version", project, env, 10_000);
  expectSuccess(node);
  console.log(`node ${node.stdout.trim()}, Uint8Array.fromBase64: ${(await sh('node -p "typeof Uint8Array.fromBase64"', project, env, 10_000)).stdout.trim()}`);
  await playMatch(recipe, project, env);
}, 90_000);

test("on Node, a broker that never comes gives connect_failed after the retries", async () => {
  const port = freePort();
  const script = [
    'import { BaseBot, runBot } from "bitbroker";',
    'class B extends BaseBot { name = "B"; decideMove(s) { return s; } }',
    `try { await runBot(new B(), "127.0.0.1", ${port}, { connectTimeoutMs: 300 }); } catch (e) { console.log(e.code); }`,
  ].join("\n");
  const done = await sh(`node --input-type=module -e '${script}'`, project, env, 30_000);
  expectSuccess(done);
  expect(done.stdout.trim()).toBe("connect_failed");
});

test("on Node, a game and bots started before the broker play once it is up", async () => {
  const port = freePort();
  const players = recipe.players.filter((p) => p.startsWith("node ")).map((p) => sh(withPort(p, port), project, env, 60_000));
  // They are started first and retry until the broker listens (ConnectOptions.connectTimeoutMs).
  const broker = await BrokerProcess.start({ BROKER_PORT: String(port), BROKER_NUM_PLAYERS: String(players.length - 1) });
  try {
    const done = await Promise.all(players);
    done.forEach(expectSuccess);
    expect(done[0]!.stdout).toContain(MATCH_OVER.replace("CounterBot, CounterBot", "CounterBot"));
  } finally {
    await broker.stop();
  }
}, 90_000);

test("on Node, a bot waiting in the lobby learns the broker's reason when it shuts down", async () => {
  const broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" });
  const bot = sh(withPort("node bot.mjs {port}", broker.port), project, env, 30_000);
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "CounterBot", 20_000);
  await broker.stop();
  const done = await bot;
  expect(done.code).not.toBe(0);
  expect(done.stderr).toContain("SdkError");
  expect(done.stderr).toContain("broker shutting down");
}, 60_000);

test("the package's version is the broker's, and its dependencies, protobufjs and ws, pinned as the broker pins them", async () => {
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; dependencies: Record<string, string> };
  const pkg = JSON.parse(readFileSync(join(project, "node_modules/bitbroker/package.json"), "utf8")) as typeof root;
  expect(pkg.version).toBe(root.version);
  expect(pkg.dependencies).toEqual({ protobufjs: root.dependencies.protobufjs ?? "(not in package.json)", ws: root.dependencies.ws ?? "(not in package.json)" });
});
