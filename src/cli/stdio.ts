// `bitbroker stdio -- CMD ...`: makes a bot of any program that reads one state per line on its
// stdin and writes one reply per line on its stdout (CodinGame style), so a bot needs no SDK. It
// joins like any bot (BITBROKER_* or flags); the program's stderr goes to the log, prefixed with
// the bot's name. Exit 0 when the match ends normally, 1 otherwise, 2 for a bad argument.
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { BaseBot, runBot } from "../sdk/index.ts";
import { ENCODINGS, EncodingError, replyOf, stateLine, type Encoding } from "./stdio-encoding.ts";

export const STDIO_HELP = `usage: bitbroker stdio [options] -- PROGRAM [ARG ...]

Plays one match as a bot whose moves come from PROGRAM: each state is written to its stdin as
one line, and each line it writes to stdout is the reply (to the oldest state not yet answered).
Its stderr goes to this command's stderr, each line prefixed with "[NAME] ".

  --host H            the broker (default $BITBROKER_HOST, else 127.0.0.1)
  --port P            (default $BITBROKER_PORT, else 7878)
  --room R            (default $BITBROKER_ROOM, else the default room)
  --seat N            seat ticket (default $BITBROKER_SEAT, else seated by arrival)
  --name NAME         the bot's name (default $BITBROKER_NAME, else PROGRAM's file name)
  --encoding E        how states and replies become lines:
                        text    UTF-8 text as it is; a state with a newline is refused
                        base64  standard base64: any bytes (default)
                        json    one JSON string; a newline becomes \\n; the reply is a JSON
                                string, or any JSON value whose text is the reply
  --exit-grace-ms N   after the match, how long PROGRAM has to exit once its stdin is closed
                      (default 2000; then it is killed)`;

class Program {
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private exitedWith: string | null = null;
  readonly exited: Promise<void>;

  constructor(
    private readonly proc: Bun.Subprocess<"pipe", "pipe", "pipe">,
    name: string,
  ) {
    void this.read(proc.stdout, (line) => this.push(line));
    void this.read(proc.stderr, (line) => console.error(`[${name}] ${line}`));
    this.exited = proc.exited.then((code) => {
      this.exitedWith = proc.signalCode ? `was killed by ${proc.signalCode}` : `exited with status ${code}`;
      this.waiting?.(null);
    });
  }

  get gone(): string | null {
    return this.exitedWith;
  }

  private push(line: string): void {
    const w = this.waiting;
    if (w) {
      this.waiting = null;
      w(line);
    } else this.lines.push(line);
  }

  /** Writes the state's line and waits for the reply line; null if the program exits first. */
  async ask(line: string): Promise<string | null> {
    if (this.exitedWith) return null;
    this.proc.stdin.write(line + "\n");
    await this.proc.stdin.flush();
    const queued = this.lines.shift();
    if (queued !== undefined) return queued;
    if (this.exitedWith) return null;
    return await new Promise((resolve) => (this.waiting = resolve));
  }

  async close(graceMs: number): Promise<void> {
    try {
      await this.proc.stdin.end();
    } catch {
      // Already gone.
    }
    await Promise.race([this.exited, Bun.sleep(graceMs)]);
    if (this.exitedWith === null) this.proc.kill("SIGKILL");
    await this.exited;
  }

  private async read(stream: ReadableStream<Uint8Array>, sink: (line: string) => void): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf("\n")) !== -1) {
        sink(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
      }
    }
    if (rest !== "") sink(rest);
  }
}

class StdioBot extends BaseBot {
  constructor(
    readonly name: string,
    private readonly program: Program,
    private readonly encoding: Encoding,
  ) {
    super();
  }

  async decideMove(state: Uint8Array): Promise<Uint8Array> {
    const line = await this.program.ask(stateLine(state, this.encoding));
    if (line === null) throw new EncodingError(`the program ${this.program.gone} before answering`);
    return replyOf(line, this.encoding);
  }
}

export async function stdioCommand(argv: string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const cut = argv.indexOf("--");
  const own = cut < 0 ? argv : argv.slice(0, cut);
  const command = cut < 0 ? [] : argv.slice(cut + 1);
  let values;
  try {
    values = parseArgs({
      args: own,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        room: { type: "string" },
        seat: { type: "string" },
        name: { type: "string" },
        encoding: { type: "string" },
        "exit-grace-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    return usage([(e as Error).message]);
  }
  if (values.help) {
    console.log(STDIO_HELP);
    return 0;
  }
  const errors: string[] = [];
  if (command.length === 0) errors.push("which program? give it after --: bitbroker stdio [options] -- PROGRAM [ARG ...]");
  const encoding = (values.encoding ?? "base64") as Encoding;
  if (!ENCODINGS.includes(encoding)) errors.push(`--encoding must be one of ${ENCODINGS.join(", ")}; got "${values.encoding}"`);
  const whole = (flag: string, text: string | undefined, max: number): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) > max) errors.push(`--${flag} must be a whole number from 0 to ${max}; got "${text}"`);
    return Number(text);
  };
  const port = whole("port", values.port, 65535);
  const seat = whole("seat", values.seat, 254);
  const graceMs = whole("exit-grace-ms", values["exit-grace-ms"], 3_600_000) ?? 2000;
  if (errors.length > 0) return usage(errors);
  const name = values.name ?? env.BITBROKER_NAME ?? basename(command[0]!);

  let proc;
  try {
    proc = Bun.spawn(command, { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  } catch (e) {
    console.error(`bitbroker stdio: cannot start ${command[0]}: ${(e as Error).message}`);
    return 1;
  }
  const program = new Program(proc, name);
  // A program that exits before the match is over ends this bot's session at once.
  const leave = new AbortController();
  void program.exited.then(() => leave.abort());
  try {
    await runBot(new StdioBot(name, program, encoding), values.host, port, { room: values.room, seat, signal: leave.signal });
    return 0;
  } catch (e) {
    const gone = program.gone;
    console.error(`bitbroker stdio: ${name}: ${gone && !(e instanceof EncodingError) ? `the program ${gone}; ` : ""}${(e as Error).message}`);
    return 1;
  } finally {
    await program.close(graceMs);
  }
}

function usage(errors: readonly string[]): number {
  console.error(`bitbroker stdio: ${errors.join("\n  ")}\n${STDIO_HELP.split("\n")[0]}`);
  return 2;
}
