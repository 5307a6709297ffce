// Liveness is not readiness: GET /ready (and `healthcheck --ready`) say whether the broker takes new
// clients, GET /health (and `healthcheck`) whether it is alive. The real endpoint and subcommand,
// reading a real state machine.
import { afterEach, expect, test } from "bun:test";
import { Broker } from "../../src/broker/broker.ts";
import { startHealth } from "../../src/health/server.ts";
import { RecentMatches } from "../../src/matches/recent.ts";
import { botHello, botName, endGame, gameHello } from "../../src/protocol/index.ts";
import { brokerSettings } from "../broker/driver.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
let server: ReturnType<typeof startHealth> | undefined;
afterEach(() => {
  server?.stop(true);
  server = undefined;
});

function serve(matchesMax: number | null): Broker {
  const broker = new Broker(brokerSettings({ botsPerMatch: 1, helloTimeoutMs: 1000, matchesMax }));
  server = startHealth(broker, { host: "127.0.0.1", port: 0, version: "test", commit: "", recent: new RecentMatches() });
  return broker;
}

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`http://127.0.0.1:${server!.port}${path}`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function healthcheck(...args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(["bun", "src/main.ts", "healthcheck", "--health-port", String(server!.port), ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  return { code: await proc.exited, out };
}

function playOneMatch(broker: Broker): void {
  broker.handle({ kind: "opened", conn: 1, peer: "127.0.0.1:1", address: "127.0.0.1" }, 0);
  broker.handle({ kind: "opened", conn: 2, peer: "127.0.0.1:2", address: "127.0.0.1" }, 0);
  broker.handle({ kind: "received", conn: 1, message: gameHello() }, 0);
  broker.handle({ kind: "received", conn: 2, message: botHello() }, 0);
  broker.handle({ kind: "received", conn: 2, message: botName("B") }, 0);
  broker.handle({ kind: "received", conn: 1, message: endGame() }, 0);
}

test("GET /ready is 200 while the broker takes clients, 503 once it stops; /health follows its own rule", async () => {
  const broker = serve(null);
  expect(await get("/ready")).toEqual({ status: 200, body: { ready: true, reason: "accepting" } });
  playOneMatch(broker);
  expect((await get("/ready")).status).toBe(200);
  broker.handle({ kind: "shutdown" }, 0);
  expect(await get("/ready")).toEqual({ status: 503, body: { ready: false, reason: "stopping" } });
  expect((await get("/health")).status).toBe(503);
});

test("after its last match (BROKER_MATCHES) the broker is alive but not ready", async () => {
  const broker = serve(1);
  playOneMatch(broker);
  expect(await get("/ready")).toEqual({ status: 503, body: { ready: false, reason: "finished" } });
  expect(await get("/health")).toMatchObject({ status: 200, body: { status: "ok", phase: "finished" } });
});

test("healthcheck --ready asks /ready: exit 0 while ready, 1 with the reason once not; plain healthcheck still 0", async () => {
  const broker = serve(1);
  const ready = await healthcheck("--ready");
  expect(ready.code).toBe(0);
  expect(ready.out).toStartWith('ready: {"ready":true');
  playOneMatch(broker);
  const notReady = await healthcheck("--ready");
  expect(notReady.code).toBe(1);
  expect(notReady.out).toContain(`not ready: http://127.0.0.1:${server!.port}/ready answered 503: {"ready":false,"reason":"finished"}`);
  expect((await healthcheck()).code).toBe(0);
});

test("healthcheck --ready with nothing listening exits 1 and says why", async () => {
  serve(null);
  const port = server!.port;
  server!.stop(true);
  server = undefined;
  const proc = Bun.spawn(["bun", "src/main.ts", "healthcheck", "--ready", "--health-port", String(port)], { cwd: ROOT, stdout: "pipe" });
  const out = await new Response(proc.stdout).text();
  expect(await proc.exited).toBe(1);
  expect(out).toStartWith(`not ready: http://127.0.0.1:${port}/ready: `);
});
