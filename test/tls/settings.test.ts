// TLS settings: the broker's (config checks, the files read at start, exit 2 with every problem
// or 1 for a plain port in use) and the SDK's (the tls option and its environment defaults).
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { loadTls } from "../../src/transport/tls.ts";
import { resolveTls } from "../../src/sdk/tls.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { suiteCerts } from "./certs.ts";

const certs = suiteCerts();
beforeAll(() => {
  writeFileSync(join(certs.dir, "garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
  writeFileSync(join(certs.dir, "text.txt"), "hello\n");
});

const errorsOf = (env: Record<string, string>) => {
  const r = loadConfig([], env);
  return r.kind === "errors" ? r.errors : [];
};

describe("broker TLS settings", () => {
  test("a certificate needs its key and a key its certificate", () => {
    expect(errorsOf({ BROKER_TLS_CERT: "c.pem" })).toEqual(["BROKER_TLS_CERT is set but BROKER_TLS_KEY is not: TLS needs both"]);
    expect(errorsOf({ BROKER_TLS_KEY: "k.pem" })).toEqual(["BROKER_TLS_KEY is set but BROKER_TLS_CERT is not: TLS needs both"]);
  });

  test("a plain port is only beside TLS, on its own port number", () => {
    expect(errorsOf({ BROKER_PLAIN_PORT: "7879" })[0]).toStartWith("BROKER_PLAIN_PORT is for a plain port beside TLS");
    const tls = { BROKER_TLS_CERT: "c.pem", BROKER_TLS_KEY: "k.pem" };
    expect(errorsOf({ ...tls, BROKER_PLAIN_PORT: "7878" })).toEqual(["BROKER_PLAIN_PORT must differ from BROKER_PORT and BROKER_HEALTH_PORT; it is 7878"]);
    expect(errorsOf({ ...tls, BROKER_PLAIN_PORT: "x" })[0]).toStartWith("BROKER_PLAIN_PORT (--plain-port) must be a whole number");
    const r = loadConfig(["--plain-port", "7879", "--plain-host", "10.0.0.5"], tls);
    expect(r.kind === "config" && [r.config.plainPort, r.config.plainHost, r.config.tlsCert]).toEqual([7879, "10.0.0.5", "c.pem"]);
  });

  test("the files are read and checked: readable, PEM, and the key is the certificate's", () => {
    expect(loadTls(certs.chain, certs.key)).toMatchObject({ tls: { key: expect.stringContaining("PRIVATE KEY") }, info: { subject: "CN=localhost" } });
    const errors = (cert: string, key: string) => ("errors" in loadTls(cert, key) ? (loadTls(cert, key) as { errors: string[] }).errors : []);
    expect(errors(join(certs.dir, "missing.pem"), certs.key)[0]).toStartWith(`BROKER_TLS_CERT: cannot read ${join(certs.dir, "missing.pem")}: ENOENT`);
    expect(errors(join(certs.dir, "text.txt"), certs.key)).toEqual([`BROKER_TLS_CERT: ${join(certs.dir, "text.txt")} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`]);
    expect(errors(join(certs.dir, "garbage.pem"), certs.key)[0]).toStartWith(`BROKER_TLS_CERT: certificate 1 of ${join(certs.dir, "garbage.pem")} does not parse`);
    expect(errors(certs.chain, certs.chain)[0]).toStartWith(`BROKER_TLS_KEY: ${certs.chain} holds no PEM private key that parses`);
    expect(errors(certs.chain, join(certs.dir, "other.key"))).toEqual([`BROKER_TLS_KEY: ${join(certs.dir, "other.key")} is not the private key of the certificate in ${certs.chain}`]);
  });

  test("the broker stops with exit 2 and every problem of its TLS files, before it listens", async () => {
    const run = async (env: Record<string, string>) => {
      const proc = Bun.spawn(["bun", "src/main.ts"], {
        cwd: new URL("../..", import.meta.url).pathname,
        env: { ...process.env, BROKER_HOST: "127.0.0.1", BROKER_PORT: "0", BROKER_HEALTH_PORT: "0", ...env },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      return { code, err, listened: out.includes("listening") };
    };
    const bad = await run({ BROKER_TLS_CERT: join(certs.dir, "missing.pem"), BROKER_TLS_KEY: join(certs.dir, "text.txt") });
    expect(bad).toMatchObject({ code: 2, listened: false });
    expect(bad.err).toContain("BROKER_TLS_CERT: cannot read");
    expect(bad.err).toContain(`BROKER_TLS_KEY: ${join(certs.dir, "text.txt")} holds no PEM private key`);
    const halves = await run({ BROKER_TLS_CERT: certs.chain });
    expect(halves).toMatchObject({ code: 2, listened: false });
    expect(halves.err).toContain("BROKER_TLS_KEY is not");
  });

  test("a plain port that cannot be bound is an operating error: exit 1, naming BROKER_PLAIN_PORT", async () => {
    const first = await BrokerProcess.start({ BROKER_TLS_CERT: certs.chain, BROKER_TLS_KEY: certs.key, BROKER_PLAIN_PORT: "0" });
    try {
      const taken = String(first.logs.find((l) => l.event === "listening")!.plainPort);
      const proc = Bun.spawn(["bun", "src/main.ts"], {
        cwd: new URL("../..", import.meta.url).pathname,
        env: { ...process.env, BROKER_HOST: "127.0.0.1", BROKER_PORT: "0", BROKER_HEALTH_PORT: "0", LOG_FORMAT: "json", BROKER_TLS_CERT: certs.chain, BROKER_TLS_KEY: certs.key, BROKER_PLAIN_PORT: taken },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
      expect(code).toBe(1);
      const line = out.split("\n").find((l) => l.includes("cannot listen"))!;
      expect(JSON.parse(line)).toMatchObject({ on: "BROKER_PLAIN_PORT, plain games and bots", port: Number(taken), hint: `is port ${taken} in use?` });
    } finally {
      await first.stop();
    }
  });
});

describe("SDK tls option", () => {
  const at = (option: Parameters<typeof resolveTls>[0], env: Record<string, string> = {}) => resolveTls(option, "127.0.0.1", 7878, env);

  test("off unless asked: the option wins whole, else the environment", () => {
    expect(at(undefined)).toBeNull();
    expect(at(false, { BITBROKER_TLS: "1", BITBROKER_TLS_CA: certs.ca })).toBeNull();
    expect(at(true, { BITBROKER_TLS_CA: certs.ca })).toEqual({ trusting: "the system's CAs" });
    expect(at(undefined, { BITBROKER_TLS: "on" })).toEqual({ trusting: "the system's CAs" });
    expect(at(undefined, { BITBROKER_TLS: "0", BITBROKER_TLS_CA: certs.ca })).toBeNull();
    expect(at(undefined, { BITBROKER_TLS_SERVER_NAME: "broker.example.com" })).toEqual({ trusting: "the system's CAs", serverName: "broker.example.com" });
  });

  test("a CA is a PEM file's path or its text, and only it is trusted", async () => {
    const pem = await Bun.file(certs.ca).text();
    expect(at(undefined, { BITBROKER_TLS_CA: certs.ca })).toEqual({ ca: pem, trusting: `the CA in ${certs.ca}` });
    expect(at({ ca: pem, serverName: "localhost" })).toEqual({ ca: pem, trusting: "the CA given in the tls option", serverName: "localhost" });
  });

  test("settings that cannot work are connect_failed errors that say why", () => {
    const fails = (option: Parameters<typeof resolveTls>[0], env: Record<string, string> = {}) => {
      try {
        at(option, env);
      } catch (e) {
        return [(e as { code: string }).code, (e as Error).message];
      }
      return null;
    };
    expect(fails(undefined, { BITBROKER_TLS: "maybe" })).toEqual(["connect_failed", 'cannot connect to the broker at 127.0.0.1:7878: BITBROKER_TLS must be one of 1, true, yes, on, 0, false, no, off; got "maybe"']);
    expect(fails({ ca: join(certs.dir, "missing.pem") })?.[1]).toStartWith(`cannot connect to the broker at 127.0.0.1:7878: cannot read the TLS CA file ${join(certs.dir, "missing.pem")}: ENOENT`);
    expect(fails({ ca: join(certs.dir, "text.txt") })).toEqual(["connect_failed", `cannot connect to the broker at 127.0.0.1:7878: the CA in ${join(certs.dir, "text.txt")} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`]);
  });
});
