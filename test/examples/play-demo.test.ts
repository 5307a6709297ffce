// `bun run play:demo` as a person would run it: it prints the /play link, and whoever takes that
// seat over /ws (here an SDK bot standing in for the person; the page itself is tested in
// test/browser/play.browser.ts) plays the match against the smart bot to its printed result.
import { expect, test } from "bun:test";
import { runBot } from "../../src/sdk/index.ts";
import { Connect4Bot } from "../../examples/connect4/bots.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

test("bun run play:demo prints the /play link; the seat behind it plays the smart bot to a result", async () => {
  // No records: the test leaves no database in the repository (test/run-all.sh says so too).
  const env = { ...process.env, BROKER_DB: "off" };
  const demo = Bun.spawn([process.execPath, "run", "play:demo", "--", "--name", "Tester"], { cwd: ROOT, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  try {
    await playAgainst(demo);
  } finally {
    // It waits for its person as long as it takes: stop it (and so its children) if the test failed.
    if (demo.exitCode === null) demo.kill("SIGTERM");
    await demo.exited;
  }
}, 60_000);

async function playAgainst(demo: Bun.Subprocess<"ignore", "pipe", "pipe">): Promise<void> {
  const stderr = new Response(demo.stderr).text();
  const reader = demo.stdout.getReader();
  const decoder = new TextDecoder();
  let out = "";
  let link: URL | null = null;
  while (link === null) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`play:demo ended before printing its link:\n${out}\n${await stderr}`);
    out += decoder.decode(value, { stream: true });
    const found = /(http:\/\/127\.0\.0\.1:\d+\/play\?\S+)/.exec(out);
    if (found) link = new URL(found[1]!);
  }
  expect(link.searchParams.get("room")).toBe("connect4");
  expect(link.searchParams.get("name")).toBe("Tester");
  // The page is served there, and takes the seat over /ws as a bot.
  expect((await fetch(link)).status).toBe(200);
  const url = `ws://${link.host}/ws`;
  await runBot(new Connect4Bot("random", link.searchParams.get("name")!), undefined, undefined, { url, room: link.searchParams.get("room")!, log: () => {} });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out += decoder.decode(value, { stream: true });
  }
  expect(await demo.exited).toBe(0);
  expect(out).toContain("SmartBot is waiting in room connect4");
  expect(out.trimEnd().split("\n").at(-1)).toMatch(/^Result: (.+ \(bot [01]\) wins after \d+ moves|a draw after 42 moves)/);
}
