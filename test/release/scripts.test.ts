// The release workflow's two helpers: the notes (tag against package.json, CHANGELOG.md's section)
// and the assets (what dist/ may publish: SHA256SUMS and exactly the files it lists, hashes right).
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { ROOT } from "../../scripts/build.ts";
import { releaseAssets } from "../../scripts/release-assets.ts";
import { changelogSection, downloadNotes, tagProblem } from "../../scripts/release-notes.ts";
import { sha256 } from "../../scripts/release.ts";
import { run } from "../image/run.ts";

const CHANGELOG = `# Changelog\n\n## [Unreleased]\n\n- next\n\n## [0.2.0] - 2027-01-02\n\n### Added\n- two\n\n## [0.1.0] - 2026-11-30\n\n- one\n`;

test("a tag releases package.json's version only, written with a leading v", () => {
  expect(tagProblem("v0.1.0", "0.1.0")).toBeNull();
  expect(tagProblem("v0.1.1", "0.1.0")).toContain("does not name package.json's version 0.1.0");
  expect(tagProblem("0.1.0", "0.1.0")).not.toBeNull();
});

test("the notes are the version's CHANGELOG section, up to the next one; none for a missing or empty one", () => {
  expect(changelogSection(CHANGELOG, "0.2.0")).toBe("### Added\n- two");
  expect(changelogSection(CHANGELOG, "0.1.0")).toBe("- one");
  expect(changelogSection(CHANGELOG, "0.3.0")).toBeNull();
  expect(changelogSection("## [0.4.0]\n\n## [0.3.0]\n- x\n", "0.4.0")).toBeNull();
});

test("the project's CHANGELOG.md has a section for package.json's version, which the command prints", async () => {
  const r = await run([process.execPath, join(ROOT, "scripts/release-notes.ts"), `v${pkg.version}`, "--repo", "Owner/bitbroker"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toStartWith(`${changelogSection(await Bun.file(join(ROOT, "CHANGELOG.md")).text(), pkg.version)}\n\n## Download and verify`);
  expect(r.stdout).toContain(`https://github.com/Owner/bitbroker/releases/download/v${pkg.version}/SHA256SUMS`);
  expect(r.stdout).toContain(`ghcr.io/owner/bitbroker:${pkg.version}`); // image names are lower case
  const wrong = await run([process.execPath, join(ROOT, "scripts/release-notes.ts"), "v99.0.0"]);
  expect([wrong.code, wrong.stdout]).toEqual([1, ""]);
  expect(wrong.stderr).toContain("tag v99.0.0 does not name");
});

test("the download notes fetch one file and SHA256SUMS, check, then start it", () => {
  const notes = downloadNotes("o/r", "v1.2.3");
  expect(notes).toContain("curl -fLO https://github.com/o/r/releases/download/v1.2.3/bitbroker-linux-x64");
  expect(notes).toContain("sha256sum -c --ignore-missing SHA256SUMS && chmod +x bitbroker-linux-x64 && ./bitbroker-linux-x64 --version");
});

test("the assets are SHA256SUMS and every file it lists; anything unlisted, missing, changed or nested is named", () => {
  const dir = mkdtempSync(join(tmpdir(), "bitbroker-dist-"));
  try {
    for (const [name, text] of [["bitbroker-linux-x64", "x64"], ["bitbroker-0.1.0.tgz", "npm"], ["stray.txt", "?"], ["changed", "a"]]) {
      writeFileSync(join(dir, name!), text!);
    }
    const line = (name: string) => `${sha256(join(dir, name))}  ${name}`;
    const good = `${line("bitbroker-linux-x64")}\n${line("bitbroker-0.1.0.tgz")}\n`;
    const files = ["SHA256SUMS", "bitbroker-linux-x64", "bitbroker-0.1.0.tgz"];
    expect(releaseAssets(dir, files, good, sha256)).toEqual({
      assets: ["SHA256SUMS", "bitbroker-0.1.0.tgz", "bitbroker-linux-x64"].map((n) => join(dir, n)),
      problems: [],
    });

    const changed = `${"0".repeat(64)}  changed`;
    const bad = `${good}${changed}\n${"1".repeat(64)}  gone.whl\n${"2".repeat(64)}  sdk/x.crate\nnot a line\n`;
    expect(releaseAssets(dir, [...files, "stray.txt", "changed"], bad, sha256).problems).toEqual([
      "SHA256SUMS: not a plain file name in dist/: sdk/x.crate",
      'SHA256SUMS: not "<sha256>  <file>": not a line',
      "changed: its SHA-256 differs from SHA256SUMS",
      "gone.whl: listed in SHA256SUMS but not in dist/",
      "stray.txt: in dist/ but not listed in SHA256SUMS",
    ]);
    expect(releaseAssets(dir, ["SHA256SUMS"], "", sha256).problems).toEqual(["SHA256SUMS lists no file"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
