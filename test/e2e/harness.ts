// End-to-end harness: starts the real broker (`bun src/main.ts`) on free ports and speaks raw v1
// to it over real sockets (v2 frames once a Welcome grants them). Raw clients are written from
// docs/PROTOCOL.md alone.
import type { Subprocess } from "bun";
import { Signal, writeAll } from "./signal.ts";
import { Control, FrameDecoder, LineDecoder, Opcode, decodeWelcome, encodeLine, frameBytes, isCode, type Message } from "../../src/protocol/index.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

export interface LogLine {
  readonly level: string;
  readonly event: string;
  readonly [field: string]: unknown;
}

export class BrokerProcess {
  readonly logs: LogLine[] = [];
  private readonly signal = new Signal();
  private constructor(
    readonly proc: Subprocess<"ignore", "pipe", "pipe">,
    public port = 0,
    public healthPort = 0,
  ) {}

  /**
   * Starts the broker with these settings (env names) and waits for its "listening" line (a bound
   * for a hung start, generous for a loaded machine, not a timing claim). Records
   * are off unless the test sets BROKER_DB (never the default file in the repository).
   */
  static async start(env: Record<string, string> = {}, cmd: string[] = ["bun", "src/main.ts"], listenTimeoutMs = 30_000): Promise<BrokerProcess> {
    const proc = Bun.spawn(cmd, {
      cwd: ROOT,
      env: { ...process.env, BROKER_HOST: "127.0.0.1", BROKER_PORT: "0", BROKER_HEALTH_PORT: "0", LOG_FORMAT: "json", BROKER_DB: "off", ...env },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const broker = new BrokerProcess(proc);
    void broker.readLogs();
    const listening = await broker.waitForLog((l) => l.event === "listening", listenTimeoutMs);
    broker.port = Number(listening.port);
    broker.healthPort = Number(listening.healthPort);
    return broker;
  }

  private async readLogs(): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of this.proc.stdout) {
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf("\n")) !== -1) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (process.env.BROKER_LOGS) console.log(line);
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ level: "raw", event: line });
        }
        this.signal.wake();
      }
    }
    this.signal.wake();
  }

  /** Resolves with the first log line (already seen or still to come) that matches. */
  async waitForLog(match: (l: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    return await this.untilLogs(() => this.logs.find(match), timeoutMs);
  }

  /** Resolves once `count` log lines (seen or still to come) match. */
  async waitForLogCount(match: (l: LogLine) => boolean, count: number, timeoutMs = 20_000): Promise<void> {
    await this.untilLogs(() => this.logs.filter(match).length >= count || undefined, timeoutMs);
  }

  /** Re-checks `found` at every new log line until it gives a value, or fails after `timeoutMs`. */
  private async untilLogs<T>(found: () => T | undefined, timeoutMs: number): Promise<T> {
    const saw = () => new Error(`no matching log line; saw:\n${this.logs.map((l) => JSON.stringify(l)).join("\n")}`);
    return await this.signal.until(found, timeoutMs, saw, () => this.proc.exitCode !== null);
  }

  /** GET /matches: the running matches and the last ended ones. */
  async matches(): Promise<{ running: Array<Record<string, unknown>>; ended: Array<Record<string, unknown>> }> {
    const r = await fetch(`http://127.0.0.1:${this.healthPort}/matches`);
    return (await r.json()) as { running: Array<Record<string, unknown>>; ended: Array<Record<string, unknown>> };
  }

  async health(): Promise<{ status: number; body: Record<string, unknown> }> {
    const r = await fetch(`http://127.0.0.1:${this.healthPort}/health`);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  }

  async stop(): Promise<number> {
    if (this.proc.exitCode === null) this.proc.kill("SIGTERM");
    return await this.proc.exited;
  }
}

/** A Welcome (00 03) that grants v2 frames; one whose body does not decode grants nothing. */
export function grantsFrames(m: Message): boolean {
  if (!isCode(m, Opcode.control, Control.welcome)) return false;
  try {
    return decodeWelcome(m.body).features.includes("frames");
  } catch {
    return false;
  }
}

/**
 * What a client reads from the broker's byte stream (PROTOCOL.md §11): v1 lines until a Welcome
 * that grants frames, then frames, switching in the middle of a read. The broker grants frames
 * only to a client that asked. Throws ProtocolError.
 */
export class StreamReader {
  private readonly lines: LineDecoder;
  private frames: FrameDecoder | null = null;

  constructor(private readonly bytesMax = 64 * 1024 * 1024) {
    this.lines = new LineDecoder(bytesMax);
  }

  get framed(): boolean {
    return this.frames !== null;
  }

  push(chunk: Uint8Array): Message[] {
    if (this.frames) return this.frames.push(chunk);
    const { messages, rest } = this.lines.pushUntil(chunk, grantsFrames);
    if (rest === null) return messages;
    this.frames = new FrameDecoder(this.bytesMax);
    return rest.length === 0 ? messages : [...messages, ...this.frames.push(rest)];
  }
}

/**
 * A raw client: send messages or raw bytes, read messages, see the close. It speaks v1 lines, and
 * v2 frames both ways once a Welcome grants them (only if its Hello asked for `frames`).
 */
export class RawClient {
  private readonly decoder = new StreamReader();
  private readonly inbox: Message[] = [];
  private readonly signal = new Signal();
  closed = false;
  private constructor(private socket: import("bun").Socket<undefined>) {}

  static async connect(port: number): Promise<RawClient> {
    let client!: RawClient;
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(_s, chunk) {
          client.inbox.push(...client.decoder.push(chunk));
          client.signal.wake();
        },
        close() {
          client.closed = true;
          client.signal.wake();
        },
        drain() {
          client.signal.wake();
        },
      },
    });
    client = new RawClient(socket);
    return client;
  }

  /** Whether a Welcome granted v2 frames: from then on both ways are frames. */
  get framed(): boolean {
    return this.decoder.framed;
  }

  async send(...messages: Message[]): Promise<void> {
    if (!this.framed) return await this.sendRaw(messages.map(encodeLine).join(""));
    const frames = messages.map(frameBytes);
    await this.sendRaw(frames.length === 1 ? frames[0]! : Uint8Array.from(frames.flatMap((f) => [...f])));
  }

  /** Writes raw bytes, honouring back-pressure. */
  async sendRaw(data: string | Uint8Array): Promise<void> {
    await writeAll(this.socket, typeof data === "string" ? new TextEncoder().encode(data) : data, () => this.closed, this.signal);
  }

  /** The next message, or an error if the socket closes first or time runs out. */
  async next(timeoutMs = 20_000): Promise<Message> {
    const m = await this.signal.until(() => this.inbox.shift() ?? (this.closed ? null : undefined), timeoutMs, () => new Error("timed out waiting for a message"));
    if (m === null) throw new Error("closed before the next message");
    return m;
  }

  /** Resolves once the broker has closed this connection; returns what arrived before it. */
  async untilClosed(timeoutMs = 20_000): Promise<Message[]> {
    await this.signal.until(() => this.closed || undefined, timeoutMs, () => new Error("timed out waiting for the close"));
    return this.inbox.splice(0);
  }

  /** Stops reading: the broker's writes to this client back up (back-pressure). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.end();
  }
}

/** Polls `get` until `ready` holds of what it returns (bounded), then returns that value. */
export async function pollUntil<T>(get: () => Promise<T>, ready: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (ready(value)) return value;
    if (Date.now() > deadline) throw new Error(`never ready; last: ${JSON.stringify(value)}`);
    await Bun.sleep(20);
  }
}
