// `bun scripts/release-assets.ts`: the files a release publishes, one path per line: dist/SHA256SUMS
// and every file it lists, each checked against its hash. Fails, naming each problem, when dist/ holds
// a file SHA256SUMS does not list (nothing unverifiable is published), when a listed file is missing
// or differs, or when an entry is not a plain file name (a release's files are one flat list).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DIST } from "./build.ts";
import { sha256 } from "./release.ts";

export interface Assets {
  readonly assets: readonly string[];
  readonly problems: readonly string[];
}

/** Checks `sums` (the text of SHA256SUMS) against the files in `dir`; `hashOf` hashes one of them. */
export function releaseAssets(dir: string, files: readonly string[], sums: string, hashOf: (path: string) => string): Assets {
  const problems: string[] = [];
  const listed = new Map<string, string>();
  for (const line of sums.split("\n").filter((l) => l.trim() !== "")) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) problems.push(`SHA256SUMS: not "<sha256>  <file>": ${line}`);
    else if (!/^[\w.+-]+$/.test(m[2]!) || m[2] === "SHA256SUMS") problems.push(`SHA256SUMS: not a plain file name in dist/: ${m[2]}`);
    else if (listed.has(m[2]!)) problems.push(`SHA256SUMS: listed twice: ${m[2]}`);
    else listed.set(m[2]!, m[1]!);
  }
  for (const [name, hash] of listed) {
    if (!files.includes(name)) problems.push(`${name}: listed in SHA256SUMS but not in dist/`);
    else if (hashOf(join(dir, name)) !== hash) problems.push(`${name}: its SHA-256 differs from SHA256SUMS`);
  }
  for (const name of files) {
    if (name !== "SHA256SUMS" && !listed.has(name)) problems.push(`${name}: in dist/ but not listed in SHA256SUMS`);
  }
  if (listed.size === 0) problems.push("SHA256SUMS lists no file");
  return { assets: [join(dir, "SHA256SUMS"), ...[...listed.keys()].sort().map((n) => join(dir, n))], problems };
}

if (import.meta.main) {
  let sums = "";
  try {
    sums = readFileSync(join(DIST, "SHA256SUMS"), "utf8");
  } catch {
    console.error("release-assets: dist/SHA256SUMS is missing: run bun run release first");
    process.exit(1);
  }
  const { assets, problems } = releaseAssets(DIST, readdirSync(DIST), sums, sha256);
  if (problems.length > 0) {
    console.error(`release-assets: dist/ is not ready to publish:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exit(1);
  }
  console.log(assets.join("\n"));
}
