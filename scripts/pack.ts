// `bun run pack [typescript] [python] [rust] [--out DIR]`: the three SDKs as packages, into dist/
// by default: the npm tarball, the Python wheel and sdist, the Rust .crate. Builds into temporary
// folders or target/ only: nothing in the source tree changes (the clone stays clean).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import rootPkg from "../package.json" with { type: "json" };
import { DIST, ROOT } from "./build.ts";

export const SDKS = ["typescript", "python", "rust"] as const;
export type Sdk = (typeof SDKS)[number];

const TS_SDK = join(ROOT, "sdk/typescript");
const PY_SDK = join(ROOT, "sdk/python");
const RUST_SDK = join(ROOT, "sdk/rust");

/** Runs a command to its end; throws with its output if it fails. Returns its stdout. */
function sh(cmd: string[], cwd: string, env: Record<string, string> = {}): string {
  const r = Bun.spawnSync(cmd, { cwd, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    throw new Error(`${cmd.join(" ")} (in ${relative(ROOT, cwd) || "."}) failed, exit ${r.exitCode}:\n${r.stdout}${r.stderr}`);
  }
  return r.stdout.toString();
}

/** The file names each SDK's package gets (from the versions in its manifest). */
export function artifactNames(sdk: Sdk): string[] {
  switch (sdk) {
    case "typescript":
      return [`bitbroker-${tsManifest().version}.tgz`];
    case "python": {
      const version = tomlVersion(join(PY_SDK, "pyproject.toml"));
      return [`bitbroker-${version}-py3-none-any.whl`, `bitbroker-${version}.tar.gz`];
    }
    case "rust":
      return [`bitbroker-sdk-${tomlVersion(join(RUST_SDK, "Cargo.toml"))}.crate`];
  }
}

interface TsManifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Record<string, string>;
  readonly bin?: unknown;
}

/** sdk/typescript/package.json, checked against the broker's: same version, and each of its dependencies pinned as the broker pins it. */
export function tsManifest(): TsManifest {
  const m = JSON.parse(readFileSync(join(TS_SDK, "package.json"), "utf8")) as TsManifest;
  const problems: string[] = [];
  if (m.version !== rootPkg.version) problems.push(`version ${m.version} is not package.json's ${rootPkg.version}`);
  // The SDK needs only some of the broker's dependencies (protobufjs, not openskill), each at the same pin.
  const pins: Record<string, string> = rootPkg.dependencies;
  for (const [dep, pin] of Object.entries(m.dependencies)) {
    if (pins[dep] !== pin) problems.push(`dependency ${dep} ${pin} is not package.json's ${pins[dep] ?? "(none)"}`);
  }
  if (m.dependencies.protobufjs === undefined) problems.push("it must depend on protobufjs (the codec's)");
  if (m.bin !== undefined) problems.push("it must not have a bin: the SDK installs no executable");
  if (problems.length > 0) throw new Error(`sdk/typescript/package.json: ${problems.join("; ")}`);
  return m;
}

function tomlVersion(path: string): string {
  const found = /^version\s*=\s*"([^"]+)"/m.exec(readFileSync(path, "utf8"));
  if (!found) throw new Error(`${relative(ROOT, path)}: no version`);
  return found[1]!;
}

/**
 * The npm package: src/sdk and src/protocol bundled into one ESM file for Node and Bun
 * (`bun build --target=node`, protobufjs left as a dependency, the .proto text inlined), .d.ts
 * files from tsc, and sdk/typescript/package.json; packed by `npm pack` in a temporary folder.
 */
