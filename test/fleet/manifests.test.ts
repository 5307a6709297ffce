// The manifests under deploy/ cannot drift from the image and the configuration table: image tag,
// entrypoint, user, ports, probes and every environment variable are checked against the Dockerfile,
// package.json, src/config.ts's SETTINGS (each plain value must pass loadConfig) and the healthcheck.
// Validation against the Kubernetes and Agones schemas is test/fleet/test_manifests.py's.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS, loadConfig } from "../../src/config.ts";
import { CHART, ROOT, helm, pod, render as renderChart, type Container, type Doc } from "./chart.ts";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const runtime = dockerfile.split(/^(?=FROM )/m).at(-1)!;

/**
 * Settings the manifests set before the broker reads them: they come with other changes
 * (#12: BROKER_DRAIN_MS; #13: BROKER_DB). Until then the broker ignores them. Remove each entry
 * once src/config.ts has it (a test below says when).
 */
const PENDING: Record<string, string> = { BROKER_DB: "#13 (records)" };
/** Set by Agones itself in every GameServer container. */
const AGONES_SETS = ["AGONES_SDK_HTTP_PORT", "AGONES_SDK_GRPC_PORT"];
const SECRET_ONLY = /^BROKER_DB$|TOKEN|SECRET|PASSWORD/;
/** main.ts: every close is flushed or cut within 1.5 s of SIGTERM's end of the drain; round up. */
const SHUTDOWN_SECONDS = 2;

const render = (valuesFile: string | null): Doc[] => renderChart(valuesFile ? [valuesFile] : []);

