// Headless Chromium for the browser suite: Debian's `chromium` (CHROMIUM overrides the path), driven
// by playwright-core, with a fresh profile and every outbound feature off (only loopback here).
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const ARTIFACTS = join(new URL("../..", import.meta.url).pathname, "test/artifacts");

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "bitbroker-chromium-"));
  const args = ["--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
  if (process.getuid?.() === 0) args.unshift("--no-sandbox"); // Chromium's sandbox refuses to run as root
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args, timeout: 60_000, viewport: { width: 1280, height: 900 } });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Every console error and uncaught exception of a page, except the 404s of routes that the records feature adds. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  const recordsRoute = /\/(leaderboard|matches\/[^/]+\/replay)(\?|$)/;
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // Until records are kept (GET /leaderboard, /matches/{id}/replay), those answer 404 and the browser logs it.
    if (/status of 404/.test(m.text()) && recordsRoute.test(m.location().url)) return;
    errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}
