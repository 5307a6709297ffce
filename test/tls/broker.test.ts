// TLS through the real broker (README "TLS"): SDK games and bots verified against the test's CA,
// clients that must be refused (another CA, another name, plain bytes on the TLS port), the plain
// port beside TLS serving a v1 client in the same match, HTTPS health and the healthcheck.
import { afterEach, expect, test } from "bun:test";
import { connect as netConnect } from "node:net";
import { runBot, runGame, type SdkError } from "../../src/sdk/index.ts";
import { BrokerProcess, pollUntil } from "../e2e/harness.ts";
import { joinBot, playBot } from "../e2e/players.ts";
import { EchoBot, ScriptGame, rejection } from "../sdk/players.ts";
import { suiteCerts } from "./certs.ts";

const certs = suiteCerts();
let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const tlsEnv = () => ({ BROKER_TLS_CERT: certs.chain, BROKER_TLS_KEY: certs.key });
const quiet = () => {};


/** `bitbroker healthcheck` from source, with this environment: its exit code and what it printed. */
async function healthcheck(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(["bun", "src/main.ts", "healthcheck", ...args], {
    cwd: new URL("../..", import.meta.url).pathname,
    env: { ...process.env, BROKER_HOST: "127.0.0.1", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: out + err };
}

/** An HTTPS GET of the health port, trusting the test's CA. */
async function httpsHealth(b: BrokerProcess): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`https://localhost:${b.healthPort}/health`, { tls: { ca: await Bun.file(certs.ca).text() } });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

test("a game and two bots play a match over TLS, each verifying the broker against the test's CA", async () => {
  broker = await BrokerProcess.start({ ...tlsEnv(), BROKER_NUM_PLAYERS: "2" });
  expect(broker.logs.find((l) => l.event === "listening")?.tls).toBe(true);
  const tls = { ca: certs.ca };
  const game = new ScriptGame(4);
  const a = new EchoBot("A");
  await Promise.all([
    runGame(game, "127.0.0.1", broker.port, { tls, log: quiet }),
    runBot(a, "127.0.0.1", broker.port, { tls, log: quiet }),
    // The CA's text instead of its file, and the certificate checked for the name localhost.
    runBot(new EchoBot("B"), "127.0.0.1", broker.port, { tls: { ca: await Bun.file(certs.ca).text(), serverName: "localhost" }, log: quiet }),
  ]);
  expect(game.bots.map((b) => b.name).sort()).toEqual(["A", "B"]);
  expect(game.replies).toEqual([0, 1, 2, 3].map((t) => `${game.bots[t % 2]!.name}:turn ${t}`));
  expect((await httpsHealth(broker)).body.matchesPlayed).toBe(1);
});

test("a client that does not trust the broker's certificate fails at once with connect_failed, and the broker goes on", async () => {
  broker = await BrokerProcess.start({ ...tlsEnv(), BROKER_NUM_PLAYERS: "1" });
  const said: string[] = [];
  const log = (_: string, m: string) => said.push(m);
  const wrongCa = await rejection(runBot(new EchoBot("W"), "127.0.0.1", broker.port, { tls: { ca: certs.otherCa }, log }));
  expect(wrongCa.code).toBe("connect_failed");
  expect(wrongCa.message).toContain(`TLS failed, its certificate checked against the CA in ${certs.otherCa}`);
  // The chain ends in a CA it does not know (the broker sends its CA along).
  expect(wrongCa.message).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  const wrongName = await rejection(runBot(new EchoBot("N"), "127.0.0.1", broker.port, { tls: { ca: certs.ca, serverName: "broker.example.com" }, log }));
  expect(wrongName.code).toBe("connect_failed");
  expect(wrongName.message).toContain("ERR_TLS_CERT_ALTNAME_INVALID");
  // The system's CAs do not know the test's CA either.
  const system = await rejection(runBot(new EchoBot("S"), "127.0.0.1", broker.port, { tls: true, log }));
  expect(system.message).toContain("checked against the system's CAs");
  // Not retried: the broker answered, and would answer the same again.
  expect(said.filter((m) => m.includes("retrying"))).toEqual([]);
  await broker.waitForLogCount((l) => l.event === "tls handshake failed", 3);
  // The broker goes on: a trusting pair plays.
  const game = new ScriptGame(1);
  await Promise.all([runGame(game, "127.0.0.1", broker.port, { tls: { ca: certs.ca }, log: quiet }), runBot(new EchoBot("T"), "127.0.0.1", broker.port, { tls: { ca: certs.ca }, log: quiet })]);
  expect(game.replies).toEqual(["T:turn 0"]);
});

test("a plain client on the TLS port gets no v1 byte, is closed, and the broker logs it and goes on", async () => {
  broker = await BrokerProcess.start({ ...tlsEnv(), BROKER_NUM_PLAYERS: "1" });
  const port = broker.port;
  const got = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = netConnect({ host: "127.0.0.1", port }, () => s.write("AAI=\nACJSAVg=\n"));
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("error", () => {});
    s.on("close", () => resolve(Buffer.concat(chunks)));
    setTimeout(() => reject(new Error("the broker never closed the plain client")), 20_000).unref();
  });
  // At most a TLS alert (content type 0x15), never a base64 line.
  expect(got.includes(0x0a)).toBe(false);
  if (got.length > 0) expect(got[0]).toBe(0x15);
  const failed = await broker.waitForLog((l) => l.event === "tls handshake failed");
  expect(String(failed.peer)).toStartWith("127.0.0.1:");
  // The SDK without TLS on a TLS port: a clean error, not a hang.
  const plainSdk = await rejection(runBot(new EchoBot("P"), "127.0.0.1", port, { tls: false, log: quiet, readTimeoutMs: 20_000 }));
  expect(["connection_lost", "bad_base64"]).toContain(plainSdk.code);
  await pollUntil(() => httpsHealth(broker!), (h) => h.status === 200 && h.body.connections === 0);
  const game = new ScriptGame(1);
  await Promise.all([runGame(game, "127.0.0.1", port, { tls: { ca: certs.ca }, log: quiet }), runBot(new EchoBot("T"), "127.0.0.1", port, { tls: { ca: certs.ca }, log: quiet })]);
  expect(game.replies).toEqual(["T:turn 0"]);
});

