// `bun run arena:demo`: a Connect Four round-robin of five bots in four languages, 40 matches two
// at a time (examples/arena/connect4.toml): the random and smart TypeScript bots, the Python bot,
// the Rust bot and an awk script behind `bitbroker stdio`. Builds the Rust bot first (cargo) and
// uses the clone's .venv for Python. Extra arguments go to `bitbroker arena` (e.g. --parallel 4).
// The journal and the report go to a new temporary folder, so every run plays the whole league.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("../..", import.meta.url).pathname;
const target = process.env.CARGO_TARGET_DIR ?? join(ROOT, "target");
const python = process.env.PYTHON ?? join(ROOT, ".venv/bin/python");

function fail(message: string): never {
  console.error(`arena:demo: ${message}`);
  process.exit(1);
}

console.error("arena:demo: building the Rust bot (cargo build, once)");
const cargo = Bun.spawnSync(["cargo", "build", "--quiet", "--locked", "--manifest-path", join(ROOT, "examples/connect4/rust/Cargo.toml")], {
  env: { ...process.env, CARGO_TARGET_DIR: target },
  stdout: "inherit",
  stderr: "inherit",
});
if (!cargo.success) fail("cargo build failed (is Rust installed? https://rustup.rs)");
const rust = join(target, "debug/connect4-bot");
if (!existsSync(python) || !Bun.spawnSync([python, "-c", "import bitbroker"]).success) {
  fail(`no Python with the SDK at ${python}: python3 -m venv .venv && .venv/bin/pip install -e "./sdk/python[test]" (or set PYTHON)`);
}

const out = mkdtempSync(join(tmpdir(), "arena-demo-"));
const args = [
  "--config", "examples/arena/connect4.toml",
  "--db", join(out, "arena.db"), "--record-dir", join(out, "replays"), "--journal", join(out, "arena.jsonl"),
  "--report", join(out, "report.html"), "--logs", join(out, "logs"),
  ...process.argv.slice(2),
];
const arena = Bun.spawn([process.execPath, "src/main.ts", "arena", ...args], {
  cwd: ROOT,
  env: { ...process.env, PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`, PYTHON: python, CONNECT4_RUST_BOT: rust },
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
});
// Ctrl-C reaches the arena too (same terminal): it stops its matches and prints how to resume.
process.on("SIGINT", () => {});
const code = await arena.exited;
console.error(`arena:demo: records (arena.db), replays, journal, report and each match's output in ${out}`);
process.exit(code);
