// The chart's TLS (tls.secretName, tls.plainPort), both modes: what it renders (the Secret's mount,
// BROKER_TLS_* pointing into it, probes unchanged), then the real broker (bun src/main.ts) started
// with exactly that environment and those files, the chart's own probe commands run against it,
// and TLS (and plain-port) clients playing a match. Schema validation is test_manifests.py's.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBot, runGame } from "../../src/sdk/index.ts";
import { BrokerProcess, pollUntil } from "../e2e/harness.ts";
import { EchoBot, ScriptGame } from "../sdk/players.ts";
import { makeCerts, type TestCerts } from "../tls/certs.ts";
import { containerEnv, helm, mountSecretVolume, pod, render, runProbe, type Container, type Doc, type ExecProbe, type PodSpec } from "./chart.ts";
import { StandInSidecar } from "./sidecar.ts";

const available = helm() !== null;
if (!available && process.env.CI) throw new Error("helm is not installed: .ci/run installs it");
if (!available) console.log("skipped test/fleet/chart-tls.test.ts: helm is not installed (bash .ci/run installs it)");

const cases = [
  { values: "ci/deployment-tls-values.yaml", kind: "Deployment" },
  { values: "ci/agones-tls-values.yaml", kind: "Fleet" },
] as const;
/** The Secret both CI values files name, as cert-manager keeps one (with ca.crt beside). */
const SECRET = "bitbroker-tls";
const TLS_OFF = ["--set", "tls.secretName=", "--set", "tls.plainPort=null"];

const workload = (docs: Doc[], kind: string): Doc => docs.find((d) => d.kind === kind)!;
const broker = (p: PodSpec): Container => p.containers.find((c) => c.name === "bitbroker")!;
const probes = (c: Container): ExecProbe[] => [c.livenessProbe, c.readinessProbe].filter((p): p is ExecProbe => p !== undefined);
const quiet = () => {};

describe.skipIf(!available)("the chart with tls.secretName, rendered", () => {
  for (const { values, kind } of cases) {
    test(`${values}: the Secret's tls.crt and tls.key are mounted read-only where BROKER_TLS_CERT and BROKER_TLS_KEY point, readable by the broker's group alone`, () => {
      const spec = pod(workload(render([values]), kind));
      const c = broker(spec);
      const volume = spec.volumes.find((v) => v.secret?.secretName === SECRET)!;
      const mount = c.volumeMounts.find((m) => m.name === volume.name)!;
      expect(mount.readOnly).toBe(true);
      const files = Object.fromEntries(volume.secret!.items.map((i) => [`${mount.mountPath}/${i.path}`, i.key]));
      const env = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
      expect(files).toEqual({ [env.BROKER_TLS_CERT!]: "tls.crt", [env.BROKER_TLS_KEY!]: "tls.key" });
      expect(volume.secret!.defaultMode).toBe(0o440);
      expect(spec.securityContext.fsGroup).toBe(c.securityContext.runAsGroup);
    });

    test(`${values}: the probes are those of TLS off, the image's healthcheck, which reads BROKER_TLS_CERT from the same env`, () => {
      const on = broker(pod(workload(render([values]), kind)));
      const off = broker(pod(workload(render([values], ...TLS_OFF), kind)));
      expect(probes(on).length).toBe(kind === "Fleet" ? 1 : 2);
      expect(probes(on)).toEqual(probes(off));
      for (const p of probes(on)) {
        expect(p.exec.command.slice(0, 2)).toEqual(["/bitbroker", "healthcheck"]);
        expect(p.httpGet).toBeUndefined();
      }
      expect(off.env.map((e) => e.name).filter((n) => n.startsWith("BROKER_TLS") || n.startsWith("BROKER_PLAIN"))).toEqual([]);
      expect(off.volumeMounts.map((m) => m.name)).toEqual(["tmp"]);
    });
  }
});

