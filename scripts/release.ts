// `bun run release`: cross-built executables for every supported platform into dist/, the three
// SDK packages (scripts/pack.ts), and dist/SHA256SUMS (`sha256sum -c` format) for all of them.
// Bun fetches each target's runtime through npm once.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { DIST, compile, gitCommit } from "./build.ts";
import { SDKS, pack, type Sdk } from "./pack.ts";

/** Release name → `bun build --target`. */
export const TARGETS = {
  "linux-x64": "bun-linux-x64",
  "linux-x64-musl": "bun-linux-x64-musl",
  "linux-arm64": "bun-linux-arm64",
  "darwin-arm64": "bun-darwin-arm64",
  "windows-x64": "bun-windows-x64",
} as const;

export type ReleaseName = keyof typeof TARGETS;

export const fileName = (name: ReleaseName): string => `bitbroker-${name}${name.startsWith("windows") ? ".exe" : ""}`;

export function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/**
 * Builds every target (or the ones named) and the SDK packages into `out`, and writes
 * SHA256SUMS for them all. No --bytecode here: JavaScriptCore bytecode is not portable across
 * platforms (Bun refuses or the binary crashes), and a release must not depend on which machine
 * built it.
 */
export async function release(
  names: readonly ReleaseName[] = Object.keys(TARGETS) as ReleaseName[],
  sdks: readonly Sdk[] = SDKS,
  out = DIST,
): Promise<string[]> {
  const commit = gitCommit();
  const lines: string[] = [];
  mkdirSync(out, { recursive: true });
  for (const name of names) {
    const started = performance.now();
    const outfile = join(out, fileName(name));
    await compile({ target: TARGETS[name], outfile, bytecode: false }, commit);
    const mib = (statSync(outfile).size / 1024 / 1024).toFixed(1);
    console.log(`${fileName(name).padEnd(34)} ${mib.padStart(6)} MiB  ${Math.round(performance.now() - started)} ms`);
    lines.push(`${sha256(outfile)}  ${fileName(name)}`);
  }
  // The SDK packages are the same on every platform: built once.
  const started = performance.now();
  for (const file of await pack(sdks, out)) {
    console.log(`${basename(file).padEnd(34)} ${(statSync(file).size / 1024).toFixed(1).padStart(6)} KiB`);
    lines.push(`${sha256(file)}  ${basename(file)}`);
  }
  if (sdks.length > 0) console.log(`SDK packages: ${Math.round(performance.now() - started)} ms`);
  writeFileSync(join(out, "SHA256SUMS"), `${lines.join("\n")}\n`);
  return lines;
}

if (import.meta.main) {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((a) => !(a in TARGETS));
  if (unknown.length > 0) {
    console.error(`release: unknown target(s) ${unknown.join(", ")}; known: ${Object.keys(TARGETS).join(", ")}`);
    process.exit(2);
  }
  const commit = gitCommit();
  console.log(`bitbroker release, commit ${commit || "(unknown)"}, into dist/`);
  await release(asked.length > 0 ? (asked as ReleaseName[]) : undefined);
  console.log("dist/SHA256SUMS written (check with: cd dist && sha256sum -c SHA256SUMS)");
}
