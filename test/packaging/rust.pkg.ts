// The Rust SDK as a crate (cargo package), used from a new cargo project exactly as the README
// says: the .crate unpacked and depended on as `bitbroker = { package = "bitbroker-sdk", … }`,
// built, and a real match (its game and two bots) against the real broker.
// Run by test/packaging/suites.sh (slow: a cargo build); not part of a plain `bun test`.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cloneStatus, install, newProject, playMatch, recipeEnv, removeProject, writeFiles } from "./harness.ts";
import { RECIPES, ROOT } from "./recipes.ts";

const recipe = RECIPES.rust;
// A target folder of its own that outlives the project: later runs reuse the compiled crates.
const env = recipeEnv({ CARGO_TARGET_DIR: join(ROOT, "target/packaging") });
let project = "";
let statusBefore = "";

beforeAll(async () => {
  statusBefore = await cloneStatus();
  project = newProject("rust");
  writeFiles(recipe, project);
  // A first build compiles tokio and prost: minutes on a busy 2-core machine.
  await install(recipe, project, env, 600_000);
}, 660_000);
afterAll(() => removeProject(project), 60_000); // a venv or node_modules is thousands of files

test("the crate is the package bitbroker-sdk whose library is bitbroker", () => {
  const manifest = readFileSync(join(project, "vendor/bitbroker-sdk-0.2.0/Cargo.toml"), "utf8");
  expect(manifest).toMatch(/\[package\][^[]*\nname = "bitbroker-sdk"\n/);
  expect(manifest).toMatch(/\[lib\]\nname = "bitbroker"\n/);
});

test("a game and two bots built from the crate play a whole match through the real broker", async () => {
  await playMatch(recipe, project, env);
}, 120_000);

test("the recipe leaves the clone as it was", async () => {
  expect(await cloneStatus()).toBe(statusBefore);
});
