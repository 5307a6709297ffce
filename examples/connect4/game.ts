// CLI: plays one Connect Four match as the game, printing the board as it goes; the last stdout
// line is the result as JSON. Exit 0 on a finished match, 1 if the match was aborted.
import { runGame } from "../../src/sdk/index.ts";
import { parseCli } from "./cli.ts";
import { Connect4Game } from "./referee.ts";

const USAGE = "usage: bun examples/connect4/game.ts [--host 127.0.0.1] [--port 7878]";

if (import.meta.main) {
  const { host, port } = parseCli(process.argv.slice(2), USAGE);
  const game = new Connect4Game((text) => console.log(text));
  try {
    await runGame(game, host, port);
    if (!game.result) throw new Error("the match ended before a result");
    // Other languages' tests read this line: {"result":"win",...} or {"result":"draw",...}.
    console.log(JSON.stringify(game.result));
  } catch (e) {
    console.error(`connect4 game: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
