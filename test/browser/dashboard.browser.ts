// The dashboard in a real headless Chromium against the real broker: it loads without console
// errors, shows a running match and its turns live, follows one match to its end and draws it
// through the Connect Four viewer, says "no records" for replays and the leaderboard while the
// broker keeps none, and asks for the admin token when one is set. Every wait is on a DOM
// condition with a bound. Screenshots go to test/artifacts/ (git-ignored).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { BrokerProcess, pollUntil } from "../e2e/harness.ts";
import { ARTIFACTS, consoleErrors, launch, type Browser } from "./chromium.ts";
import { SteppedConnect4 } from "./connect4.ts";

const WAIT = { timeout: 30_000 };
let broker: BrokerProcess;
let browser: Browser;
let tag = 0;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [broker, browser] = await Promise.all([
    BrokerProcess.start({ BROKER_VIEWERS_DIR: "examples/connect4/viewer", BROKER_MOVE_TIMEOUT_MS: "0", BROKER_HELLO_TIMEOUT_MS: "60000" }),
    launch(),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await broker?.stop();
});

/** A Connect Four match of its own for each test (bots named Red<n> and Yellow<n>), so tests run in any order. */
async function newMatch(): Promise<{ c4: SteppedConnect4; id: string; red: string; yellow: string }> {
  const n = ++tag;
  const [red, yellow] = [`Red${n}`, `Yellow${n}`] as const;
  const seated = async (name: string) => void (await broker.waitForLog((l) => l.event === "seat taken" && l.name === name));
  const c4 = await SteppedConnect4.start(broker.port, "connect4", [red, yellow], seated);
  const running = await pollUntil(() => broker.matches(), (m) => m.running.some((r) => (r.bots as string[])[0] === red));
  return { c4, id: String(running.running.find((r) => (r.bots as string[])[0] === red)!.id), red, yellow };
}

/** A new page whose console errors are collected. */
async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  return { page, errors: consoleErrors(page) };
}

const row = (id: string) => `#running tbody tr[data-id="${id}"]`;

test("the page loads with no console errors and shows a running match with its bots", async () => {
  const { id, red, yellow } = await newMatch();
  const { page, errors } = await newPage();
  await page.goto(`http://127.0.0.1:${broker.healthPort}/ui`);
  await page.waitForSelector(row(id), WAIT);
  expect(await page.textContent(row(id))).toContain(red);
  expect(await page.textContent(row(id))).toContain(yellow);
  await page.waitForSelector('#rooms tbody tr[data-room="connect4"]', WAIT);
  await page.waitForFunction(`document.querySelector("#leaderboard")?.textContent?.includes("no records")`, null, WAIT);
  expect(errors).toEqual([]);
  await page.close();
});

test("a running match's turn count and think-time sparklines update live as turns are played", async () => {
  const { c4, id } = await newMatch();
  const { page, errors } = await newPage();
  await page.goto(`http://127.0.0.1:${broker.healthPort}/ui`);
  await page.waitForFunction(`document.querySelector('${row(id)} td.turns')?.textContent === "0"`, null, WAIT);
  await c4.turn(0);
  await c4.turn(1);
  await page.waitForFunction(`document.querySelector('${row(id)} td.turns')?.textContent === "2"`, null, WAIT);
  // The think-time sparkline has a point per move of each bot.
  await page.waitForFunction(`document.querySelectorAll('${row(id)} svg.spark polyline').length === 2`, null, WAIT);
  expect(errors).toEqual([]);
  await page.close();
});

