// The Python SDK as a wheel and an sdist (python -m build), used from new projects exactly as the
// README says: the wheel in a fresh venv, and the sdist in a fresh Python 3.9 venv (the oldest
// `requires-python` allows); each plays a real match against the real broker.
// Run by test/packaging/suites.sh (slow: pip installs); not part of a plain `bun test`.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { cloneStatus, expectSuccess, install, newProject, playMatch, recipeEnv, removeProject, sh, writeFiles } from "./harness.ts";
import { RECIPES, ROOT } from "./recipes.ts";

const recipe = RECIPES.python;
const env = recipeEnv();
const projects: string[] = [];
let statusBefore = "";

function project(): string {
  const dir = newProject("python");
  projects.push(dir);
  writeFiles(recipe, dir);
  return dir;
}

/** Python 3.9 from test/packaging/python39.sh, or null when there is none (it says why on stderr). */
async function python39(): Promise<string | null> {
  const found = await sh(join(ROOT, "test/packaging/python39.sh"), ROOT, env, 30_000);
  if (found.code === 0) return found.stdout.trim();
  console.error(found.stderr.trim());
  return null;
}

beforeAll(async () => {
  statusBefore = await cloneStatus();
}, 30_000);
afterAll(() => projects.forEach(removeProject), 60_000); // a venv or node_modules is thousands of files

test("the wheel in a fresh venv plays a whole match through the real broker", async () => {
  const dir = project();
  await install(recipe, dir, env, 240_000);
  const shown = await sh(".venv/bin/python -c 'import bitbroker, pathlib; print(bitbroker.__version__, (pathlib.Path(bitbroker.__file__).parent / \"py.typed\").exists())'", dir, env, 30_000);
  expectSuccess(shown);
  expect(shown.stdout.trim()).toBe("0.1.0 True");
  await playMatch(recipe, dir, env);
}, 300_000);

test("the sdist in a fresh Python 3.9 venv plays a whole match through the real broker", async () => {
  const py = await python39();
  if (py === null) {
    if (process.env.BITBROKER_ALLOW_NO_PYTHON39 === "1") {
      console.error("!!! SKIPPED: the Python 3.9 sdist match (BITBROKER_ALLOW_NO_PYTHON39=1 and no Python 3.9 here)");
      return;
    }
    throw new Error("no Python 3.9 here: install one (e.g. pyenv install 3.9), or set BITBROKER_ALLOW_NO_PYTHON39=1 to skip");
  }
  const dir = project();
  // The README's recipe with its two documented variants: another Python, and the sdist for the wheel.
  await install(recipe, dir, env, 300_000, (script) => {
    const edited = script.replace("python3 -m venv", `"${py}" -m venv`).replace("-py3-none-any.whl", ".tar.gz");
    expect(edited).toContain(".tar.gz");
    expect(edited).toContain(py);
    return edited;
  });
  const version = await sh(".venv/bin/python -c 'import sys; print(sys.version_info[:2])'", dir, env, 30_000);
  expect(version.stdout.trim()).toBe("(3, 9)");
  await playMatch(recipe, dir, env);
}, 360_000);

test("the recipes leave the clone as it was", async () => {
  expect(await cloneStatus()).toBe(statusBefore);
});
