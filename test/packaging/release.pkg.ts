// `bun run release` puts the three SDK packages beside the executables and in SHA256SUMS, and
// they are reproducible. The executables themselves are left out here (cross-builds fetch a
// runtime per target): release() is called with no target, into a temporary folder.
// Run by test/packaging/suites.sh; not part of a plain `bun test`.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SDKS, artifactNames } from "../../scripts/pack.ts";
import { release } from "../../scripts/release.ts";
import { expectSuccess, recipeEnv, sh } from "./harness.ts";

const outs = [mkdtempSync(join(tmpdir(), "bitbroker-release-")), mkdtempSync(join(tmpdir(), "bitbroker-release-"))];
afterAll(() => outs.forEach((dir) => rmSync(dir, { recursive: true, force: true })), 60_000); // a venv or node_modules is thousands of files

test("release writes the npm tarball, the wheel, the sdist and the crate, each in SHA256SUMS", async () => {
  const lines = await release([], SDKS, outs[0]);
  const names = SDKS.flatMap(artifactNames);
  expect(names).toEqual(["bitbroker-0.1.0.tgz", "bitbroker-0.1.0-py3-none-any.whl", "bitbroker-0.1.0.tar.gz", "bitbroker-sdk-0.2.0.crate"]);
  expect(readdirSync(outs[0]!).sort()).toEqual([...names, "SHA256SUMS"].sort());
  expect(lines.map((l) => l.split("  ")[1])).toEqual(names);
  expect(readFileSync(join(outs[0]!, "SHA256SUMS"), "utf8")).toBe(`${lines.join("\n")}\n`);
  expectSuccess(await sh("sha256sum -c SHA256SUMS", outs[0]!, recipeEnv(), 30_000));
}, 300_000);

test("the SDK packages are reproducible: packed again, the same bytes", async () => {
  const again = await release([], SDKS, outs[1]);
  expect(again).toEqual(readFileSync(join(outs[0]!, "SHA256SUMS"), "utf8").trimEnd().split("\n"));
}, 300_000);