test("BROKER_PLAIN_PORT serves a v1 client on 127.0.0.1 beside TLS clients, in one match", async () => {
  broker = await BrokerProcess.start({ ...tlsEnv(), BROKER_NUM_PLAYERS: "2", BROKER_PLAIN_PORT: "0" });
  const listening = broker.logs.find((l) => l.event === "listening")!;
  expect(listening.plainHost).toBe("127.0.0.1");
  const plainPort = Number(listening.plainPort);
  expect(plainPort).toBeGreaterThan(0);
  const v1 = await joinBot(plainPort, "Plain");
  await broker.waitForLog((l) => l.event === "seat taken" && l.name === "Plain");
  const game = new ScriptGame(4);
  const [, , plain] = await Promise.all([
    runGame(game, "127.0.0.1", broker.port, { tls: { ca: certs.ca }, log: quiet }),
    runBot(new EchoBot("Secure"), "127.0.0.1", broker.port, { tls: { ca: certs.ca }, log: quiet }),
    playBot(v1, "Plain"),
  ]);
  // Seats in arrival order: the plain bot came first.
  expect(game.bots.map((b) => b.name)).toEqual(["Plain", "Secure"]);
  expect(game.replies).toEqual(["Plain:turn 0", "Secure:turn 1", "Plain:turn 2", "Secure:turn 3"]);
  expect(plain).toEqual({ states: ["turn 0", "turn 2"], end: "" });
});

test("bitbroker healthcheck speaks HTTPS to the broker's own certificate, and says so when it cannot", async () => {
  broker = await BrokerProcess.start({ ...tlsEnv() });
  const port = String(broker.healthPort);
  const ok = await healthcheck({ BROKER_HEALTH_PORT: port, BROKER_TLS_CERT: certs.chain });
  expect(ok.code).toBe(0);
  expect(ok.out).toStartWith("healthy: {");
  // The leaf alone is the same pin; a certificate the broker does not hold is not.
  expect((await healthcheck({ BROKER_HEALTH_PORT: port }, "--tls-cert", certs.leaf)).code).toBe(0);
  const other = await healthcheck({ BROKER_HEALTH_PORT: port, BROKER_TLS_CERT: certs.otherCa });
  expect(other.code).toBe(1);
  expect(other.out).toContain("is not the one in BROKER_TLS_CERT");
  // Plain HTTP to an HTTPS port: unhealthy, not a hang.
  expect((await healthcheck({ BROKER_HEALTH_PORT: port, BROKER_TLS_CERT: "" })).code).toBe(1);
  const missing = await healthcheck({ BROKER_HEALTH_PORT: port, BROKER_TLS_CERT: `${certs.dir}/missing.pem` });
  expect(missing.code).toBe(2);
  expect(missing.out).toContain("cannot read");
  expect(await broker.stop()).toBe(0);
  const gone = await healthcheck({ BROKER_HEALTH_PORT: port, BROKER_TLS_CERT: certs.chain });
  expect(gone.code).toBe(1);
  expect(gone.out).toStartWith("unhealthy: https://127.0.0.1:");
});