const mebibytes = (q: string) => Number(q.replace(/Mi$/, ""));
const envOf = (c: Container) => Object.fromEntries(c.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
const dockerEnv = Object.fromEntries([...runtime.matchAll(/(BROKER_\w+|LOG_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
const exposed = runtime.match(/^EXPOSE (.+)$/m)![1]!.split(" ").map(Number);
const [dockerUser, dockerGroup] = runtime.match(/^USER (\d+):(\d+)$/m)!.slice(1).map(Number);
const entrypoint = JSON.parse(runtime.match(/^ENTRYPOINT (.+)$/m)![1]!) as string[];
const dockerHealthcheck = JSON.parse(runtime.match(/^HEALTHCHECK .*CMD (\[.+\])$/m)![1]!) as string[];

const available = helm() !== null;
if (!available && process.env.CI) throw new Error("helm is not installed: .ci/run installs it");
if (!available) console.log("skipped test/fleet/manifests.test.ts: helm is not installed (bash .ci/run installs it)");

describe.skipIf(!available)("deploy/ against the image and the configuration table", () => {
  const cases = [
    { values: null, kind: "Deployment" },
    { values: "ci/deployment-values.yaml", kind: "Deployment" },
    { values: "ci/agones-values.yaml", kind: "Fleet" },
    { values: "ci/deployment-tls-values.yaml", kind: "Deployment" },
    { values: "ci/agones-tls-values.yaml", kind: "Fleet" },
  ] as const;

  for (const { values, kind } of cases) {
    describe(`${values ?? "default values"} (${kind})`, () => {
      const docs = available ? render(values) : [];
      const workload = () => docs.find((d) => d.kind === kind)!;
      const container = () => pod(workload()).containers.find((c) => c.name === "bitbroker")!;

      test("the image is the broker's version, run by its ENTRYPOINT as the image's user", () => {
        const chart = Bun.YAML.parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as { appVersion: string };
        expect(chart.appVersion).toBe(pkg.version);
        expect(container().image).toBe(`bitbroker:${pkg.version}`);
        expect(container().command).toBeUndefined();
        expect(container().args).toBeUndefined();
        expect(entrypoint).toEqual(["/bitbroker"]);
        expect([container().securityContext.runAsUser, container().securityContext.runAsGroup]).toEqual([dockerUser!, dockerGroup!]);
      });

      test("every plain setting is in the configuration table and passes loadConfig; secrets only by secretKeyRef", () => {
        const known = new Set<string>([...Object.values(SETTINGS).map((s) => s.env), ...Object.keys(PENDING)]);
        for (const e of container().env) {
          expect([e.name, known.has(e.name)]).toEqual([e.name, true]);
          if (SECRET_ONLY.test(e.name)) expect([e.name, e.value, e.valueFrom?.secretKeyRef?.key]).toEqual([e.name, undefined, expect.any(String)]);
        }
        const env = envOf(container());
        expect(loadConfig([], env)).toMatchObject({ kind: "config" });
        // The image's own defaults are kept: the same ports and log format as the Dockerfile sets.
        expect(env.BROKER_PORT).toBe(dockerEnv.BROKER_PORT);
        expect(env.LOG_FORMAT).toBe(dockerEnv.LOG_FORMAT);
        for (const name of AGONES_SETS) expect(env[name]).toBeUndefined();
      });

      test("ports: the container's are the broker's settings (and the image's), the Service's and Fleet's follow", () => {
        const env = envOf(container());
        const ports = Object.fromEntries(container().ports.map((p) => [p.name, p.containerPort]));
        expect(exposed).toContain(Number(env.BROKER_PORT));
        if (kind === "Fleet") {
          // Agones adds the Fleet's spec.ports to the container (with host ports): declared once, there.
          expect(ports).toEqual({ health: Number(env.BROKER_HEALTH_PORT) });
          const fleetPorts = (workload().spec as { template: { spec: { ports: Array<{ containerPort: number; name: string }> } } }).template.spec.ports;
          expect(fleetPorts.map((p) => p.containerPort)).toEqual([Number(env.BROKER_PORT)]);
          // The Agones sidecar serves its own health checks on 8080 in the pod.
          expect(ports.health).not.toBe(8080);
          expect(env.BROKER_AGONES).toBe("on");
        } else {
          // tls.plainPort: BROKER_PLAIN_PORT, beside the TLS port.
          const plain: Record<string, number> = env.BROKER_PLAIN_PORT === undefined ? {} : { plain: Number(env.BROKER_PLAIN_PORT) };
          expect(ports).toEqual({ bitbroker: Number(env.BROKER_PORT), health: Number(env.BROKER_HEALTH_PORT), ...plain });
          expect(exposed).toContain(ports.health!);
          expect(env.BROKER_AGONES).toBeUndefined();
          // Every Service's ports (tls.plainPort's has one of its own) name a port of the container.
          for (const service of docs.filter((d) => d.kind === "Service")) {
            for (const p of (service.spec as { ports: Array<{ targetPort: string }> }).ports) expect(Object.keys(ports)).toContain(p.targetPort);
          }
        }
      });

      test("probes run the image's healthcheck: liveness as the image's HEALTHCHECK, readiness with --ready", async () => {
        expect(container().readinessProbe?.exec.command).toEqual([...dockerHealthcheck, "--ready"]);
        if (kind === "Fleet") expect(container().livenessProbe).toBeUndefined(); // Agones's health pings decide
        else expect(container().livenessProbe?.exec.command).toEqual(dockerHealthcheck);
        // The real subcommand takes those arguments: with nothing listening it says unhealthy (1), not "bad argument" (2).
        for (const probe of [container().livenessProbe, container().readinessProbe]) {
          if (!probe) continue;
          const [, ...args] = probe.exec.command;
          const proc = Bun.spawn(["bun", "src/main.ts", ...args], { cwd: ROOT, env: { ...process.env, BROKER_HEALTH_PORT: "1" }, stdout: "ignore", stderr: "pipe" });
          expect(await proc.exited).toBe(1);
        }
      });

      test("the grace period covers preStop, BROKER_DRAIN_MS and the broker's own shutdown", () => {
        const env = envOf(container());
        const preStop = container().lifecycle?.preStop?.sleep?.seconds ?? 0;
        expect(Number(env.BROKER_DRAIN_MS)).toBeGreaterThan(0);
        expect(pod(workload()).terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + Math.ceil(Number(env.BROKER_DRAIN_MS) / 1000) + SHUTDOWN_SECONDS);
        if (kind === "Deployment") expect(preStop).toBeGreaterThan(0);
      });

      test("resources: requests hold the idle broker measured in README's start-up table, limits hold the requests", () => {
        const readme = readFileSync(join(ROOT, "README.md"), "utf8");
        const idleMiB = Number(readme.match(/^\| idle RSS after 1 s \| ([\d.]+) MiB/m)![1]);
        const { requests, limits } = container().resources;
        expect(mebibytes(requests.memory)).toBeGreaterThanOrEqual(idleMiB * 1.25);
        expect(mebibytes(limits.memory)).toBeGreaterThanOrEqual(mebibytes(requests.memory));
      });
    });
  }

  test("each pending setting is set by a manifest; those src/config.ts now has are named for removal", () => {
    const rendered = cases.flatMap(({ values, kind }) => pod(render(values).find((d) => d.kind === kind)!).containers.flatMap((c) => c.env.map((e) => e.name)));
    for (const name of Object.keys(PENDING)) expect([name, rendered.includes(name)]).toEqual([name, true]);
    const inTable = Object.keys(PENDING).filter((name) => Object.values(SETTINGS).some((s) => s.env === name));
    if (inTable.length > 0) console.log(`now in SETTINGS; remove from PENDING in test/fleet/manifests.test.ts: ${inTable.join(", ")}`);
  });
});
