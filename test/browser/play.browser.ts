// The /play page in a real headless Chromium against the real broker: a person's seat plays a whole
// Connect Four match against the random bot by clicking columns (drawn by the Connect Four viewer,
// the deadline counting down), a typed reply in a room without a viewer behind a token, and the
// README's browser snippet run as written. Every wait is on a DOM condition or a log line, bounded.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { runBot, runGame } from "../../src/sdk/index.ts";
import { Connect4Bot } from "../../examples/connect4/bots.ts";
import { Connect4Game } from "../../examples/connect4/referee.ts";
import { seededRng } from "../../examples/connect4/strategy.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { ScriptGame } from "../sdk/players.ts";
import { ARTIFACTS, consoleErrors, launch, type Browser } from "./chromium.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const WAIT = { timeout: 30_000 };
let browser: Browser;
let broker: BrokerProcess | undefined;
let page: Page | undefined;
let tmp: string | undefined;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launch();
}, 120_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await page?.close();
  page = undefined;
  await broker?.stop();
  broker = undefined;
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

const phase = (p: Page) => p.evaluate(`document.querySelector("#status").dataset.phase`) as Promise<string>;
const silent = { log: () => {} };

/** Clicks the middle of `column` of the Connect Four board as drawn (the viewer's geometry). */
async function clickColumn(p: Page, column: number): Promise<void> {
  const box = (await p.locator("#board").boundingBox())!;
  const [w, h] = (await p.evaluate(`[document.querySelector("#board").width, document.querySelector("#board").height]`)) as [number, number];
  const cell = Math.min(w / 7, (h - 28) / 6);
  await p.mouse.click(box.x + ((column + 0.5) * cell * box.width) / w, box.y + (cell * box.height) / h);
}

test("a person's seat plays a whole Connect Four match against the random bot by clicking columns; records mark it human", async () => {
  tmp = mkdtempSync(join(tmpdir(), "bitbroker-play-"));
  const db = join(tmp, "records.db");
  broker = await BrokerProcess.start({ BROKER_VIEWERS_DIR: "examples/connect4/viewer", BROKER_MOVE_TIMEOUT_MS: "120000", BROKER_HELLO_TIMEOUT_MS: "60000", BROKER_DB: db });
  page = await browser.context.newPage();
  const errors = consoleErrors(page);
  await page.goto(`http://127.0.0.1:${broker.healthPort}/play?room=connect4&name=Human`);
  await page.waitForSelector('#status[data-phase="waiting"]', WAIT);
  expect(await page.textContent("#welcome")).toContain("Room connect4: place 1 in the queue, 2 bots per match");
  const seated = await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Human");
  expect(seated).toMatchObject({ room: "connect4", client: "bitbroker-play", human: true });
  expect(broker.logs.some((l) => l.event === "connection opened" && l.transport === "ws")).toBe(true);

  // The person sat first, so plays red (X) and moves first; the random bot and the game join.
  const game = new Connect4Game();
  const played = Promise.all([
    runGame(game, "127.0.0.1", broker.port, { room: "connect4", ...silent }),
    runBot(new Connect4Bot("random", "Random", seededRng(11)), "127.0.0.1", broker.port, { room: "connect4", ...silent }),
  ]);
  await page.waitForSelector('#board[data-viewer="connect4"]', WAIT);
  let moves = 0;
  let clicks = 0;
  for (;;) {
    await page.waitForFunction(
      `(() => { const p = document.querySelector("#status").dataset.phase;
                return p === "ended" || (p === "your-move" && Number(document.querySelector("#board").dataset.moves) > ${moves}); })()`,
      null,
      WAIT,
    );
    if ((await phase(page)) === "ended") break;
    moves++;
    if (moves === 1) {
      // The broker's MoveTiming (the seat asked for "timing"): up to 120 s, counting down.
      const ms = Number(await page.evaluate(`document.querySelector("#countdown").dataset.ms`));
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(120_000);
      await page.screenshot({ path: join(ARTIFACTS, "play-connect4-first-move.png") });
      // The dashboard marks the person's seat in the running match.
      const ui = await browser.context.newPage();
      await ui.goto(`http://127.0.0.1:${broker.healthPort}/ui`);
      await ui.waitForFunction(`[...document.querySelectorAll("#running .bot")].some((b) => b.textContent.includes("Human") && b.querySelector(".human"))`, null, WAIT);
      expect(await ui.evaluate(`[...document.querySelectorAll("#running .bot")].filter((b) => b.querySelector(".human")).map((b) => b.textContent.trim())`)).toEqual(["Human (person)"]);
      await ui.close();
    }
    // Centre first; a full column is refused by the viewer (no reply sent), so try the next one.
    for (const column of [3, 2, 4, 1, 5, 0, 6]) {
      await clickColumn(page, column);
      clicks++;
      await page.waitForFunction(`document.querySelector("#board").dataset.clicks === "${clicks}"`, null, WAIT);
      if ((await page.evaluate(`document.querySelector("#board").dataset.lastClick`)) === "sent") break;
    }
  }
  await played;
  const result = game.result!;
  expect(result).toBeDefined();
  await page.waitForSelector('#result[data-end="normal"]', WAIT);
  const summary = result.result === "draw" ? `draw after ${result.moves} moves` : `${result.name} (bot ${result.winner}) wins`;
  expect(await page.textContent("#result")).toContain(summary);
  // Each of the person's moves is one state answered: red moves first, so ⌈moves/2⌉ of them.
  expect(moves).toBe(Math.ceil(result.moves / 2));
  await page.screenshot({ path: join(ARTIFACTS, "play-connect4.png"), fullPage: true });
  expect(errors).toEqual([]);
  // The records (committed before the match's 00 FF) and the leaderboard mark the person's seat.
  const http = `http://127.0.0.1:${broker.healthPort}`;
  const listed = (await (await fetch(`${http}/matches?room=connect4`)).json()) as { ended: Array<{ id: string }> };
  const record = (await (await fetch(`${http}/matches/${listed.ended[0]!.id}`)).json()) as { seats: Array<{ name: string; human: boolean; client: string }> };
  expect(record.seats.map((s) => [s.name, s.human, s.client])).toEqual([["Human", true, "bitbroker-play"], ["Random", false, "bitbroker-typescript"]]);
  const board = (await (await fetch(`${http}/leaderboard?room=connect4`)).json()) as { bots: Array<{ name: string; human: boolean }> };
  expect(board.bots.map((b) => [b.name, b.human]).sort()).toEqual([["Human", true], ["Random", false]]);
  // The dashboard's leaderboard offers the match's room and marks the person there too.
  await page.goto(`${http}/ui`);
  await page.waitForSelector('#board-room option[value="connect4"]', { ...WAIT, state: "attached" });
  await page.selectOption("#board-room", "connect4");
  await page.waitForSelector('#leaderboard[data-room="connect4"] tr[data-name="Human"]', WAIT);
  expect(await page.textContent('#leaderboard tr[data-name="Human"]')).toContain("Human (person)");
  expect(await page.textContent('#leaderboard tr[data-name="Random"]')).not.toContain("(person)");
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-leaderboard.png"), fullPage: true });
  expect(errors).toEqual([]);
}, 180_000);

