// The real broker (bun src/main.ts, BROKER_AGONES=on) against the stand-in sidecar: the calls it
// makes through the life of matches, BROKER_MATCHES and SIGTERM, in order; and that a missing, hung
// or slow sidecar never stalls a match, while a stalled broker stops its Health pings.
import { afterEach, describe, expect, test } from "bun:test";
import { BrokerProcess } from "../e2e/harness.ts";
import { expectTwoBotMatch, joinBot, joinGame, playBot } from "../e2e/players.ts";
import { isCode } from "../../src/protocol/index.ts";
import { PREFIX, StandInSidecar, type Recorded } from "./sidecar.ts";

let broker: BrokerProcess | undefined;
let sidecar: StandInSidecar | undefined;
afterEach(async () => {
  if (broker?.proc.exitCode === null) broker.proc.kill("SIGCONT");
  await broker?.stop();
  sidecar?.stop();
  broker = sidecar = undefined;
});

/** A GameServer as a pod sees it before Ready, with a 1 s health period (pings every 500 ms). */
function standIn(): StandInSidecar {
  sidecar = new StandInSidecar("cluster", { name: "broker-abc12", state: "Scheduled", health: { periodSeconds: 1 } });
  return sidecar;
}

async function startBroker(sdkPort: number, env: Record<string, string> = {}): Promise<BrokerProcess> {
  broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2", BROKER_AGONES: "on", AGONES_SDK_HTTP_PORT: String(sdkPort), ...env });
  return broker;
}

const lifecycle = (rs: readonly Recorded[]) => rs.filter((r) => ["/ready", "/shutdown", "/allocate"].includes(r.path)).map((r) => r.path);
const count = (rs: readonly Recorded[], path: string) => rs.filter((r) => r.path === path).length;

/** Every call the broker made was well formed: a JSON object body on each POST and PUT, answered 200, plain keys. */
function expectWellFormed(rs: readonly Recorded[]): void {
  for (const r of rs) {
    expect([r.method, r.path, r.status]).toEqual([r.method, r.path, 200]);
    if (r.method === "GET") continue;
    const body = JSON.parse(r.text) as Record<string, unknown>;
    expect(typeof body).toBe("object");
    if (r.path.startsWith("/metadata/")) expect(String(body.key)).not.toContain("/");
  }
}

async function exited(b: BrokerProcess, timeoutMs = 10_000): Promise<number> {
  return await Promise.race([b.proc.exited, Bun.sleep(timeoutMs).then(() => -1)]);
}

