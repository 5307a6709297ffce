// The README's download section as a new user meets it: its Linux commands run for real against a
// loopback server laid out like a release (fetch, check against SHA256SUMS, start); every platform
// has its check; the sizes it states are the files' own; the compose example checks its health.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { ROOT, ensureBuilt } from "../../scripts/build.ts";
import { TARGETS, fileName, sha256, type ReleaseName } from "../../scripts/release.ts";
import { TEST_COMMIT, releaseFile } from "./targets.ts";

const BUILD_MS = 180_000;
const readme = await Bun.file(join(ROOT, "README.md")).text();
const download = /^## Download a release\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
const blocks = (lang: string): string[] => [...download.matchAll(new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```", "gm"))].map((m) => m[1]!);
const mib = (path: string): number => statSync(path).size / 1024 / 1024;
const names = Object.keys(TARGETS) as ReleaseName[];

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test("the size the table gives for each release file is that file's, to 1 MiB", async () => {
  for (const name of names) {
    const row = download.split("\n").find((l) => l.includes(`| \`${fileName(name)}\` |`));
    const stated = Number(/\| ([\d.]+) MiB \|/.exec(row ?? "")?.[1]);
    expect([name, Math.abs(stated - mib(await releaseFile(name))) <= 1]).toEqual([name, true]);
  }
}, BUILD_MS);

test("every size the README gives for dist/bitbroker is the built file's, to 1 MiB", async () => {
  const size = mib(await ensureBuilt());
  const stated = [...readme.matchAll(/`dist\/bitbroker` ([\d.]+) MiB|\| size on disk \| ([\d.]+) MiB \|/g)].map((m) => Number(m[1] ?? m[2]));
  expect(stated.length).toBe(2);
  for (const s of stated) expect(Math.abs(s - size)).toBeLessThanOrEqual(1);
  expect(readme).not.toMatch(/dist\/bitbroker`? [\d.]+ MB/); // one unit for file sizes: MiB
}, BUILD_MS);

test("every platform's file is fetched with SHA256SUMS, checked against it, then started", () => {
  const sh = blocks("sh")[0] ?? "";
  const ps = blocks("powershell")[0] ?? "";
  for (const name of names.filter((n) => n !== "windows-x64" && n !== "linux-arm64")) {
    const file = fileName(name);
    expect(sh).toContain(`curl -fL -O "$BB/${file}" -O "$BB/SHA256SUMS"`);
    expect(sh).toMatch(new RegExp(`^grep ' ${file}\\$' SHA256SUMS \\| (sha256sum|shasum -a 256) -c && chmod \\+x ${file} && BROKER_NUM_PLAYERS=2 \\./${file}$`, "m"));
  }
  expect(sh).toContain("(for arm64: bitbroker-linux-arm64)");
  expect(ps).toContain('Invoke-WebRequest "$bb/bitbroker-windows-x64.exe" -OutFile bitbroker-windows-x64.exe');
  expect(ps).toContain("Get-FileHash bitbroker-windows-x64.exe -Algorithm SHA256");
  expect(ps).toContain(".\\bitbroker-windows-x64.exe");
});

test("the image's docker run line and compose example name the published image; compose checks health with the subcommand", () => {
  const image = `ghcr.io/OWNER/bitbroker:${pkg.version}`;
  expect(download).toContain(`docker run --rm -p 7878:7878 -p 8080:8080 -e BROKER_NUM_PLAYERS=2 ${image}`);
  const compose = Bun.YAML.parse(blocks("yaml")[0] ?? "") as { services: Record<string, { image: string; healthcheck: { test: string[] } }> };
  expect(compose.services.broker?.image).toBe(image);
  expect(compose.services.broker?.healthcheck.test).toEqual(["CMD", "/bitbroker", "healthcheck"]);
});

test("the Linux commands, run as written against a server laid out like a release, fetch, check and start the broker", async () => {
  const release = mkdtempSync(join(tmpdir(), "bitbroker-download-"));
  const home = mkdtempSync(join(tmpdir(), "bitbroker-user-"));
  dirs.push(release, home);
  const binary = await releaseFile("linux-x64");
  const sums = `${sha256(binary)}  ${fileName("linux-x64")}\n`;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/OWNER/bitbroker/releases/latest/download/SHA256SUMS") return new Response(sums);
      if (path === `/OWNER/bitbroker/releases/latest/download/${fileName("linux-x64")}`) return new Response(Bun.file(binary));
      return new Response("not found", { status: 404 });
    },
  });
  // The first paragraph of the block is Linux x86-64; only the host changes (no external hosts here).
  const script = (blocks("sh")[0] ?? "").split("\n\n")[0]!.replace("https://github.com/", `http://127.0.0.1:${server.port}/`);
  expect(script).toContain(`BB=http://127.0.0.1:${server.port}/OWNER/bitbroker/releases/latest/download`);
  // setsid: the broker (bash's last child) gets its own process group, which the test stops whole.
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", BROKER_HOST: "127.0.0.1", BROKER_PORT: "0", BROKER_HEALTH_PORT: "0", LOG_FORMAT: "json" };
  const proc = Bun.spawn(["setsid", "bash", "-c", script], { cwd: home, env, stdout: "pipe", stderr: "pipe" });
  try {
    const out = await readUntil(proc.stdout, (text) => text.includes('"event":"listening"'), 60_000);
    expect(out).toContain(`bitbroker-linux-x64: OK`);
    const listening = JSON.parse(out.split("\n").find((l) => l.includes('"event":"listening"'))!) as { healthPort: number };
    const health = (await (await fetch(`http://127.0.0.1:${listening.healthPort}/health`)).json()) as Record<string, unknown>;
    expect([health.version, health.commit, health.botsPerMatch]).toEqual([pkg.version, TEST_COMMIT, 2]);
  } finally {
    try {
      process.kill(-proc.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await proc.exited;
    server.stop(true);
  }
}, BUILD_MS);

/** Reads `stream` until `done(text so far)` or the bound; returns the text (stderr is left alone). */
async function readUntil(stream: ReadableStream<Uint8Array>, done: (text: string) => boolean, timeoutMs: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (!done(text)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out; output so far:\n${text}`);
    const chunk = await Promise.race([reader.read(), Bun.sleep(left).then(() => null)]);
    if (chunk === null) continue;
    if (chunk.done) throw new Error(`the commands ended first; output:\n${text}`);
    text += decoder.decode(chunk.value, { stream: true });
  }
  reader.releaseLock();
  return text;
}
