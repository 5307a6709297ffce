// A bot in plain JavaScript, for Node.js 20+ or Bun: node bot.mjs [port]
import { BaseBot, runBot } from "bitbroker";

class CounterBot extends BaseBot {
  name = "CounterBot";
  decideMove(state) {
    // The state is the count so far, as text: answer with one more.
    return new TextEncoder().encode(String(Number(new TextDecoder().decode(state)) + 1));
  }
}

await runBot(new CounterBot(), "127.0.0.1", Number(process.argv[2] ?? 7878));
