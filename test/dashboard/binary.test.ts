// The compiled executable (dist/bitbroker) serves the dashboard from the assets embedded in it:
// the page, its scripts and style, /metrics, and a viewer from BROKER_VIEWERS_DIR.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ensureBuilt } from "../../scripts/build.ts";
import { BrokerProcess } from "../e2e/harness.ts";

const VIEWERS = new URL("../../examples/connect4/viewer", import.meta.url).pathname;
let broker: BrokerProcess;
beforeAll(async () => {
  broker = await BrokerProcess.start({ BROKER_VIEWERS_DIR: VIEWERS }, [await ensureBuilt()]);
}, 180_000);
afterAll(async () => {
  await broker.stop();
});

test("dist/bitbroker serves the page and its assets, embedded at build time", async () => {
  const base = `http://127.0.0.1:${broker.healthPort}`;
  const page = await fetch(`${base}/ui`);
  expect(page.headers.get("content-type")).toStartWith("text/html");
  expect(await page.text()).toContain('<script type="module" src="/ui/app.js">');
  for (const [path, type, text] of [
    ["/ui/app.js", "text/javascript", "new EventSource"],
    ["/ui/match.js", "text/javascript", "export class MatchView"],
    ["/ui/replay.js", "text/javascript", "export async function fetchReplay"],
    ["/ui/style.css", "text/css", "#messages"],
    ["/ui/viewers/connect4.js", "text/javascript", "export function draw"],
    ["/metrics", "text/plain; version=0.0.4", "# TYPE bitbroker_turns_total counter"],
  ] as const) {
    const r = await fetch(base + path);
    expect([path, r.status]).toEqual([path, 200]);
    expect(r.headers.get("content-type")).toStartWith(type);
    expect(await r.text()).toContain(text);
  }
  const browser = await fetch(`${base}/`, { headers: { accept: "text/html" }, redirect: "manual" });
  expect([browser.status, browser.headers.get("location")]).toEqual([302, "/ui"]);
  expect(((await (await fetch(`${base}/`)).json()) as { status: string }).status).toBe("ok");
});
