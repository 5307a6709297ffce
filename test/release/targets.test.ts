// Every release target, built as `bun run release` builds it: the Linux glibc ones started and
// played through (linux-x64 natively, linux-arm64 under qemu-user), the others read from their
// headers (format, CPU, interpreter, libraries, and the macOS signature's page hashes).
import { afterEach, describe, expect, test } from "bun:test";
import { closeSync, copyFileSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { BrokerProcess } from "../e2e/harness.ts";
import { expectExactMatch } from "./exact-match.ts";
import { executableFormat } from "./format.ts";
import { run } from "../image/run.ts";
import { TEST_COMMIT, arm64SkipReason, releaseFile, underQemu } from "./targets.ts";

const BUILD_MS = 180_000; // the first build of a target fetches its Bun runtime (~40 MB) from npm
const QEMU_MS = 600_000; // an emulated broker, 53 turns and 3 MiB each way, on a busy 2-core machine
const versionLine = `bitbroker ${pkg.version} (${TEST_COMMIT})\n`;

let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

/**
 * Bounds for an emulated start, generous for a loaded 2-core machine: under qemu with two busy
 * loops beside it the arm64 broker took ~10 s to listen (0.8 s idle); only a hang reaches them.
 */
const LISTEN_MS = 120_000;
const HEALTHCHECK_TRIES = 10;

/** Runs `healthcheck` until it exits 0 (it gives the broker 2 s, as a container runtime retries it). */
async function healthyWithin(healthcheck: string[], healthPort: number): Promise<{ code: number; stdout: string }> {
  let r = { code: -1, stdout: "" };
  for (let i = 0; i < HEALTHCHECK_TRIES && r.code !== 0; i++) {
    r = await run(healthcheck, { env: { BROKER_HEALTH_PORT: String(healthPort) }, timeoutMs: 60_000 });
  }
  return r;
}

/** Starts `cmd` as the broker, checks /health and the start-up log against --version, plays the match. */
async function serveExactMatch(cmd: string[], healthcheck: string[]): Promise<void> {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2" }, cmd, LISTEN_MS);
  const health = await broker.health();
  expect([health.status, health.body.version, health.body.commit]).toEqual([200, pkg.version, TEST_COMMIT]);
  const starting = await broker.waitForLog((l) => l.event === "starting");
  expect([starting.version, starting.commit]).toEqual([pkg.version, TEST_COMMIT]);
  const up = await healthyWithin(healthcheck, broker.healthPort);
  expect([up.code, up.stdout]).toEqual([0, expect.stringMatching(/^healthy: \{"status":"ok"/)]);

  await expectExactMatch(broker);
  expect((await broker.health()).body.matchesPlayed).toBe(1);
  expect(await broker.stop()).toBe(0);

  const down = await run(healthcheck, { env: { BROKER_HEALTH_PORT: String(broker.healthPort) }, timeoutMs: 60_000 });
  expect([down.code, down.stdout]).toEqual([1, expect.stringMatching(/^unhealthy: /)]);
}

describe("linux-x64, started here", () => {
  test("is an x86-64 ELF for glibc's loader, needing glibc alone", async () => {
    const f = executableFormat(await releaseFile("linux-x64"));
    expect(f).toMatchObject({ kind: "elf", machine: "x86-64", interpreter: "/lib64/ld-linux-x86-64.so.2" });
    if (f.kind === "elf") expect(f.needed.every((lib) => /^(libc|libm|libdl|libpthread|ld-linux-x86-64)\.so\.\d$/.test(lib))).toBe(true);
  }, BUILD_MS);

  test("--version, /health, the start-up log and healthcheck name the same version and commit; a long match relays exactly", async () => {
    const binary = await releaseFile("linux-x64");
    expect(await run([binary, "--version"])).toEqual({ code: 0, stdout: versionLine, stderr: "" });
    await serveExactMatch([binary], [binary, "healthcheck"]);
  }, BUILD_MS + QEMU_MS);
});

const arm64Skip = arm64SkipReason();
if (arm64Skip) console.warn(`SKIPPED starting linux-arm64 under qemu: ${arm64Skip}`);

describe("linux-arm64", () => {
  test("is an aarch64 ELF for glibc's loader, needing glibc alone", async () => {
    const f = executableFormat(await releaseFile("linux-arm64"));
    expect(f).toMatchObject({ kind: "elf", machine: "aarch64", interpreter: "/lib/ld-linux-aarch64.so.1" });
    if (f.kind === "elf") expect(f.needed.every((lib) => /^(libc|libm|libdl|libpthread|ld-linux-aarch64)\.so\.\d$/.test(lib))).toBe(true);
  }, BUILD_MS);

  test.skipIf(arm64Skip !== null)("under qemu: --version, /health and healthcheck agree; a long match relays exactly", async () => {
    const binary = await releaseFile("linux-arm64");
    expect(await run(underQemu(binary, "--version"), { timeoutMs: 60_000 })).toEqual({ code: 0, stdout: versionLine, stderr: "" });
    await serveExactMatch(underQemu(binary), underQemu(binary, "healthcheck"));
  }, BUILD_MS + QEMU_MS);
});

describe("linux-x64-musl, darwin-arm64 and windows-x64: read, not started", () => {
  test("linux-x64-musl is an x86-64 ELF for musl's loader that needs musl and libstdc++ only", async () => {
    expect(executableFormat(await releaseFile("linux-x64-musl"))).toEqual({
      kind: "elf",
      machine: "x86-64",
      interpreter: "/lib/ld-musl-x86_64.so.1",
      needed: ["libstdc++.so.6", "libc.musl-x86_64.so.1"],
    });
  }, BUILD_MS);

  test("darwin-arm64 is an arm64 Mach-O executable whose ad hoc signature hashes every page right", async () => {
    const f = executableFormat(await releaseFile("darwin-arm64"));
    expect(f).toMatchObject({ kind: "mach-o", cpu: "arm64", executable: true });
    expect(f.kind === "mach-o" && f.signature).toMatchObject({ adhoc: true, hash: "sha256", coversAllCode: true, badPages: 0 });
    expect(f.kind === "mach-o" && f.signature && f.signature.pages).toBeGreaterThan(1000);
  }, BUILD_MS);

  test("the signature check itself sees one changed byte", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bitbroker-signature-"));
    try {
      const copy = join(dir, "bitbroker-darwin-arm64");
      copyFileSync(await releaseFile("darwin-arm64"), copy);
      const at = 5 * 16384 + 123; // inside the code, past the headers
      const byte = new Uint8Array(1);
      const fd = openSync(copy, "r+");
      readSync(fd, byte, 0, 1, at);
      writeSync(fd, new Uint8Array([byte[0]! ^ 0xff]), 0, 1, at);
      closeSync(fd);
      const f = executableFormat(copy);
      expect(f.kind === "mach-o" && f.signature?.badPages).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, BUILD_MS);

  test("windows-x64 is a PE32+ x86-64 console program", async () => {
    expect(executableFormat(await releaseFile("windows-x64"))).toEqual({ kind: "pe", machine: "x86-64", pe32Plus: true, subsystem: "console" });
  }, BUILD_MS);
});
