// `bitbroker replay FILE [--serve-game | --serve-bot N]`: prints a recorded match as a timeline,
// or plays it back to a live game or bot (docs/REPLAY.md). Exit 0 as recorded, 1 a departure, a
// difference or a damaged file (said how), 2 a bad argument.
import { parseArgs } from "node:util";
import pkg from "../../package.json" with { type: "json" };
import { ReplayError } from "../replay/format.ts";
import { loadReplay, readReplay } from "../replay/read.ts";
import { serveBot } from "../replay/serve-bot.ts";
import { serveGame, type ServeOptions } from "../replay/serve-game.ts";
import { Timeline } from "../replay/timeline.ts";

const HELP = `usage: bitbroker replay FILE [--width N]
       bitbroker replay FILE --serve-game [--host H] [--port P] [--timeout-ms T] [--connect-timeout-ms T]
       bitbroker replay FILE --serve-bot N [--host H] [--port P] [--timeout-ms T] [--connect-timeout-ms T]

FILE is a replay (BROKER_RECORD=on writes one per match into BROKER_RECORD_DIR; docs/REPLAY.md).
  (alone)        print the match as a timeline: time, turn, who to whom, codes, size, think
                 time, and the body (text when it is UTF-8, else hex) cut to --width (default 100)
  --serve-game   act as the broker and the recorded bots for a live game that connects to
                 H:P: it gets the recorded replies while it acts as recorded, and is told
                 where it departs from the record (exit 1)
  --serve-bot N  act as the broker for a live bot: send it the states bot N was sent and
                 compare each reply with the recorded one (exit 1 if any differs)
  --host H       address to listen on (default 127.0.0.1)
  --port P       port to listen on (default 7878; 0 = any free port, printed)
  --timeout-ms T how long the live game or bot may take for each message (default 10000)
  --connect-timeout-ms T  how long to wait for it to connect (default 0: until interrupted)`;

function fail(message: string): number {
  console.error(`bitbroker replay: ${message}\n${HELP.split("\n")[0]}`);
  return 2;
}

export async function replayCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        "serve-game": { type: "boolean" },
        "serve-bot": { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        width: { type: "string" },
        "timeout-ms": { type: "string" },
        "connect-timeout-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) return fail(positionals.length === 0 ? "which replay file?" : `one file at a time; got ${positionals.join(" ")}`);
  const file = positionals[0]!;
  const int = (name: string, text: string | undefined, fallback: number, min: number, max: number): number | string => {
    if (text === undefined) return fallback;
    const n = Number(text);
    return /^\d+$/.test(text) && n >= min && n <= max ? n : `--${name} must be a whole number from ${min} to ${max}; got "${text}"`;
  };
  const width = int("width", values.width, 100, 10, 100_000);
  const port = int("port", values.port, 7878, 0, 65535);
  const timeoutMs = int("timeout-ms", values["timeout-ms"], 10_000, 1, 86_400_000);
  const connectTimeoutMs = int("connect-timeout-ms", values["connect-timeout-ms"], 0, 0, 86_400_000);
  const bot = int("serve-bot", values["serve-bot"], -1, 0, 254);
  for (const v of [width, port, timeoutMs, connectTimeoutMs, bot]) if (typeof v === "string") return fail(v);
  if (values["serve-game"] && values["serve-bot"] !== undefined) return fail("--serve-game or --serve-bot, not both");

  if (!values["serve-game"] && values["serve-bot"] === undefined) return await timeline(file, width as number);
  let replay;
  try {
    replay = await loadReplay(file);
  } catch (e) {
    return damaged(file, e);
  }
  const o: ServeOptions = {
    host: values.host ?? "127.0.0.1",
    port: port as number,
    timeoutMs: timeoutMs as number,
    connectTimeoutMs: connectTimeoutMs as number,
    version: pkg.version,
    print: (line) => console.log(line),
  };
  return values["serve-game"] ? await serveGame(replay.header, replay.records, o) : await serveBot(replay.header, replay.records, bot as number, o);
}

async function timeline(file: string, width: number): Promise<number> {
  let t: Timeline | null = null;
  try {
    for await (const r of readReplay(file)) {
      if ("header" in r) {
        t = new Timeline(r.header, width);
        console.log(t.intro().join("\n"));
      } else if (r.kind === "message") console.log(t!.line(r));
      else console.log(t!.end(r).join("\n"));
    }
    return 0;
  } catch (e) {
    return damaged(file, e);
  }
}

/** A file that cannot be read, or is not a whole replay: said plainly, exit 1. */
function damaged(file: string, e: unknown): number {
  if (e instanceof ReplayError) console.error(`bitbroker replay: ${file}: ${e.message} [${e.code}]`);
  else console.error(`bitbroker replay: ${file}: ${(e as Error).message}`);
  return 1;
}
