// The arena's child processes: each game and bot in a session (and process group) of its own, its
// output read line by line (to the match's log and a short tail for crash reports), and stopped
// as a whole group: SIGTERM, then SIGKILL. The only code of the arena that spawns or kills.
import type { Subprocess } from "bun";

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
}

export interface ChildOptions {
  /** "game", or the bot's name: prefixes its lines. */
  readonly label: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Every line it writes (stdout and stderr), labelled. */
  readonly onLine: (label: string, line: string) => void;
}

const TAIL_LINES = 20;

/** Every child not yet known to have exited: at the arena's exit, whatever the cause, their groups are killed. */
const living = new Set<Child>();
process.on("exit", () => {
  for (const c of living) c.signalGroup("SIGKILL");
});

export class Child {
  readonly tail: string[] = [];
  exit: ExitInfo | null = null;
  /** The arena stopped it (it had not exited when its match was over). */
  stopped = false;
  readonly exited: Promise<ExitInfo>;
  private readonly reading: Promise<void>[];

  private constructor(
    private readonly proc: Subprocess<"ignore", "pipe", "pipe">,
    readonly label: string,
    onLine: (label: string, line: string) => void,
  ) {
    living.add(this);
    this.exited = proc.exited.then(() => {
      living.delete(this);
      const signal = proc.signalCode === null || proc.signalCode === undefined ? null : String(proc.signalCode);
      return (this.exit = { code: signal === null ? proc.exitCode : null, signal });
    });
    const sink = (line: string) => {
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
      onLine(label, line);
    };
    this.reading = [readLines(proc.stdout, sink), readLines(proc.stderr, sink)];
  }

  /** Starts it in a new session (setsid): Ctrl-C at the terminal reaches the arena only, which stops its children itself. */
  static spawn(o: ChildOptions): Child {
    const proc = Bun.spawn([...o.argv], {
      env: { ...process.env, ...o.env },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
    return new Child(proc, o.label, o.onLine);
  }

  get pid(): number {
    return this.proc.pid;
  }

  get alive(): boolean {
    return this.exit === null;
  }

  /** Sends `signal` to its whole process group (what it started too); a group already gone is fine. */
  signalGroup(signal: "SIGTERM" | "SIGKILL"): void {
    try {
      process.kill(-this.proc.pid, signal);
    } catch {
      // ESRCH: nobody left in the group.
    }
  }

  /**
   * Stops its group: SIGTERM, up to `graceMs` for it to exit, then SIGKILL (also to what it left
   * behind). Resolves once it has exited and its output is read.
   */
  async stop(graceMs: number): Promise<ExitInfo> {
    if (this.alive) {
      this.stopped = true;
      this.signalGroup("SIGTERM");
      await Promise.race([this.exited, Bun.sleep(graceMs)]);
    }
    this.signalGroup("SIGKILL");
    const exit = await this.exited;
    await Promise.all(this.reading);
    return exit;
  }
}

async function readLines(stream: ReadableStream<Uint8Array>, sink: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf("\n")) !== -1) {
        sink(rest.slice(0, nl).replace(/\r$/, ""));
        rest = rest.slice(nl + 1);
      }
      // A line without an end that grows without bound is cut, not kept.
      if (rest.length > 64 * 1024) {
        sink(rest);
        rest = "";
      }
    }
  } catch {
    // The pipe broke: the process is gone.
  }
  rest += decoder.decode();
  if (rest !== "") sink(rest);
}
