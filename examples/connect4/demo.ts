// `bun run demo`: starts the broker (free port, 127.0.0.1), the Connect Four game and two bots as
// child processes, shows the match, prints the result, and stops every process it started.
import type { Subprocess } from "bun";

const ROOT = new URL("../..", import.meta.url).pathname;
const BUN = process.execPath;
const DEMO_TIMEOUT_MS = 60_000;

export type Child = Subprocess<"ignore", "pipe" | "inherit", "inherit">;
const children: Child[] = [];

export function spawn(cmd: string[], stdout: "pipe" | "inherit", env: Record<string, string> = {}): Child {
  const child = Bun.spawn(cmd, { cwd: ROOT, env: { ...process.env, ...env }, stdin: "ignore", stdout, stderr: "inherit" });
  children.push(child);
  return child;
}

/** Every line a child writes to stdout, as it comes. */
export async function* lines(child: Child): AsyncGenerator<string> {
  if (!(child.stdout instanceof ReadableStream)) return;
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of child.stdout) {
    rest += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = rest.indexOf("\n")) !== -1) {
      yield rest.slice(0, nl);
      rest = rest.slice(nl + 1);
    }
  }
  if (rest) yield rest;
}

/** Starts the broker for one match and resolves with its TCP port, from its "listening" log line. */
async function startBroker(): Promise<{ broker: Child; port: number; logs: Promise<void> }> {
  const broker = spawn([BUN, "src/main.ts"], "pipe", {
    BROKER_HOST: "127.0.0.1",
    BROKER_PORT: "0",
    BROKER_HEALTH_PORT: "0",
    BROKER_NUM_PLAYERS: "2",
    BROKER_MATCHES: "1",
    // One match to watch: no records file left behind unless asked for.
    BROKER_DB: process.env.BROKER_DB ?? "off",
    LOG_FORMAT: "json",
  });
  // Read with next(), not for-await: leaving a for-await loop would cancel the broker's stdout.
  const logLines = lines(broker);
  for (let line = await logLines.next(); !line.done; line = await logLines.next()) {
    const log = parseJson(line.value);
    if (log?.event !== "listening") continue;
    // Keep reading its log so the pipe never fills; show warnings and errors.
    const logs = (async () => {
      for (let rest = await logLines.next(); !rest.done; rest = await logLines.next()) {
        const level = parseJson(rest.value)?.level;
        if (level === "warn" || level === "error") console.error(`broker: ${rest.value}`);
      }
    })();
    return { broker, port: Number(log.port), logs };
  }
  throw new Error(`the broker exited (status ${await broker.exited}) before listening`);
}

export function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function demo(): Promise<void> {
  const { broker, port, logs } = await startBroker();
  console.log(`broker listening on 127.0.0.1:${port}`);
  const bot = (kind: string): Child => spawn([BUN, "examples/connect4/bot.ts", "--port", String(port), "--kind", kind], "inherit");
  const bots = [bot("smart"), bot("random")];
  const game = spawn([BUN, "examples/connect4/game.ts", "--port", String(port)], "pipe");
  let last = "";
  for await (const line of lines(game)) {
    console.log(line);
    last = line;
  }
  const statuses = await Promise.all([game.exited, ...bots.map((b) => b.exited), broker.exited]);
  await logs;
  const result = parseJson(last);
  if (statuses.some((s) => s !== 0) || !result) throw new Error(`a process failed (game, bots, broker exited ${statuses.join(", ")})`);
  console.log(
    result.result === "draw"
      ? `Result: a draw after ${String(result.moves)} moves.`
      : `Result: ${String(result.name)} (bot ${String(result.winner)}) wins after ${String(result.moves)} moves${result.forfeit ? " by forfeit" : ""}.`,
  );
}

/** Kills every child still running (only the ones this demo started) and waits for them. */
export async function stopChildren(): Promise<void> {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  await Promise.all(children.map((c) => c.exited));
}

if (import.meta.main) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => void stopChildren().then(() => process.exit(130)));
  }
  const timeout = setTimeout(() => {
    console.error(`demo: no result within ${DEMO_TIMEOUT_MS} ms; stopping`);
    void stopChildren().then(() => process.exit(1));
  }, DEMO_TIMEOUT_MS);
  try {
    await demo();
  } catch (e) {
    console.error(`demo: ${(e as Error).message}`);
    process.exitCode = 1;
  } finally {
    clearTimeout(timeout);
    await stopChildren();
  }
}
