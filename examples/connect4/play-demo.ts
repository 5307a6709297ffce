// `bun run play:demo`: play Connect Four against a bot in your browser. Starts the broker (free
// ports, loopback, the Connect Four viewer, 5 minutes a move), the game and the bot in room
// connect4 as child processes, prints the /play link where you take the other seat, shows the
// board as the match goes, prints the result, and stops every process it started.
import { parseArgs } from "node:util";
import { lines, parseJson, spawn, stopChildren, type Child } from "./demo.ts";

const BUN = process.execPath;
const ROOM = "connect4";
const USAGE = "usage: bun run play:demo [-- --name You] [--kind smart|random]";

interface Broker {
  readonly port: number;
  readonly healthPort: number;
  /** Resolves with the first later log line that matches. */
  readonly next: (match: (log: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>;
}

/** Starts the broker for one match; resolves once it listens, and keeps reading its log. */
async function startBroker(): Promise<Broker> {
  const broker = spawn([BUN, "src/main.ts"], "pipe", {
    BROKER_HOST: "127.0.0.1",
    BROKER_PORT: "0",
    BROKER_HEALTH_PORT: "0",
    BROKER_NUM_PLAYERS: "2",
    BROKER_MATCHES: "1",
    // One match to watch: no records file left behind unless asked for.
    BROKER_DB: process.env.BROKER_DB ?? "off",
    // A person thinks: 5 minutes a move (the bot answers at once anyway).
    BROKER_MOVE_TIMEOUT_MS: "300000",
    BROKER_VIEWERS_DIR: "examples/connect4/viewer",
    LOG_FORMAT: "json",
  });
  const logLines = lines(broker);
  const waiting: Array<{ match: (log: Record<string, unknown>) => boolean; resolve: (log: Record<string, unknown>) => void }> = [];
  for (let line = await logLines.next(); !line.done; line = await logLines.next()) {
    const log = parseJson(line.value);
    if (log?.event !== "listening") continue;
    // Read on (so the pipe never fills): warnings and errors shown, waiters told.
    void (async () => {
      for (let rest = await logLines.next(); !rest.done; rest = await logLines.next()) {
        const l = parseJson(rest.value);
        if (!l) continue;
        if (l.level === "warn" || l.level === "error") console.error(`broker: ${rest.value}`);
        for (const w of waiting.filter((w) => w.match(l))) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(l);
        }
      }
    })();
    const next = (match: (log: Record<string, unknown>) => boolean) => new Promise<Record<string, unknown>>((resolve) => waiting.push({ match, resolve }));
    return { port: Number(log.port), healthPort: Number(log.healthPort), next };
  }
  throw new Error(`the broker exited (status ${await broker.exited}) before listening`);
}

async function playDemo(name: string, kind: "smart" | "random"): Promise<void> {
  const broker = await startBroker();
  console.log(`broker: games and bots on 127.0.0.1:${broker.port}, HTTP on 127.0.0.1:${broker.healthPort}`);
  const env = { BITBROKER_ROOM: ROOM };
  const botName = kind === "smart" ? "SmartBot" : "RandomBot";
  const seated = broker.next((l) => l.event === "seat taken" && l.name === botName);
  const bot: Child = spawn([BUN, "examples/connect4/bot.ts", "--port", String(broker.port), "--kind", kind], "inherit", env);
  await seated;
  const game: Child = spawn([BUN, "examples/connect4/game.ts", "--port", String(broker.port)], "pipe", env);
  const link = `http://127.0.0.1:${broker.healthPort}/play?room=${ROOM}&name=${encodeURIComponent(name)}`;
  console.log(`${botName} is waiting in room ${ROOM} and moves first (red). Take the other seat:\n\n    ${link}\n`);
  void broker.next((l) => l.event === "seat taken" && l.human === true).then((l) => console.log(`${String(l.name)} took the seat: the match starts`));
  let last = "";
  for await (const line of lines(game)) {
    console.log(line);
    last = line;
  }
  const statuses = await Promise.all([game.exited, bot.exited]);
  const result = parseJson(last);
  if (statuses.some((s) => s !== 0) || !result) throw new Error(`the match did not end normally (game, bot exited ${statuses.join(", ")})`);
  console.log(
    result.result === "draw"
      ? `Result: a draw after ${String(result.moves)} moves.`
      : `Result: ${String(result.name)} (bot ${String(result.winner)}) wins after ${String(result.moves)} moves${result.forfeit ? " by forfeit" : ""}.`,
  );
}

function options(): { name: string; kind: "smart" | "random" } {
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { name: { type: "string" }, kind: { type: "string" }, help: { type: "boolean" } }, strict: true });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const kind = values.kind ?? "smart";
    if (kind !== "smart" && kind !== "random") throw new Error(`--kind must be smart or random, not ${kind}`);
    const name = values.name ?? "You";
    if (name.length === 0 || name.length > 64) throw new Error("--name must be 1-64 characters");
    return { name, kind };
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

if (import.meta.main) {
  const { name, kind } = options();
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stopping = true;
      void stopChildren().then(() => process.exit(130));
    });
  }
  try {
    await playDemo(name, kind);
  } catch (e) {
    if (!stopping) console.error(`play:demo: ${(e as Error).message}`);
    process.exitCode = 1;
  } finally {
    await stopChildren();
  }
}
