// Runs a README recipe (recipes.ts) the way a newcomer would: a new project folder outside the
// repository, the recipe's install.sh, its build commands, then a real match (the game and two
// bots, as separate processes) against the real broker on a free port. Every wait is bounded.
import { expect } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BrokerProcess } from "../e2e/harness.ts";
import { MATCH_OVER, ROOT, recipeText, withPort, type Recipe } from "./recipes.ts";

export interface Done {
  readonly command: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a recipe's commands: this one, with BITBROKER (the clone) set, Bun on PATH
 * (as the README asks), and without the npm_* variables `npm test` adds, which would steer the
 * project's own npm commands.
 */
export function recipeEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.toLowerCase().startsWith("npm_")) env[k] = v;
  env.PATH = `${join(ROOT, "node_modules/.bin")}:${env.PATH ?? ""}`;
  env.BITBROKER = ROOT;
  return { ...env, ...extra };
}

/** A new, empty project folder in the system's temporary folder (never inside the clone). */
export function newProject(sdk: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `bitbroker-${sdk}-project-`)));
  if (dir.startsWith(realpathSync(ROOT))) throw new Error(`bug: project ${dir} is inside the clone`);
  return dir;
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Copies the recipe's files into the project. */
export function writeFiles(recipe: Recipe, project: string): void {
  for (const file of recipe.files) {
    mkdirSync(dirname(join(project, file)), { recursive: true });
    cpSync(join(ROOT, "test/packaging", recipe.dir, file), join(project, file));
  }
}

/** Runs one shell command (bash, errexit) to its end; killed after `timeoutMs`. */
export async function sh(command: string, cwd: string, env: Record<string, string>, timeoutMs: number): Promise<Done> {
  const proc = Bun.spawn(["bash", "-euo", "pipefail", "-c", command], {
    cwd,
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { command, code, stdout, stderr };
}

/** Fails the test with the command's output unless it exited 0. */
export function expectSuccess(done: Done): void {
  if (done.code !== 0) {
    throw new Error(`\`${done.command}\` exited ${done.code}\n--- stdout\n${done.stdout}\n--- stderr\n${done.stderr}`);
  }
}

/**
 * install.sh, as the README shows it (after `edit`, for a documented variant such as another
 * Python), then the recipe's build commands.
 */
export async function install(
  recipe: Recipe,
  project: string,
  env: Record<string, string>,
  timeoutMs: number,
  edit: (script: string) => string = (s) => s,
): Promise<void> {
  const script = edit(recipeText(recipe, "install.sh"));
  expectSuccess(await sh(script, project, env, timeoutMs));
  for (const command of recipe.build) expectSuccess(await sh(command, project, env, timeoutMs));
}

/**
 * A real match: a broker expecting 2 bots, then the recipe's game and bots started together (in
 * any order the broker's lobby accepts). Returns the game's output; fails unless every process
 * exits 0 and the game reports the whole match.
 */
export async function playMatch(
  recipe: Recipe,
  project: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
  players: readonly string[] = recipe.players,
): Promise<Done> {
  const broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: String(players.length - 1) });
  try {
    const done = await Promise.all(players.map((p) => sh(withPort(p, broker.port), project, env, timeoutMs)));
    done.forEach(expectSuccess);
    expect(done[0]!.stdout).toContain(MATCH_OVER);
    await broker.waitForLog((l) => l.event === "match ended");
    return done[0]!;
  } finally {
    await broker.stop();
  }
}

/** `git status` of the clone, file modes included: a recipe must leave it as it found it. */
export async function cloneStatus(): Promise<string> {
  const done = await sh("git status --porcelain=v1 --untracked-files=all", ROOT, recipeEnv(), 30_000);
  expectSuccess(done);
  return done.stdout;
}
