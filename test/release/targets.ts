// The release's executables for the tests: each cross-built once per test run, as `bun run release`
// builds it (same target, file name and flags), into target/release-test/ (emptied at each run's first
// build); never into dist/, so a developer's build and SHA256SUMS stay as they are. And how to
// start the arm64 one here (qemu).
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../scripts/build.ts";
import { TARGETS, fileName, type ReleaseName } from "../../scripts/release.ts";

/** The commit the test builds carry: a release's --version, /health and image labels name it. */
export const TEST_COMMIT = "0123456789ab";

let dir = "";
const built = new Map<ReleaseName, Promise<string>>();

/** The path of the release file for `name`, compiled on first use (Bun fetches its runtime from npm once). */
export function releaseFile(name: ReleaseName): Promise<string> {
  let file = built.get(name);
  if (!file) {
    if (!dir) {
      // One folder in the checkout, not a temporary one: Bun's test runner fires no process "exit"
      // handler, so a temporary folder (~500 MB of executables) outlived every run.
      dir = join(import.meta.dir, "../../target/release-test");
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
    }
    const outfile = join(dir, fileName(name));
    file = compile({ target: TARGETS[name], outfile, bytecode: false }, TEST_COMMIT).then(() => outfile);
    built.set(name, file);
  }
  return file;
}

/** Debian's qemu-user-static and libc6-arm64-cross: .ci/run installs them where apt-get works. */
export const QEMU_AARCH64 = Bun.which("qemu-aarch64-static") ?? "/usr/bin/qemu-aarch64-static";
export const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";

/** Why the arm64 executable cannot be started here, or null when it can. */
export function arm64SkipReason(): string | null {
  if (process.platform !== "linux" || process.arch !== "x64") return `runs the arm64 build under qemu on x86-64 Linux only (this is ${process.platform}-${process.arch})`;
  if (!existsSync(QEMU_AARCH64)) return "needs qemu-aarch64-static (Debian: apt-get install qemu-user-static)";
  if (!existsSync(join(ARM64_SYSROOT, "lib/ld-linux-aarch64.so.1"))) return `needs the arm64 glibc in ${ARM64_SYSROOT} (Debian: apt-get install libc6-arm64-cross)`;
  return null;
}

/** The command that starts the arm64 executable here: user-mode qemu, the arm64 glibc as its root. */
export const underQemu = (binary: string, ...args: string[]): string[] => [QEMU_AARCH64, "-L", ARM64_SYSROOT, binary, ...args];