test("following a match shows every message live, draws the board through the Connect Four viewer, and goes on to its end", async () => {
  const { c4, id, red } = await newMatch();
  const { page, errors } = await newPage();
  await page.goto(`http://127.0.0.1:${broker.healthPort}/ui#match=${id}`);
  await page.waitForSelector('#match-state[data-state="live"]', WAIT);
  await page.waitForSelector('#board[data-viewer="connect4"]', WAIT);
  await c4.turn(0);
  // The state (drawn once from the game's 01 00, once from the broker's 02 05), then the reply played onto it.
  await page.waitForFunction(`Number(document.querySelector("#board")?.dataset.drawn) >= 3`, null, WAIT);
  await page.waitForFunction(`[...document.querySelectorAll("#messages td.body")].some((td) => td.textContent === "column 0")`, null, WAIT);
  const rows = (await page.evaluate(`[...document.querySelectorAll("#messages tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent))`)) as string[][];
  expect(rows.some((r) => r[1] === "broker → bot 0" && r[2] === red && r[3] === "02 05")).toBe(true);
  expect(rows.some((r) => r[1] === "bot 0 → broker" && r[3] === "02 00")).toBe(true);
  // The bottom-left cell holds Red's first disc: the canvas shows red there.
  const [r, g] = (await page.evaluate(`(() => {
    const canvas = document.querySelector("#board");
    const cell = Math.min(canvas.width / 7, (canvas.height - 28) / 6);
    return [...canvas.getContext("2d").getImageData(Math.round(cell / 2), Math.round(5.5 * cell), 1, 1).data];
  })()`)) as number[];
  expect(r).toBeGreaterThan(200);
  expect(g).toBeLessThan(100);
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-match.png"), fullPage: true });

  for (const column of [1, 0, 1, 0, 1, 0]) await c4.turn(column); // Red: four in column 0
  expect(c4.match.result).toMatchObject({ result: "win", name: red });
  await c4.end({ seats: [{ index: 0, score: 1, rank: 1 }, { index: 1, score: 0, rank: 2 }], summary: "Red wins" });
  await page.waitForSelector('#match-state[data-state="ended"]', WAIT);
  expect(await page.textContent("#match-state")).toContain("ended normally after 7 turns · Red wins");
  const ended = `#ended tbody tr[data-id="${id}"]`;
  await page.waitForSelector(ended, WAIT);
  expect(await page.textContent(`${ended} td.cause`)).toBe("normal");
  expect(await page.textContent(`${ended} td.result`)).toContain("Red wins");
  await page.waitForFunction(`!document.querySelector('${row(id)}')`, null, WAIT);
  await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

test("a replay says there are no records while the broker keeps none", async () => {
  const { page, errors } = await newPage();
  await page.goto(`http://127.0.0.1:${broker.healthPort}/ui#replay=01000000-0000-7000-8000-000000000000`);
  await page.waitForSelector('#match-state[data-state="no-records"]', WAIT);
  expect(errors).toEqual([]);
  await page.close();
});

test("a recorded match opens from its replay: every message, the board drawn by the viewer, how it ended", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "bitbroker-dash-replay-"));
  const recorded = await BrokerProcess.start({
    BROKER_VIEWERS_DIR: "examples/connect4/viewer",
    BROKER_MOVE_TIMEOUT_MS: "0",
    BROKER_DB: join(tmp, "records.db"),
    BROKER_RECORD: "on",
    BROKER_RECORD_DIR: join(tmp, "replays"),
  });
  const { page, errors } = await newPage();
  try {
    const seated = async (name: string) => void (await recorded.waitForLog((l) => l.event === "seat taken" && l.name === name));
    const c4 = await SteppedConnect4.start(recorded.port, "connect4", ["Red", "Yellow"], seated);
    for (const column of [0, 1, 0, 1, 0, 1, 0]) await c4.turn(column); // Red: four in column 0
    await c4.end({ seats: [{ index: 0, score: 1, rank: 1 }, { index: 1, score: 0, rank: 2 }], summary: "Red wins" });
    const http = `http://127.0.0.1:${recorded.healthPort}`;
    // The match's record is committed once it has ended; its replay file is whole then.
    const listed = await pollUntil(async () => (await (await fetch(`${http}/matches?room=connect4`)).json()) as { ended: Array<{ id: string }> }, (l) => l.ended.length === 1);
    const id = listed.ended[0]!.id;
    await page.goto(`${http}/ui#replay=${id}`);
    await page.waitForSelector('#match-state[data-state="replay"]', WAIT);
    // 7 turns: each state in from the game and out to a bot, each reply in and out (28), and more.
    const state = await page.textContent("#match-state");
    expect(state).toContain("ended normally after 7 turns · Red wins");
    const shown = Number(/replay: (\d+) messages/.exec(state!)![1]);
    expect(await page.locator("#messages tbody tr").count()).toBe(shown);
    expect(shown).toBeGreaterThanOrEqual(28);
    expect(await page.textContent("#match-title")).toContain("Red vs Yellow");
    await page.waitForSelector('#board[data-viewer="connect4"]', WAIT);
    await page.waitForFunction(`Number(document.querySelector("#board")?.dataset.drawn) > 0`, null, WAIT);
    const rows = (await page.evaluate(`[...document.querySelectorAll("#messages tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent))`)) as string[][];
    expect(rows.filter((r) => r[1] === "bot 0 → broker" && r[3] === "02 00").length).toBe(4);
    expect(rows.filter((r) => r[1] === "bot 1 → broker" && r[3] === "02 00").length).toBe(3);
    // The file itself, and a clear error for a format the route does not know.
    const file = new Uint8Array(await (await fetch(`${http}/matches/${id}/replay`)).arrayBuffer());
    expect(new TextDecoder().decode(file.subarray(0, 8))).toBe("BBREPLAY");
    const wrong = await fetch(`${http}/matches/${id}/replay?format=xml`);
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toContain("format must be bbr (the file) or json");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-replay.png"), fullPage: true });
    expect(errors).toEqual([]);
  } finally {
    await page.close();
    await recorded.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("with BROKER_ADMIN_TOKEN, the page asks for the token, then shows the dashboard", async () => {
  const locked = await BrokerProcess.start({ BROKER_ADMIN_TOKEN: "browser-t0ken" });
  const p = await browser.context.newPage();
  try {
    await p.goto(`http://127.0.0.1:${locked.healthPort}/ui`);
    await p.waitForSelector('form[action="/ui/login"] input[name="token"]', WAIT);
    await p.fill('input[name="token"]', "wrong");
    await p.click('button[type="submit"]');
    await p.waitForSelector(".problem", WAIT);
    await p.fill('input[name="token"]', "browser-t0ken");
    await p.click('button[type="submit"]');
    await p.waitForFunction(`document.querySelector("#status")?.textContent?.includes("connections")`, null, WAIT);
    expect(p.url()).toEndWith("/ui");
  } finally {
    await p.close();
    await locked.stop();
  }
});
