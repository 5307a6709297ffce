// The ORIGINAL crate's programs for the bun suites: builds test/interop's `original_broker` and
// `original_clients` with cargo (into $CARGO_TARGET_DIR, else target/, as test/run-all.sh and the
// Python tests do, so nothing is built twice) and runs child processes read line by line.
// It must not add behaviour to the original: the programs are run exactly as built.
import type { Subprocess } from "bun";
import { join } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname;
/** A first build compiles tokio and prost: minutes on a busy 2-core machine. */
export const BUILD_TIMEOUT_MS = 900_000;

export interface OriginalPrograms {
  /** `original_broker BOTS PORT`: the original's run_broker; prints `port N`, serves one match. */
  readonly broker: string;
  /** `original_clients PORT BOTS ROUNDS`: the original's game and bots in the default room. */
  readonly clients: string;
}

/** Builds (or finds up to date) both programs; throws with cargo's output if the build fails. */
export async function buildOriginal(): Promise<OriginalPrograms> {
  const target = process.env.CARGO_TARGET_DIR ?? join(ROOT, "target");
  const cargo = Bun.spawn(
    ["cargo", "build", "--locked", "--quiet", "--manifest-path", join(ROOT, "test/interop/Cargo.toml"), "--bin", "original_broker", "--bin", "original_clients"],
    { cwd: ROOT, env: { ...process.env, CARGO_TARGET_DIR: target }, stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const [code, out, err] = await Promise.all([cargo.exited, new Response(cargo.stdout).text(), new Response(cargo.stderr).text()]);
  if (code !== 0) throw new Error(`cargo build of test/interop failed (exit ${code}; the original crate needs protoc):\n${out}${err}`);
  return { broker: join(target, "debug/original_broker"), clients: join(target, "debug/original_clients") };
}

/** A child process whose stdout is kept line by line (stderr whole) and can be waited on. */
export class Child {
  readonly lines: string[] = [];
  private stderrText = "";
  private waiters: Array<() => void> = [];
  /** True once stdout has been read to its end (the process has closed it). */
  private stdoutEnded = false;
  /** Settles once the process has exited and both its streams have been read whole. */
  private readonly finished: Promise<number>;

  private constructor(private readonly proc: Subprocess<"pipe", "pipe", "pipe">) {
    const stderr = new Response(proc.stderr).text().then((t) => (this.stderrText = t));
    this.finished = Promise.all([proc.exited, this.readLines(), stderr]).then(([code]) => code);
  }

  static spawn(cmd: string[], env: Record<string, string> = {}): Child {
    return new Child(Bun.spawn(cmd, { cwd: ROOT, env: { ...process.env, ...env }, stdin: "pipe", stdout: "pipe", stderr: "pipe" }));
  }

  private async readLines(): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of this.proc.stdout) {
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf("\n")) !== -1) {
        this.lines.push(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
        this.wake();
      }
    }
    if (rest !== "") this.lines.push(rest);
    this.stdoutEnded = true;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first stdout line (seen or to come) that matches; throws at the bound or at exit. */
  async waitForLine(match: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find(match);
      if (line !== undefined) return line;
      if (this.stdoutEnded || Date.now() > deadline) {
        if (this.stdoutEnded) await Promise.race([this.finished, Bun.sleep(5_000)]); // its exit status and stderr
        throw new Error(`no matching line within ${timeoutMs} ms from ${this.describe()}`);
      }
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), Bun.sleep(Math.max(1, deadline - Date.now()))]);
    }
  }

  /** Writes to its stdin. */
  write(text: string): void {
    this.proc.stdin.write(text);
    void this.proc.stdin.flush();
  }

  /** Its exit status once it exits (bounded: killed and thrown after `timeoutMs`). */
  async exited(timeoutMs = 30_000): Promise<number> {
    const code = await Promise.race([this.finished, Bun.sleep(timeoutMs).then(() => null)]);
    if (code === null) {
      this.kill();
      throw new Error(`not exited within ${timeoutMs} ms: ${this.describe()}`);
    }
    return code;
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
  }

  /** Its command, stdout so far and stderr, for failure messages. */
  describe(): string {
    return `${this.proc.pid} (exit ${this.proc.exitCode}); stdout:\n${this.lines.join("\n")}\nstderr:\n${this.stderrText}`;
  }
}
