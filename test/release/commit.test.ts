// What a build says it was built from (scripts/build.ts gitCommit) and how it is asked for one file
// (parseBuildArgs): a real git repository in a temporary folder, no mocks.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BINARY, gitCommit, parseBuildArgs } from "../../scripts/build.ts";

const repo = mkdtempSync(join(tmpdir(), "bitbroker-git-"));
let head = "";

function git(...args: string[]): string {
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" };
  const r = Bun.spawnSync(["git", ...args], { cwd: repo, env, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

beforeAll(() => {
  git("init", "-q");
  mkdirSync(join(repo, "src"));
  writeFileSync(join(repo, "README.md"), "readme\n");
  writeFileSync(join(repo, "src/main.ts"), "main\n");
  git("add", ".");
  git("commit", "-q", "-m", "first");
  head = git("rev-parse", "--short=12", "HEAD");
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

test("a clean checkout gives the short commit alone", () => {
  expect(gitCommit({}, repo)).toBe(head);
  expect(head).toMatch(/^[0-9a-f]{12}$/);
});

test("a file whose timestamp alone changed (touch) is not a change: no -dirty", () => {
  const later = new Date(Date.now() + 3600_000); // past git's racy-timestamp window, so the index is stale for sure
  utimesSync(join(repo, "README.md"), later, later);
  utimesSync(join(repo, "src/main.ts"), later, later);
  expect(gitCommit({}, repo)).toBe(head);
});

test("a changed tracked file gives -dirty, and undoing the change takes it away", () => {
  appendFileSync(join(repo, "src/main.ts"), "changed\n");
  expect(gitCommit({}, repo)).toBe(`${head}-dirty`);
  git("checkout", "--", "src/main.ts");
  expect(gitCommit({}, repo)).toBe(head);
});

test("BITBROKER_COMMIT (the image build's argument) wins over git; outside git the commit is unknown", () => {
  expect(gitCommit({ BITBROKER_COMMIT: " 0123456789ab " }, repo)).toBe("0123456789ab");
  const bare = mkdtempSync(join(tmpdir(), "bitbroker-nogit-"));
  try {
    expect(gitCommit({ GIT_CEILING_DIRECTORIES: tmpdir() }, bare)).toBe("");
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
});

test("the build's command line: none = this machine with bytecode; --target needs --outfile and takes no bytecode", () => {
  expect(parseBuildArgs([])).toEqual({ outfile: BINARY, bytecode: true });
  expect(parseBuildArgs(["--target", "bun-linux-arm64", "--outfile", "dist/bitbroker-linux-arm64"])).toEqual({
    target: "bun-linux-arm64",
    outfile: resolve("dist/bitbroker-linux-arm64"),
    bytecode: false,
  });
  expect(() => parseBuildArgs(["--target", "bun-linux-arm64"])).toThrow("--target needs --outfile");
  expect(() => parseBuildArgs(["--target", "linux arm64", "--outfile", "x"])).toThrow("bun target");
  expect(() => parseBuildArgs(["--targte", "bun-linux-x64"])).toThrow();
});
