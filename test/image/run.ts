// Helpers for the executable's tests: run a command to its end with a time limit, find a free
// 127.0.0.1 port. Real processes and sockets only.

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** The whole environment of the command (not merged with this process's). */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** Runs `cmd` to its end (killed after timeoutMs) and returns its exit code and output. */
export async function run(cmd: string[], o: RunOptions = {}): Promise<RunResult> {
  const proc = Bun.spawn(cmd, {
    env: o.env ?? {},
    cwd: o.cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: o.timeoutMs ?? 10_000,
    killSignal: "SIGKILL",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** A TCP port on 127.0.0.1 that nothing listened on a moment ago. */
export function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}
