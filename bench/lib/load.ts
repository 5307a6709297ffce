// Background load for bench/dashboard.ts, in its own process: `bun bench/lib/load.ts PORT MATCHES PACE_MS`
// plays MATCHES matches at once in room "load" (2 bots each), each game asking for one 64-byte
// turn every PACE_MS, for as long as it runs. Prints "ready" once every match has started.
import { Control, Opcode, askBot, isCode, reply } from "../../src/protocol/index.ts";
import type { RawClient } from "../../test/e2e/harness.ts";
import { joinBotIn, joinGameIn } from "../../test/e2e/players.ts";

const [port, matches, paceMs] = process.argv.slice(2).map(Number) as [number, number, number];
const STATE = new Uint8Array(64).fill(7);
let started = 0;

async function bot(c: RawClient): Promise<void> {
  for (;;) {
    const m = await c.next(600_000);
    if (isCode(m, Opcode.control, Control.end)) return;
    if (m.opcode === Opcode.move) await c.send(reply(m.body.subarray(0, 8)));
  }
}

async function game(c: RawClient): Promise<void> {
  await c.next(600_000); // Welcome
  await c.next(600_000); // batch
  if (++started === matches) console.log("ready");
  for (let t = 0; ; t++) {
    const m = await c.next(600_000);
    if (!isCode(m, Opcode.trigger, 0)) return;
    // Spread the matches over the pace, then one turn per pace each.
    await Bun.sleep(t === 0 ? Math.random() * paceMs : paceMs);
    await c.send(askBot(t % 2, STATE));
    await c.next(600_000); // the reply
  }
}

const all: Array<Promise<void>> = [];
for (let i = 0; i < matches; i++) {
  const g = await joinGameIn(port, "load", 2);
  const a = await joinBotIn(port, `L${i}a`, "load");
  const b = await joinBotIn(port, `L${i}b`, "load");
  all.push(game(g), a.next(600_000).then(() => bot(a)), b.next(600_000).then(() => bot(b)));
}
await Promise.all(all);
