// A game in TypeScript, compiled by `npx tsc` into game.js: node game.js [port]
import { Action, BaseGame, isMatchAborted, runGame, type BotInfo } from "bitbroker";

class CountingGame extends BaseGame {
  bots: BotInfo[] = [];
  count = 0;
  initialise(bots: BotInfo[]): void {
    this.bots = bots;
  }
  nextAction(): Action {
    if (this.count === 10) return Action.endGame();
    const bot = this.bots[this.count % this.bots.length]!;
    return Action.playerAction(bot.index, new TextEncoder().encode(String(this.count)));
  }
  deliverResponse(response: Uint8Array): void {
    this.count = Number(new TextDecoder().decode(response));
  }
}

const game = new CountingGame();
try {
  await runGame(game, "127.0.0.1", Number(process.argv[2] ?? 7878));
  console.log(`match over: count ${game.count}, bots ${game.bots.map((b) => b.name).join(", ")}`);
} catch (e) {
  if (!isMatchAborted(e)) throw e;
  console.error(`match aborted: ${e.reason}`);
  process.exitCode = 1;
}
