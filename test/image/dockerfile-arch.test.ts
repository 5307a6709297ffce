// The Dockerfile's build stage, without Docker: its RUN that picks the executable for TARGETARCH runs
// under /bin/sh in a copy of what the stage copies, as buildx runs it for linux/amd64 and linux/arm64.
import { afterAll, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { ROOT } from "../../scripts/build.ts";
import { executableFormat } from "../release/format.ts";
import { run } from "./run.ts";
import { TEST_COMMIT, releaseFile } from "../release/targets.ts";

const BUILD_MS = 180_000;
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
/** Each stage's text, by its name (`FROM … AS name`). */
const stages = new Map(dockerfile.split(/^(?=FROM )/m).slice(1).map((s) => [/^FROM .* AS (\S+)$/m.exec(s)?.[1] ?? "", s]));
const build = stages.get("build") ?? "";
/** The instructions of a stage, continuation lines joined as the shell sees them. */
const instructions = (stage: string): string[] => stage.replace(/\\\n/g, "").split("\n").filter((l) => /^[A-Z]+ /.test(l));
const selection = instructions(build).find((l) => l.startsWith("RUN ") && l.includes("TARGETARCH"))?.slice(4) ?? "";

const contexts: string[] = [];
afterAll(() => {
  for (const dir of contexts) rmSync(dir, { recursive: true, force: true });
});

/** A folder laid out as the build stage's WORKDIR: what deps and build COPY, plus node_modules. */
function buildContext(): string {
  const dir = mkdtempSync(join(tmpdir(), "bitbroker-docker-build-"));
  contexts.push(dir);
  for (const line of [...instructions(stages.get("deps") ?? ""), ...instructions(build)]) {
    const m = /^COPY (?!--)(.+) (\S+)$/.exec(line);
    if (!m) continue;
    for (const src of m[1]!.split(" ")) {
      const dest = m[2]!.endsWith("/") && !src.endsWith("/") ? join(dir, m[2]!, src.split("/").at(-1)!) : join(dir, m[2]! === "./" ? src : m[2]!);
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(join(ROOT, src), dest, { recursive: true });
    }
  }
  // What `bun install --production` gives the deps stage: the lockfile's non-dev packages, as real
  // folders (a symlink would put its target's path into the embedded source map, and so the bytes).
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path.startsWith("node_modules/") && !entry.dev && existsSync(join(ROOT, path))) cpSync(join(ROOT, path), join(dir, path), { recursive: true, dereference: true });
  }
  mkdirSync(join(dir, ".bin"));
  symlinkSync(process.execPath, join(dir, ".bin/bun")); // the image's `bun`: this very Bun
  return dir;
}

/** Runs the selection as `RUN` does: /bin/sh -c, the build arguments in the environment, in WORKDIR. */
function runSelection(dir: string, targetArch: string) {
  const env = { PATH: `${join(dir, ".bin")}:/usr/bin:/bin`, TARGETARCH: targetArch, BUILDARCH: "amd64", BITBROKER_COMMIT: TEST_COMMIT };
  return run(["/bin/sh", "-c", selection], { cwd: dir, env, timeoutMs: BUILD_MS });
}

test("the build stage runs on the builder's platform and its executable is the only thing the runtime takes", () => {
  expect(stages.get("deps")).toMatch(/^FROM --platform=\$BUILDPLATFORM oven\/bun:\S+ AS deps$/m);
  expect(build).toMatch(/^FROM deps AS build$/m);
  expect(build).toMatch(/^ARG TARGETARCH$/m);
  expect(selection).toContain("bun scripts/build.ts --target");
  expect(stages.get("runtime")).toMatch(/^COPY --from=build \/src\/dist\/bitbroker \/bitbroker$/m);
  expect(stages.get("examples")).toMatch(/^FROM oven\/bun:\S+ AS examples$/m); // the image's own platform: it runs Bun
});

test.each([
  ["amd64", "linux-x64", "x86-64"],
  ["arm64", "linux-arm64", "aarch64"],
] as const)("TARGETARCH=%s builds the release's %s executable, byte for byte", async (arch, release, machine) => {
  const dir = buildContext();
  const r = await runSelection(dir, arch);
  expect(r.code).toBe(0);
  const binary = join(dir, "dist/bitbroker");
  expect(executableFormat(binary)).toMatchObject({ kind: "elf", machine });
  // The same name inside (bitbroker-linux-…), commit and flags as the release: the same bytes.
  expect(Buffer.compare(readFileSync(binary), readFileSync(await releaseFile(release)))).toBe(0);
  // Built on amd64, the amd64 image's executable is also started there, as a check.
  expect(r.stdout).toContain(arch === "amd64" ? `bitbroker ${pkg.version} (${TEST_COMMIT})` : "");
  expect(existsSync(join(dir, `dist/bitbroker-${release}`))).toBe(false);
}, BUILD_MS);

test("any other TARGETARCH stops the build with a message naming the platforms there are", async () => {
  const dir = buildContext();
  const r = await runSelection(dir, "386");
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("no executable for TARGETARCH=386; build for linux/amd64 or linux/arm64");
  expect(existsSync(join(dir, "dist"))).toBe(false);
});
