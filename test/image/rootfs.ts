// A root folder holding only what the distroless image holds for us: /bitbroker, the glibc files
// `ldd` names, /etc/passwd and /etc/group with nonroot (65532), the /data volume owned by nonroot,
// and /proc mounted. Linux, root only.
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const PREFIX = "bitbroker-rootfs-";
/** As in gcr.io/distroless/*:nonroot. */
export const NONROOT = 65532;
const PASSWD = `root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:${NONROOT}:${NONROOT}:nonroot:/home/nonroot:/sbin/nologin\n`;
const GROUP = `root:x:0:\nnobody:x:65534:\nnonroot:x:${NONROOT}:\n`;

/** Why the chroot test cannot run on this machine, or null when it can. */
export function skipReason(): string | null {
  if (process.platform !== "linux") return `needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "needs root (chroot and mount -t proc); run the tests as root, as CI does";
  for (const tool of ["chroot", "mount", "umount", "ldd"]) {
    if (!Bun.which(tool)) return `needs the ${tool} command`;
  }
  return null;
}

const mounted = (dir: string): boolean => readFileSync("/proc/mounts", "utf8").split("\n").some((l) => l.split(" ")[1] === join(dir, "proc"));

function sh(cmd: string[]): { code: number; out: string } {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: `${r.stdout.toString()}${r.stderr.toString()}`.trim() };
}

/** Unmounts dir/proc (lazily if it is busy) and removes dir; never removes while /proc is mounted. */
function destroy(dir: string): void {
  if (mounted(dir)) {
    const proc = join(dir, "proc");
    if (sh(["umount", proc]).code !== 0) sh(["umount", "-l", proc]);
    if (mounted(dir)) throw new Error(`cannot unmount ${proc}; remove ${dir} by hand once it is unmounted`);
  }
  rmSync(dir, { recursive: true, force: true });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Removes what a killed earlier run left behind (a mounted /proc), never a live run's folder. */
function destroyLeftovers(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^bitbroker-rootfs-(\d+)-/.exec(name)?.[1]);
    if (pid > 0 && !alive(pid)) destroy(join(tmpdir(), name));
  }
}

/** The shared libraries `ldd` says the executable loads, as absolute paths (none if static). */
export function sharedLibraries(binary: string): string[] {
  const r = sh(["ldd", binary]);
  if (r.code !== 0) {
    if (r.out.includes("not a dynamic executable")) return [];
    throw new Error(`ldd ${binary} failed: ${r.out}`);
  }
  return [...r.out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/g)].map((m) => m[1]!);
}

export class RootFs {
  private constructor(readonly dir: string) {}

  /** Builds the folder and mounts /proc in it (the executable reads /proc/self/exe to find its code). */
  static create(binary: string): RootFs {
    destroyLeftovers();
    const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
    chmodSync(dir, 0o755); // mkdtemp makes it 0700: uid 65532 could not even reach /bitbroker
    const root = new RootFs(dir);
    try {
      copyFileSync(binary, join(dir, "bitbroker"));
      chmodSync(join(dir, "bitbroker"), 0o755);
      for (const lib of sharedLibraries(binary)) {
        mkdirSync(join(dir, dirname(lib)), { recursive: true });
        copyFileSync(lib, join(dir, lib)); // follows symlinks: the file itself lands at the loader's path
      }
      mkdirSync(join(dir, "etc"));
      writeFileSync(join(dir, "etc/passwd"), PASSWD);
      writeFileSync(join(dir, "etc/group"), GROUP);
      // The image's records volume (Dockerfile: /data, owned by nonroot).
      mkdirSync(join(dir, "data"));
      chownSync(join(dir, "data"), NONROOT, NONROOT);
      mkdirSync(join(dir, "proc"));
      const m = sh(["mount", "-t", "proc", "proc", join(dir, "proc")]);
      if (m.code !== 0) throw new Error(`mount -t proc failed (is this a container without CAP_SYS_ADMIN?): ${m.out}`);
    } catch (e) {
      root.dispose();
      throw e;
    }
    process.once("exit", () => root.dispose()); // even if afterAll never runs
    return root;
  }

  /** Every file in the folder, /proc aside, as absolute paths inside it. */
  files(sub = "/"): string[] {
    const out: string[] = [];
    for (const name of readdirSync(join(this.dir, sub))) {
      const path = join(sub, name);
      if (path === "/proc") continue;
      if (statSync(join(this.dir, path)).isDirectory()) out.push(...this.files(path));
      else out.push(path);
    }
    return out.sort();
  }

  /** The command that runs /bitbroker with these arguments inside the folder as nonroot. */
  command(...args: string[]): string[] {
    // An absolute chroot: the tests run it with an environment of their own choosing, maybe no PATH.
    return [Bun.which("chroot") ?? "/usr/sbin/chroot", `--userspec=${NONROOT}:${NONROOT}`, this.dir, "/bitbroker", ...args];
  }

  dispose(): void {
    if (statSync(this.dir, { throwIfNoEntry: false })) destroy(this.dir);
  }
}