test("without a viewer the state is text and the reply is typed; a token goes in the fragment", async () => {
  broker = await BrokerProcess.start({ BROKER_TOKEN: "play-token-1", BROKER_MOVE_TIMEOUT_MS: "0", BROKER_HELLO_TIMEOUT_MS: "60000" });
  page = await browser.context.newPage();
  const errors = consoleErrors(page);
  // Without the token: refused, and told why.
  await page.goto(`http://127.0.0.1:${broker.healthPort}/play?room=plain&name=NoToken`);
  await page.waitForSelector('#result[data-end="unauthorized"]', WAIT);
  await page.goto(`http://127.0.0.1:${broker.healthPort}/play?room=plain&name=Typist#token=play-token-1`);
  await page.waitForSelector('#status[data-phase="waiting"]', WAIT);
  const game = new ScriptGame(2);
  const played = runGame(game, "127.0.0.1", broker.port, { room: "plain", bots: 1, token: "play-token-1", ...silent });
  for (const [turn, reply, hex] of [[0, "my first move", false], [1, "6f 6b", true]] as const) {
    await page.waitForFunction(`document.querySelector("#board").dataset.moves === "${turn + 1}" && document.querySelector("#status").dataset.phase === "your-move"`, null, WAIT);
    expect(await page.textContent("#state-text")).toBe(`turn ${turn}`);
    expect(await page.textContent("#countdown")).toBe("no deadline");
    await page.fill('#reply input[name="reply"]', reply);
    await page.setChecked('#reply input[name="hex"]', hex);
    await page.click('#reply button[type="submit"]');
  }
  await played;
  expect(game.replies).toEqual(["my first move", "ok"]);
  await page.waitForSelector('#result[data-end="normal"]', WAIT);
  expect(broker.logs.some((l) => JSON.stringify(l).includes("play-token-1"))).toBe(false);
  // The refusal is logged by the broker; the browser's only errors would be the page's own.
  expect(errors).toEqual([]);
}, 120_000);

test("the README's browser snippet joins as a bot and answers every state, as written", async () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = /<!-- browser-bot begin[^\n]*-->\n```js\n([\s\S]*?)```\n<!-- browser-bot end -->/.exec(readme);
  expect(block).not.toBeNull();
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "1", BROKER_MOVE_TIMEOUT_MS: "0" });
  page = await browser.context.newPage();
  const errors = consoleErrors(page);
  const over = Promise.withResolvers<string>();
  page.on("console", (m) => {
    if (m.text().startsWith("match over")) over.resolve(m.text());
  });
  // Any page of the broker's HTTP port: location.host is the broker.
  await page.goto(`http://127.0.0.1:${broker.healthPort}/play`);
  await page.addScriptTag({ content: `const decide = (state) => new TextEncoder().encode("page:" + new TextDecoder().decode(state));\n${block![1]}` });
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "PageBot");
  const game = new ScriptGame(3);
  await runGame(game, "127.0.0.1", broker.port, silent);
  expect(game.replies).toEqual(["page:turn 0", "page:turn 1", "page:turn 2"]);
  // The normal end: 00 FF with an empty body.
  expect(await Promise.race([over.promise, Bun.sleep(30_000).then(() => "no 00 FF within 30 s")])).toBe("match over ");
  expect(errors).toEqual([]);
}, 60_000);
