// A real PostgreSQL server for the tests: Debian's `postgresql` package, a fresh cluster made by
// initdb in a temporary folder, started by pg_ctl on a free 127.0.0.1 port, as the `postgres` user
// when the tests run as root. Stopped and removed at the end. No Docker, no external host.
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The folder of initdb and pg_ctl, or null. */
function pgBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

function uidOf(user: string): number | null {
  const r = Bun.spawnSync(["id", "-u", user], { stdout: "pipe", stderr: "ignore" });
  return r.exitCode === 0 ? Number(r.stdout.toString().trim()) : null;
}

/** Why no PostgreSQL can run here, or null when it can. */
export function pgSkipReason(): string | null {
  if (!pgBin()) return "PostgreSQL is not installed (Debian: apt-get install postgresql; bash .ci/run does it as root)";
  if (process.getuid?.() === 0 && (uidOf("postgres") === null || !Bun.which("runuser"))) return "running as root without a postgres user (or runuser) to run the server as";
  return null;
}

function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

export class PgServer {
  private constructor(
    private readonly dir: string,
    private readonly bin: string,
    private readonly asUser: string[],
    readonly port: number,
  ) {}

  /** initdb + pg_ctl start (fsync off: test data); waits until it accepts connections. */
  static async start(): Promise<PgServer> {
    const bin = pgBin();
    if (!bin) throw new Error("PostgreSQL is not installed");
    const dir = mkdtempSync(join(tmpdir(), "bitbroker-pg-"));
    chmodSync(dir, 0o755);
    const asUser = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
    if (asUser.length > 0) chownSync(dir, uidOf("postgres")!, -1);
    const server = new PgServer(dir, bin, asUser, freePort());
    const run = (args: string[]) => {
      const r = Bun.spawnSync([...asUser, ...args], { stdout: "pipe", stderr: "pipe" });
      if (r.exitCode !== 0) throw new Error(`${args.join(" ")} failed: ${r.stdout}${r.stderr}`);
    };
    try {
      run([join(bin, "initdb"), "-D", join(dir, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--locale=C"]);
      const opts = `-p ${server.port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
      run([join(bin, "pg_ctl"), "-D", join(dir, "data"), "-o", opts, "-l", join(dir, "log"), "-w", "-t", "60", "start"]);
    } catch (e) {
      server.dispose();
      throw e;
    }
    process.once("exit", () => server.dispose());
    return server;
  }

  /** A URL for a database of its own (made now). */
  async database(name: string): Promise<string> {
    const { SQL } = await import("bun");
    const admin = new SQL(this.url("postgres"));
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.close();
    return this.url(name);
  }

  url(db: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${db}`;
  }

  /** Stops the server (fast: open connections are cut); `start()` brings it back on the same port. */
  stop(): void {
    Bun.spawnSync([...this.asUser, join(this.bin, "pg_ctl"), "-D", join(this.dir, "data"), "-m", "fast", "-w", "stop"], { stdout: "ignore", stderr: "ignore" });
  }

  restart(): void {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    const r = Bun.spawnSync([...this.asUser, join(this.bin, "pg_ctl"), "-D", join(this.dir, "data"), "-o", opts, "-l", join(this.dir, "log"), "-w", "-t", "60", "start"], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`pg_ctl start failed: ${r.stdout}${r.stderr}`);
  }

  dispose(): void {
    if (!existsSync(this.dir)) return;
    Bun.spawnSync([...this.asUser, join(this.bin, "pg_ctl"), "-D", join(this.dir, "data"), "-m", "immediate", "-w", "stop"], { stdout: "ignore", stderr: "ignore" });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