let certs: TestCerts | undefined;
let running: BrokerProcess | undefined;
let sidecar: StandInSidecar | undefined;
let mountDir: string | undefined;
afterEach(async () => {
  await running?.stop();
  sidecar?.stop();
  for (const dir of [certs?.dir, mountDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  running = sidecar = certs = mountDir = undefined;
});

/** The Secret as cert-manager writes one: the chain, its key, and the CA (which the chart leaves out). */
async function tlsSecret(c: TestCerts): Promise<Record<string, string>> {
  return { "tls.crt": await Bun.file(c.chain).text(), "tls.key": await Bun.file(c.key).text(), "ca.crt": await Bun.file(c.ca).text() };
}

describe.skipIf(!available)("the real broker with exactly what the chart renders for TLS", () => {
  for (const { values, kind } of cases) {
    test(`${values}: the chart's probes pass over HTTPS, TLS clients play a match, and a renewed certificate fails them until a restart`, async () => {
      const spec = pod(workload(render([values]), kind));
      const c = broker(spec);
      certs = makeCerts();
      // The kubelet's part: the Secret volume's files, at a folder of ours instead of the mount path.
      const volume = spec.volumes.find((v) => v.secret?.secretName === SECRET)!;
      const mountPath = c.volumeMounts.find((m) => m.name === volume.name)!.mountPath;
      mountDir = mkdtempSync(join(tmpdir(), "bitbroker-chart-tls-"));
      mountSecretVolume(volume, await tlsSecret(certs), mountDir);
      expect(statSync(join(mountDir, "tls.key")).mode & 0o777).toBe(0o440);
      expect(await Bun.file(join(mountDir, "ca.crt")).exists()).toBe(false);
      const podEnv = containerEnv(c);
      const atMount = (file: string) => {
        expect(file.startsWith(`${mountPath}/`)).toBe(true);
        return join(mountDir!, file.slice(mountPath.length + 1));
      };
      const files = { BROKER_TLS_CERT: atMount(podEnv.BROKER_TLS_CERT!), BROKER_TLS_KEY: atMount(podEnv.BROKER_TLS_KEY!) };
      // The pod's environment. The test's only changes: its files where the mount is, free ports
      // from the OS on loopback (the chart's ports are checked in manifests.test.ts), no records.
      const env: Record<string, string> = {
        ...podEnv,
        ...files,
        BROKER_HOST: "127.0.0.1",
        BROKER_PORT: "0",
        BROKER_HEALTH_PORT: "0",
        BROKER_DB: "off",
        ...(podEnv.BROKER_PLAIN_PORT === undefined ? {} : { BROKER_PLAIN_PORT: "0", BROKER_PLAIN_HOST: "127.0.0.1" }),
      };
      if (kind === "Fleet") {
        // Agones sets AGONES_SDK_HTTP_PORT and runs its sidecar beside the broker: the stand-in here.
        sidecar = new StandInSidecar("cluster", { name: "bitbroker-tls-x7k2p", state: "Scheduled" });
        env.AGONES_SDK_HTTP_PORT = String(sidecar.port);
      }
      running = await BrokerProcess.start(env);
      const listening = running.logs.find((l) => l.event === "listening")!;
      expect(listening.tls).toBe(true);

      // The kubelet runs each probe in the container: the pod's env as rendered (BROKER_HOST
      // 0.0.0.0, the mounted files), with the health port the broker took.
      const probeEnv = { ...podEnv, ...files, BROKER_HEALTH_PORT: String(running.healthPort) };
      for (const probe of probes(c)) {
        const result = await pollUntil(() => runProbe(probe, probeEnv), (r) => r.code === 0, 30_000);
        expect(result.out).toMatch(/^(healthy|ready): /);
      }
      // It was HTTPS: plain HTTP on the health port gets no answer.
      expect(await fetch(`http://127.0.0.1:${running.healthPort}/health`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status, () => "no answer")).not.toBe(200);

      // Clients verify the broker against the CA. Under Agones they reach a node's address and
      // check the certificate for its name (serverName); a Deployment's plain port serves a v1 bot.
      const tls = kind === "Fleet" ? { ca: certs.ca, serverName: "localhost" } : { ca: certs.ca };
      const game = new ScriptGame(4);
      const plainPort = Number(listening.plainPort ?? 0);
      expect(plainPort > 0).toBe(kind === "Deployment");
      await Promise.all([
        runGame(game, "127.0.0.1", running.port, { tls, log: quiet }),
        runBot(new EchoBot("tls"), "127.0.0.1", running.port, { tls, log: quiet }),
        plainPort > 0
          ? runBot(new EchoBot("plain"), "127.0.0.1", plainPort, { tls: false, log: quiet })
          : runBot(new EchoBot("tls2"), "127.0.0.1", running.port, { tls, log: quiet }),
      ]);
      expect(game.replies.length).toBe(4);
      expect(game.bots.map((b) => b.name).sort()).toEqual(kind === "Deployment" ? ["plain", "tls"] : ["tls", "tls2"]);

      // Renewal: the kubelet rewrites the files; the broker still serves the certificate it read at
      // start, so the probes fail and say why (values.yaml: a restart picks the new one up).
      const renewed = makeCerts();
      try {
        mountSecretVolume(volume, await tlsSecret(renewed), mountDir);
      } finally {
        rmSync(renewed.dir, { recursive: true, force: true });
      }
      for (const probe of probes(c)) {
        const result = await runProbe(probe, probeEnv);
        expect(result.code).toBe(1);
        expect(result.out).toContain("is not the one in BROKER_TLS_CERT");
      }
    }, 90_000);
  }
});