describe("the broker with BROKER_AGONES=on", () => {
  test("life of two matches: Ready once, pings, labels; allocated stays allocated; SIGTERM: Shutdown last", async () => {
    const s = standIn();
    const b = await startBroker(s.port);
    await s.waitFor("Ready", (rs) => count(rs, "/ready") === 1);
    await s.waitFor("two Health pings", (rs) => count(rs, "/health") >= 2);
    expect((await fetch(`http://127.0.0.1:${b.healthPort}/ready`)).status).toBe(200);
    // The fleet allocates this GameServer (as a GameServerAllocation would); matches follow.
    await fetch(`http://127.0.0.1:${s.port}/allocate`, { method: "POST", body: "{}" });
    await b.waitForLog((l) => l.event === "agones allocated", 10_000);
    await expectTwoBotMatch(b);
    await expectTwoBotMatch(b);
    const rooms = () => s.metadata.annotations[`${PREFIX}bitbroker-rooms`] ?? "";
    await s.waitFor("the rooms after two matches", () => rooms().includes('"played":2'));
    expect(s.gameServerState).toBe("Allocated");
    expect(s.metadata.labels).toMatchObject({ [`${PREFIX}bitbroker-state`]: "serving", [`${PREFIX}bitbroker-running`]: "0" });
    expect(JSON.parse(rooms())).toEqual({ rooms: [{ name: "default", running: 0, played: 2 }], omitted: 0 });

    expect(await b.stop()).toBe(0);
    expect(lifecycle(s.requests)).toEqual(["/ready", "/allocate", "/shutdown"]);
    expect(s.requests.filter((r) => r.path !== "/health").at(-1)?.path).toBe("/shutdown");
    expect(s.gameServerState).toBe("Shutdown");
    expect(s.metadata.labels[`${PREFIX}bitbroker-state`]).toBe("finished");
    expectWellFormed(s.requests);
  }, 60_000);

  test("BROKER_MATCHES=1: after the match the labels say finished, then Shutdown, and the broker exits 0", async () => {
    const s = standIn();
    const b = await startBroker(s.port, { BROKER_MATCHES: "1" });
    await s.waitFor("Ready", (rs) => count(rs, "/ready") === 1);
    await expectTwoBotMatch(b);
    expect(await exited(b)).toBe(0);
    expect(lifecycle(s.requests)).toEqual(["/ready", "/shutdown"]);
    const rest = s.requests.filter((r) => r.path !== "/health");
    expect(rest.at(-1)?.path).toBe("/shutdown");
    expect(s.metadata.labels[`${PREFIX}bitbroker-state`]).toBe("finished");
    expect(JSON.parse(s.metadata.annotations[`${PREFIX}bitbroker-load`]!)).toEqual({ state: "finished", running: 0, queued: 0, played: 1 });
    expect(s.gameServerState).toBe("Shutdown");
    expectWellFormed(s.requests);
  }, 60_000);

  test("SIGTERM in the middle of a match: the clients are told, labels go to finished, Shutdown last, exit 0", async () => {
    const s = standIn();
    const b = await startBroker(s.port);
    await s.waitFor("Ready", (rs) => count(rs, "/ready") === 1);
    const game = await joinGame(b.port);
    const a = await joinBot(b.port, "A");
    await b.waitForLog((l) => l.event === "seat taken" && l.name === "A");
    const bot = await joinBot(b.port, "B");
    await b.waitForLog((l) => l.event === "match started");
    expect(isCode(await game.next(), 0, 0x11)).toBe(true);
    const bots = Promise.all([playBot(a, "A"), playBot(bot, "B")]);
    b.proc.kill("SIGTERM");
    expect(await exited(b)).toBe(0);
    expect((await bots).map((r) => r.end)).toEqual(["broker_shutdown: broker shutting down", "broker_shutdown: broker shutting down"]);
    expect(lifecycle(s.requests)).toEqual(["/ready", "/shutdown"]);
    expect(s.requests.filter((r) => r.path !== "/health").at(-1)?.path).toBe("/shutdown");
    expect(s.metadata.labels[`${PREFIX}bitbroker-state`]).toBe("finished");
    expectWellFormed(s.requests);
  }, 60_000);

  test("nothing listening on the sidecar's port: the match plays, the outage is logged once, exit 0", async () => {
    const s = standIn();
    const port = s.port;
    s.stop();
    sidecar = undefined;
    const b = await startBroker(port);
    await expectTwoBotMatch(b);
    await b.waitForLog((l) => l.event === "agones sidecar call failed" && l.code === "unreachable");
    expect(b.logs.filter((l) => l.event === "agones sidecar call failed" && l.level === "warn").length).toBeLessThanOrEqual(3);
    expect(await b.stop()).toBe(0);
    expect(b.logs.some((l) => l.event === "agones sidecar calls left unsent at exit")).toBe(true);
  }, 60_000);

  test("a hung sidecar: a whole match plays while no call is answered; once it answers, Ready goes through once", async () => {
    const s = standIn();
    const release = s.hold();
    const b = await startBroker(s.port);
    await s.waitFor("the first calls", (rs) => rs.length >= 2);
    await expectTwoBotMatch(b);
    // Past the broker's 2 s bound on a call: it gives up and retries, and matches still play.
    await b.waitForLog((l) => l.event === "agones sidecar call failed" && l.code === "timeout", 10_000);
    await expectTwoBotMatch(b);
    expect(s.answered).toBe(0);
    release();
    await s.waitFor("Ready after the sidecar answers", (rs) => count(rs, "/ready") === 1, 30_000);
    await b.waitForLog((l) => l.event === "agones sidecar answers again", 30_000);
    await expectTwoBotMatch(b);
    expect(count(s.requests, "/ready")).toBe(1);
    expect(s.gameServerState).toBe("Ready");
  }, 60_000);

  test("a slow sidecar (every answer 3 s late, past the 2 s bound): matches play on, calls are retried", async () => {
    const s = standIn();
    s.delay = () => 3000;
    const b = await startBroker(s.port);
    await expectTwoBotMatch(b);
    await b.waitForLog((l) => l.event === "agones sidecar call failed" && l.code === "timeout", 10_000);
    await expectTwoBotMatch(b);
    s.delay = () => 0;
    await s.waitFor("Ready", (rs) => count(rs, "/ready") === 1, 30_000);
    expect(await b.stop()).toBe(0);
  }, 60_000);

  test("a stopped event loop stops the Health pings; they resume with it, and the stall is logged", async () => {
    const s = standIn();
    const b = await startBroker(s.port);
    await s.waitFor("Ready and pings", (rs) => count(rs, "/ready") === 1 && count(rs, "/health") >= 2);
    b.proc.kill("SIGSTOP");
    await Bun.sleep(300); // a ping already on the wire may still land
    const before = count(s.requests, "/health");
    await Bun.sleep(2500); // five ping intervals: a stopped broker sends none
    expect(count(s.requests, "/health")).toBe(before);
    b.proc.kill("SIGCONT");
    await s.waitFor("pings again", (rs) => count(rs, "/health") > before);
    await b.waitForLog((l) => l.event === "event loop stalled");
  }, 60_000);
});
