// `bun run build`: compiles src/main.ts into one executable, dist/bitbroker (host target), with
// `bun build --compile`. Also the helpers release.ts, the image tests and the benchmark share.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";

export const ROOT = new URL("..", import.meta.url).pathname;
export const DIST = join(ROOT, "dist");
export const BINARY = join(DIST, "bitbroker");
const ENTRY = join(ROOT, "src/main.ts");
/** What the executable is made of: a change in any of these makes dist/bitbroker stale. */
const SOURCES = ["src", "proto", "package.json", "package-lock.json", "scripts/build.ts"];

export interface CompileOptions {
  /** A `bun build` target such as "bun-linux-arm64"; omitted = the host. */
  readonly target?: string;
  readonly outfile: string;
  /** Embed JavaScriptCore bytecode: faster start, host target only (not portable across targets). */
  readonly bytecode: boolean;
}

/**
 * The `bun build` arguments, and why:
 * --minify: smaller embedded source, a little less to parse at start;
 * --keep-names: function and class names stay readable in stack traces despite --minify;
 * --sourcemap: embedded (zstd) in the executable, so a crash points at src/…ts:line:col;
 * --bytecode (host only): parsing moves to build time, ~10 ms less per start, which also
 *   counts for every `bitbroker healthcheck`; it must not be used when cross-compiling;
 * --no-compile-autoload-*: settings come from the environment and flags only, never from a
 *   .env or bunfig.toml that happens to be in the working directory.
 */
export function compileArgs(o: CompileOptions, commit: string): string[] {
  if (o.bytecode && o.target) throw new Error(`--bytecode is for the host only; not for --target=${o.target}`);
  const args = ["build", ENTRY, "--compile", "--outfile", o.outfile, "--minify", "--keep-names", "--sourcemap"];
  args.push("--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig");
  if (o.bytecode) args.push("--bytecode", "--format=esm"); // main.ts uses top-level await: ESM
  if (o.target) args.push(`--target=${o.target}`);
  if (commit) args.push("--define", `BITBROKER_COMMIT=${JSON.stringify(commit)}`);
  return args;
}

/**
 * BITBROKER_COMMIT from the environment (docker build arg), else git's short HEAD, with "-dirty"
 * when a tracked file's content differs from HEAD. The index is refreshed first: a file whose
 * timestamp alone changed (`touch README.md`, a fresh checkout's copy) is not a change.
 */
export function gitCommit(env: Readonly<Record<string, string | undefined>> = process.env, dir = ROOT): string {
  const given = env.BITBROKER_COMMIT?.trim();
  if (given) return given;
  const git = (...args: string[]) => Bun.spawnSync(["git", ...args], { cwd: dir, stdout: "pipe", stderr: "ignore" });
  try {
    const head = git("rev-parse", "--short=12", "HEAD");
    if (head.exitCode !== 0) return "";
    git("update-index", "-q", "--refresh"); // stat-only differences out; its exit status says nothing we need
    const dirty = git("diff-index", "--quiet", "HEAD", "--").exitCode !== 0;
    return head.stdout.toString().trim() + (dirty ? "-dirty" : "");
  } catch {
    return ""; // no git binary (e.g. inside the image build): the version is package.json's alone
  }
}

/**
 * Compiles into a private folder, then renames into place: a concurrent reader never sees half a
 * binary. The file keeps its final name there, since Bun embeds it (/$bunfs/root/NAME): same
 * sources, commit and name give the same bytes.
 */
export async function compile(o: CompileOptions, commit = gitCommit()): Promise<void> {
  const tmpDir = join(dirname(o.outfile), `.build-${process.pid}-${basename(o.outfile)}`);
  mkdirSync(tmpDir, { recursive: true });
  try {
    const tmp = join(tmpDir, basename(o.outfile));
    const args = compileArgs({ ...o, outfile: tmp }, commit);
    const proc = Bun.spawn([process.execPath, ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    // Bun adds .exe for Windows when the name lacks it.
    const produced = existsSync(tmp) ? tmp : `${tmp}.exe`;
    if (code !== 0 || !existsSync(produced)) throw new Error(`bun ${args.join(" ")} failed (exit ${code}):\n${out}${err}`);
    renameSync(produced, o.outfile);
  } finally {
    rmSync(tmpDir, { recursive: true, force: true }); // with the linked .map: the sourcemap is embedded
  }
}

function newestMtimeMs(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, name)));
  return newest;
}

/** Why dist/bitbroker must be (re)built, or null when it is up to date. */
export function staleReason(): string | null {
  const st = statSync(BINARY, { throwIfNoEntry: false });
  if (!st) return "dist/bitbroker is missing";
  const newer = SOURCES.find((s) => newestMtimeMs(join(ROOT, s)) > st.mtimeMs);
  return newer ? `${newer} changed since dist/bitbroker was built` : null;
}

/** Builds dist/bitbroker for the host, with bytecode. */
export async function build(): Promise<string> {
  const commit = gitCommit();
  await compile({ outfile: BINARY, bytecode: true }, commit);
  return commit;
}

/** Builds dist/bitbroker unless it is up to date; returns its path. */
export async function ensureBuilt(): Promise<string> {
  const reason = staleReason();
  if (reason) {
    console.error(`building dist/bitbroker: ${reason}`);
    await build();
  }
  return BINARY;
}

/**
 * The command line: no arguments = dist/bitbroker for this machine, with bytecode. With
 * `--target bun-linux-arm64 --outfile dist/bitbroker-linux-arm64`: one cross-built file, without
 * bytecode, the same bytes as `bun run release` gives under that name (the image build uses this).
 */
export function parseBuildArgs(argv: string[]): CompileOptions {
  const { values } = parseArgs({ args: argv, options: { target: { type: "string" }, outfile: { type: "string" } }, strict: true });
  if (!values.target) return { outfile: values.outfile ? resolve(values.outfile) : BINARY, bytecode: true };
  if (!/^bun-[a-z0-9-]+$/.test(values.target)) throw new Error(`--target must be a bun target such as bun-linux-arm64; got "${values.target}"`);
  if (!values.outfile) throw new Error("--target needs --outfile: the file name is part of the executable's bytes");
  return { target: values.target, outfile: resolve(values.outfile), bytecode: false };
}

if (import.meta.main) {
  const started = performance.now();
  let options: CompileOptions;
  try {
    options = parseBuildArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`build: ${(e as Error).message}`);
    process.exit(2);
  }
  const commit = gitCommit();
  await compile(options, commit);
  const mib = (statSync(options.outfile).size / 1024 / 1024).toFixed(1);
  const name = relative(ROOT, options.outfile);
  console.log(`${name}  ${mib} MiB  commit ${commit || "(unknown)"}  ${Math.round(performance.now() - started)} ms`);
}
