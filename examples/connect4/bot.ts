// CLI: a Connect Four bot (random, or smart: win, else block, else random-ish) for one match.
// Exit 0 when the match ends normally, 1 otherwise.
import { runBot } from "../../src/sdk/index.ts";
import { Connect4Bot, type BotKind } from "./bots.ts";
import { parseCli } from "./cli.ts";
import { seededRng } from "./strategy.ts";

const USAGE =
  "usage: bun examples/connect4/bot.ts --kind random|smart [--name NAME] [--seed N] [--host 127.0.0.1] [--port 7878]";

if (import.meta.main) {
  const { host, port, extra } = parseCli(process.argv.slice(2), USAGE, ["kind", "name", "seed"]);
  const kind = extra.kind;
  if (kind !== "random" && kind !== "smart") {
    console.error(`--kind must be random or smart\n${USAGE}`);
    process.exit(2);
  }
  const seed = extra.seed === undefined ? undefined : Number(extra.seed);
  if (seed !== undefined && !Number.isInteger(seed)) {
    console.error(`--seed must be an integer\n${USAGE}`);
    process.exit(2);
  }
  const bot = new Connect4Bot(kind satisfies BotKind, extra.name, seed === undefined ? Math.random : seededRng(seed));
  try {
    await runBot(bot, host, port);
  } catch (e) {
    console.error(`connect4 bot ${JSON.stringify(bot.name)}: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