async function packTypescript(out: string): Promise<void> {
  tsManifest();
  const stage = mkdtempSync(join(tmpdir(), "bitbroker-npm-"));
  try {
    const built = await Bun.build({
      entrypoints: [join(ROOT, "src/sdk/index.ts")],
      outdir: join(stage, "dist"),
      naming: "index.js",
      target: "node",
      format: "esm",
      external: ["protobufjs"],
    });
    if (!built.success) throw new Error(`bun build of the SDK failed:\n${built.logs.join("\n")}`);
    const types = join(stage, "dist/types");
    sh([process.execPath, join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(TS_SDK, "tsconfig.json"), "--outDir", types], ROOT);
    rewriteTypeImports(types);
    for (const f of ["package.json", "README.md"]) copyFileSync(join(TS_SDK, f), join(stage, f));
    sh(["npm", "pack", "--silent", "--pack-destination", out], stage);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** tsc keeps the sources' "./x.ts" in the .d.ts files; "./x.js" is what every TypeScript reads. */
function rewriteTypeImports(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, "utf8").replace(/(from\s+["']\.{1,2}\/[^"']+)\.ts(["'])/g, "$1.js$2");
    writeFileSync(path, text);
  }
}

/** The Python interpreter that builds: $PYTHON, else the repository's .venv, else python3. */
function python(): string {
  const venv = join(ROOT, ".venv/bin/python");
  return process.env.PYTHON || (existsSync(venv) ? venv : "python3");
}

/** The wheel and the sdist, by `python -m build` (the sdist first, then the wheel from it). */
function packPython(out: string): void {
  const py = python();
  const check = Bun.spawnSync([py, "-c", "import build"], { stdout: "ignore", stderr: "ignore" });
  if (check.exitCode !== 0) {
    throw new Error(`${py} has no \`build\` module: pip install "./sdk/python[test]" (it pins build), or set PYTHON`);
  }
  // Hatchling stamps files with SOURCE_DATE_EPOCH: the commit's time makes the archives reproducible.
  const epoch = Bun.spawnSync(["git", "log", "-1", "--format=%ct"], { cwd: ROOT, stdout: "pipe", stderr: "ignore" });
  const env: Record<string, string> = {};
  if (epoch.exitCode === 0 && epoch.stdout.toString().trim()) env.SOURCE_DATE_EPOCH = epoch.stdout.toString().trim();
  sh([py, "-m", "build", "--outdir", out, PY_SDK], ROOT, env);
}

/** The crate, by `cargo package` (which also builds it from the packed sources alone). */
function packRust(out: string): void {
  const target = process.env.CARGO_TARGET_DIR || join(ROOT, "target");
  // --allow-dirty: like `bun run build`, a working tree with changes may be packed (the .crate records it).
  sh(["cargo", "package", "--locked", "--allow-dirty", "--manifest-path", join(RUST_SDK, "Cargo.toml")], ROOT, {
    CARGO_TARGET_DIR: target,
  });
  for (const name of artifactNames("rust")) copyFileSync(join(target, "package", name), join(out, name));
}

/** Packs the SDKs named into `out` (dist/ by default); returns the paths of the files made. */
export async function pack(sdks: readonly Sdk[] = SDKS, out = DIST): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const made: string[] = [];
  for (const sdk of sdks) {
    const names = artifactNames(sdk);
    for (const name of names) rmSync(join(out, name), { force: true });
    if (sdk === "typescript") await packTypescript(out);
    if (sdk === "python") packPython(out);
    if (sdk === "rust") packRust(out);
    for (const name of names) {
      if (!existsSync(join(out, name))) throw new Error(`packing the ${sdk} SDK did not make ${name}`);
      made.push(join(out, name));
    }
  }
  return made;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { out: { type: "string" } }, allowPositionals: true });
  const unknown = positionals.filter((p) => !(SDKS as readonly string[]).includes(p));
  if (unknown.length > 0) {
    console.error(`pack: unknown SDK(s) ${unknown.join(", ")}; known: ${SDKS.join(", ")}`);
    process.exit(2);
  }
  try {
    for (const file of await pack(positionals.length > 0 ? (positionals as Sdk[]) : SDKS, values.out ?? DIST)) {
      console.log(relative(process.cwd(), file) || file);
    }
  } catch (e) {
    console.error(`pack: ${(e as Error).message}`);
    process.exit(1);
  }
}
