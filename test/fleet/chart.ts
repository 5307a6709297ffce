// The Helm chart under deploy/, rendered for the TypeScript tests: the pinned helm (or null when it
// is not installed), `helm template` with values files and flags, the broker's pod in a workload,
// and what the kubelet would give its container (the image's ENV and the pod's env, a Secret
// volume's files, a probe's exec). Reads and writes only what a test hands it.
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname;
export const CHART = join(ROOT, "deploy/helm/bitbroker");

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean } };
}
export interface ExecProbe {
  readonly exec: { readonly command: string[] };
  readonly httpGet?: unknown;
}
export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: unknown;
  readonly args?: unknown;
  readonly env: EnvVar[];
  readonly ports: Array<{ name: string; containerPort: number }>;
  readonly livenessProbe?: ExecProbe;
  readonly readinessProbe?: ExecProbe;
  readonly lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  readonly securityContext: { runAsUser: number; runAsGroup: number };
  readonly resources: { requests: { memory: string; cpu: string }; limits: { memory: string } };
  readonly volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
export interface Volume {
  readonly name: string;
  readonly secret?: { secretName: string; items: Array<{ key: string; path: string }>; defaultMode: number };
}
export interface PodSpec {
  readonly containers: Container[];
  readonly terminationGracePeriodSeconds: number;
  readonly securityContext: { runAsNonRoot: boolean; fsGroup?: number };
  readonly volumes: Volume[];
}
export type Doc = { kind: string; spec: Record<string, unknown> } & Record<string, unknown>;

export function helm(): string | null {
  const candidates = [process.env.BITBROKER_HELM, join(homedir(), ".cache/bitbroker-ci/helm-3.22.0/helm"), Bun.which("helm")];
  return candidates.find((c): c is string => typeof c === "string" && existsSync(c)) ?? null;
}

/** `helm template` of the chart with these values files (under the chart) and flags; throws with helm's message. */
export function render(valuesFiles: readonly string[], ...flags: string[]): Doc[] {
  const args = [helm()!, "template", "bitbroker", CHART, "--kube-version", "1.32.0", ...valuesFiles.flatMap((v) => ["--values", join(CHART, v)]), ...flags];
  const r = Bun.spawnSync(args, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`helm template failed: ${r.stderr.toString()}`);
  return (Bun.YAML.parse(r.stdout.toString()) as Doc[]).filter(Boolean);
}

/** The pod of a Deployment, or of a Fleet's GameServer template. */
export function pod(doc: Doc): PodSpec {
  const spec = doc.spec as { template: { spec: PodSpec & { template?: { spec: PodSpec } } } };
  return doc.kind === "Fleet" ? spec.template.spec.template!.spec : spec.template.spec;
}

/** Secrets by name, each its keys' values: what a test says the cluster holds. */
export type Secrets = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The ENV of the Dockerfile's runtime stage: what every container of the image starts with. */
export function imageEnv(): Record<string, string> {
  const runtime = readFileSync(join(ROOT, "Dockerfile"), "utf8").split(/^(?=FROM )/m).at(-1)!;
  return Object.fromEntries([...runtime.matchAll(/(BROKER_\w+|LOG_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

/**
 * The container's environment as the kubelet builds it: the image's ENV, then the pod's env in
 * order; a secretKeyRef from `secrets` (an optional one left out when absent, else an error).
 */
export function containerEnv(c: Container, secrets: Secrets = {}): Record<string, string> {
  const env = imageEnv();
  for (const e of c.env) {
    const ref = e.valueFrom?.secretKeyRef;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (ref && secrets[ref.name]?.[ref.key] !== undefined) env[e.name] = secrets[ref.name]![ref.key]!;
    else if (!ref?.optional) throw new Error(`${e.name}: no value, and no Secret ${ref?.name ?? "?"} with key ${ref?.key ?? "?"}`);
  }
  return env;
}

/** Writes a Secret volume as the kubelet mounts it at `dir`: each item's key as its path, with defaultMode. */
export function mountSecretVolume(volume: Volume, data: Readonly<Record<string, string>>, dir: string): void {
  if (!volume.secret) throw new Error(`volume ${volume.name} is not a Secret`);
  for (const { key, path } of volume.secret.items) {
    if (data[key] === undefined) throw new Error(`Secret ${volume.secret.secretName} has no key ${key}: the pod would not start`);
    writeFileSync(join(dir, path), data[key]);
    chmodSync(join(dir, path), volume.secret.defaultMode);
  }
}

/**
 * Runs a probe's exec command with `env` as the kubelet runs it in the container, the image's
 * ENTRYPOINT (/bitbroker) being this checkout's `bun src/main.ts`; killed after `boundMs`.
 */
export async function runProbe(probe: ExecProbe, env: Readonly<Record<string, string>>, boundMs = 20_000): Promise<{ code: number; out: string }> {
  const [bin, ...args] = probe.exec.command;
  if (bin !== "/bitbroker") throw new Error(`a probe runs ${bin}, not the image's /bitbroker`);
  const proc = Bun.spawn(["bun", "src/main.ts", ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill(), boundMs);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, out: out + err };
}
