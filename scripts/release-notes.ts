// `bun scripts/release-notes.ts v0.1.0 [--repo owner/name]`: checks that the tag names package.json's
// version, prints that version's section of CHANGELOG.md, then (with --repo) how to fetch and verify
// the release's files. The release workflow uses it as the release's notes. Reads files; writes none.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./build.ts";

/** Why `tag` cannot release package.json's `version`, or null when it can ("v" + the version). */
export function tagProblem(tag: string, version: string): string | null {
  if (tag === `v${version}`) return null;
  return `tag ${tag} does not name package.json's version ${version}: tag v${version}, or change the version first`;
}

/** The text under `## [version]` (or `## version`) in a Keep-a-Changelog file, or null if none. */
export function changelogSection(changelog: string, version: string): string | null {
  const lines = changelog.split("\n");
  const heading = (l: string) => /^## \[?([^\]\s]+)\]?/.exec(l)?.[1];
  const start = lines.findIndex((l) => heading(l) === version);
  if (start === -1) return null;
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  const body = lines.slice(start + 1, end === -1 ? undefined : end).join("\n").trim();
  return body === "" ? null : body;
}

/** The download section every release's notes end with: one platform's fetch, check and start. */
export function downloadNotes(repo: string, tag: string): string {
  const base = `https://github.com/${repo}/releases/download/${tag}`;
  return [
    "## Download and verify",
    "",
    "Every file is listed in `SHA256SUMS`. For Linux on x86-64 (other files: `bitbroker-linux-arm64`,",
    "`bitbroker-linux-x64-musl`, `bitbroker-darwin-arm64`, `bitbroker-windows-x64.exe`):",
    "",
    "```sh",
    `curl -fLO ${base}/bitbroker-linux-x64 -fLO ${base}/SHA256SUMS`,
    "sha256sum -c --ignore-missing SHA256SUMS && chmod +x bitbroker-linux-x64 && ./bitbroker-linux-x64 --version",
    "```",
    "",
    `Image (linux/amd64, linux/arm64): \`docker run --rm -p 7878:7878 -p 8080:8080 ghcr.io/${repo.toLowerCase()}:${tag.slice(1)}\``,
  ].join("\n");
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { repo: { type: "string" } }, allowPositionals: true });
  const tag = positionals[0] ?? "";
  const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const problem = tagProblem(tag, version);
  const section = changelogSection(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8"), version);
  if (problem || section === null) {
    console.error(`release-notes: ${problem ?? `CHANGELOG.md has no section "## [${version}]" with text under it`}`);
    process.exit(1);
  }
  console.log(values.repo ? `${section}\n\n${downloadNotes(values.repo, tag)}` : section);
}
