// Describes the machine and the software a bench run used, for the results JSON.
// Reads /proc and asks the tools their versions; changes nothing.
import { cpus, release, totalmem } from "node:os";

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  bun: string;
  rustc: string;
  natsServer: string;
  gitCommit: string;
  gitDirty: boolean;
}

async function output(cmd: string[], cwd?: string): Promise<string> {
  try {
    const p = Bun.spawn(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
    const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
    await p.exited;
    return (out.trim() || err.trim()).split("\n")[0] ?? "";
  } catch {
    return "";
  }
}

export async function describeMachine(root: string, natsServer: string | null): Promise<Machine> {
  const cpuinfo = await Bun.file("/proc/cpuinfo").text();
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? "unknown";
  const status = await output(["git", "status", "--porcelain", "--untracked-files=no", "--", "src"], root);
  return {
    nproc: navigator.hardwareConcurrency,
    cpuModel: model.trim(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    bun: Bun.version,
    rustc: await output(["rustc", "--version"]),
    natsServer: natsServer ? await output([natsServer, "--version"]) : "not installed",
    gitCommit: await output(["git", "rev-parse", "--short", "HEAD"], root),
    gitDirty: status !== "",
  };
}
