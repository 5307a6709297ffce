// The fleet driver against the stand-in sidecar (cluster mode, real HTTP on loopback): what it calls,
// in what order, and what it never does (Ready twice, invalid labels, a call per event).
import { afterEach, describe, expect, test } from "bun:test";
import { FleetDriver, type FleetOptions } from "../../src/fleet/driver.ts";
import type { FleetLog } from "../../src/fleet/queue.ts";
import { PREFIX, StandInSidecar, type GameServerFile, type Recorded } from "./sidecar.ts";

let sidecar: StandInSidecar | undefined;
let driver: FleetDriver | undefined;
afterEach(async () => {
  await driver?.stop(100);
  sidecar?.stop();
  driver = sidecar = undefined;
});

const lines: Array<{ level: string; event: string; fields: Record<string, unknown> }> = [];
const log: FleetLog = (level, event, fields) => lines.push({ level, event, fields });

function start(file: GameServerFile, over: Partial<FleetOptions> = {}): { sidecar: StandInSidecar; driver: FleetDriver } {
  lines.length = 0;
  sidecar = new StandInSidecar("cluster", { state: "Scheduled", health: { periodSeconds: 1 }, ...file });
  driver = new FleetDriver({ sdkPort: sidecar.port, version: "test", log, queued: () => 0, callTimeoutMs: 300, metadataIntervalMs: 200, watchIntervalMs: 200, ...over });
  return { sidecar, driver };
}

const calls = (rs: readonly Recorded[], method: string, path: string) => rs.filter((r) => r.method === method && r.path === path);
const labelCalls = (rs: readonly Recorded[]) => calls(rs, "PUT", "/metadata/label");

describe("FleetDriver", () => {
  test("on listening: labels first, then GET /gameserver and Ready; then Health pings at half the health period", async () => {
    const { sidecar, driver } = start({});
    driver.listening();
    await sidecar.waitFor("Ready", (rs) => calls(rs, "POST", "/ready").length === 1);
    await sidecar.waitFor("two pings after Ready", (rs) => calls(rs.slice(rs.findIndex((r) => r.path === "/ready")), "POST", "/health").length >= 2);
    const paths = sidecar.requests.filter((r) => r.path !== "/health").map((r) => `${r.method} ${r.path}`);
    expect(paths.slice(0, 9)).toEqual([
      ...Array(4).fill("PUT /metadata/label"),
      ...Array(3).fill("PUT /metadata/annotation"),
      "GET /gameserver",
      "POST /ready",
    ]);
    expect(sidecar.gameServerState).toBe("Ready");
    expect(sidecar.metadata.labels).toEqual({
      [`${PREFIX}bitbroker-state`]: "serving",
      [`${PREFIX}bitbroker-running`]: "0",
      [`${PREFIX}bitbroker-queued`]: "0",
      [`${PREFIX}bitbroker-rooms`]: "0",
    });
    // Every call carried one JSON object (the sidecar refuses a body-less /health) and was answered 200.
    for (const r of sidecar.requests) {
      expect([r.path, r.status]).toEqual([r.path, 200]);
      if (r.method !== "GET") expect(typeof JSON.parse(r.text)).toBe("object");
    }
  });

  test("once allocated it stays allocated: matches come and go, Ready is never called again", async () => {
    const { sidecar, driver } = start({});
    driver.listening();
    await sidecar.waitFor("Ready", (rs) => calls(rs, "POST", "/ready").length === 1);
    await fetch(`http://127.0.0.1:${sidecar.port}/allocate`, { method: "POST", body: "{}" });
    for (let i = 1; i <= 20; i++) {
      driver.onEvent({ type: "match_started", match: { id: String(i), room: i % 2 ? "chess" : "go" } });
      driver.onEvent({ type: "match_ended", matchId: String(i), room: i % 2 ? "chess" : "go", code: "ended" });
    }
    await sidecar.waitFor("the load annotation after 20 matches", () => (sidecar.metadata.annotations[`${PREFIX}bitbroker-load`] ?? "").includes('"played":20'));
    await sidecar.waitFor("the state seen as Allocated", () => lines.some((l) => l.event === "agones allocated"));
    expect(calls(sidecar.requests, "POST", "/ready")).toHaveLength(1);
    expect(sidecar.gameServerState).toBe("Allocated");
    expect(JSON.parse(sidecar.metadata.annotations[`${PREFIX}bitbroker-rooms`]!)).toEqual({
      rooms: [
        { name: "chess", running: 0, played: 10 },
        { name: "go", running: 0, played: 10 },
      ],
      omitted: 0,
    });
  });

  test("rooms are remembered up to a bound: 5,000 one-match rooms leave 4,096, the 64 busiest listed", async () => {
    const { sidecar, driver } = start({});
    driver.listening();
    await sidecar.waitFor("Ready", (rs) => calls(rs, "POST", "/ready").length === 1);
    for (let i = 0; i < 5000; i++) {
      driver.onEvent({ type: "match_started", match: { id: String(i), room: `room-${i}` } });
      driver.onEvent({ type: "match_ended", matchId: String(i), room: `room-${i}`, code: "ended" });
    }
    driver.onEvent({ type: "match_started", match: { id: "busy", room: "room-0" } });
    const rooms = () => sidecar.metadata.annotations[`${PREFIX}bitbroker-rooms`] ?? "";
    await sidecar.waitFor("the rooms annotation", () => rooms().includes('"omitted":4032'));
    const listed = JSON.parse(rooms()) as { rooms: Array<{ name: string; running: number; played: number }> };
    expect(listed.rooms).toHaveLength(64);
    expect(listed.rooms[0]).toEqual({ name: "room-0", running: 1, played: 0 });
  });

  test("labels are throttled: 200 events within one interval cost a few calls, never one per event", async () => {
    const { sidecar, driver } = start({}, { metadataIntervalMs: 60_000 });
    driver.listening();
    await sidecar.waitFor("Ready", (rs) => calls(rs, "POST", "/ready").length === 1);
    const before = labelCalls(sidecar.requests).length;
    for (let i = 0; i < 100; i++) driver.onEvent({ type: "match_started", match: { id: String(i), room: "r" } });
    for (let i = 0; i < 100; i++) driver.onEvent({ type: "match_ended", matchId: String(i), room: "r", code: "ended" });
    // Draining is flushed at once, and carries the counts as they are now.
    driver.onEvent({ type: "draining" });
    await sidecar.waitFor("draining", () => (sidecar.metadata.annotations[`${PREFIX}bitbroker-load`] ?? "").includes('"draining"'));
    expect(labelCalls(sidecar.requests).length - before).toBe(1);
    expect(JSON.parse(sidecar.metadata.annotations[`${PREFIX}bitbroker-load`]!)).toMatchObject({ running: 0, played: 100 });
  });

  test("finished: the last labels, then Shutdown as the last call; stop() resolves once it is through", async () => {
    const { sidecar, driver } = start({});
    driver.listening();
    await sidecar.waitFor("Ready", (rs) => calls(rs, "POST", "/ready").length === 1);
    driver.onEvent({ type: "match_started", match: { id: "1", room: "r" } });
    driver.onEvent({ type: "match_ended", matchId: "1", room: "r", code: "ended" });
    driver.onEvent({ type: "finished" });
    expect(await driver.stop(5000)).toBe(true);
    const last = sidecar.requests.filter((r) => r.path !== "/health").at(-1)!;
    expect(`${last.method} ${last.path}`).toBe("POST /shutdown");
    expect(sidecar.gameServerState).toBe("Shutdown");
    expect(sidecar.metadata.labels[`${PREFIX}bitbroker-state`]).toBe("finished");
    const count = sidecar.requests.length;
    await Bun.sleep(1200); // longer than a ping interval: a stopped driver calls nothing more
    expect(sidecar.requests.length).toBe(count);
  });

  test("a broker restarted inside an Allocated GameServer does not call Ready (that would hand it out again)", async () => {
    const { sidecar, driver } = start({ state: "Allocated" });
    driver.listening();
    await sidecar.waitFor("the state read", () => lines.some((l) => l.event === "agones ready not requested"));
    await sidecar.waitFor("a ping", (rs) => calls(rs, "POST", "/health").length >= 1);
    expect(calls(sidecar.requests, "POST", "/ready")).toHaveLength(0);
    expect(sidecar.gameServerState).toBe("Allocated");
  });

  test("a Ready that timed out but got through is not sent again, even once allocated meanwhile", async () => {
    const { sidecar, driver } = start({});
    // The first Ready is acted on at once but answered too late for the driver's 300 ms bound.
    let slowReady = true;
    sidecar.delay = (method, path) => (path === "/ready" && slowReady ? 1000 : 0);
    driver.listening();
    await sidecar.waitFor("Ready", (rs) => calls(rs, "POST", "/ready").length === 1);
    await fetch(`http://127.0.0.1:${sidecar.port}/allocate`, { method: "POST", body: "{}" });
    await sidecar.waitFor("the retry's GET /gameserver", () => lines.some((l) => l.event === "agones ready not requested"));
    slowReady = false;
    expect(calls(sidecar.requests, "POST", "/ready")).toHaveLength(1);
    expect(sidecar.gameServerState).toBe("Allocated");
    expect(lines.some((l) => l.event === "agones sidecar call failed" && l.fields.code === "timeout")).toBe(true);
  });

  test("a missing sidecar is logged once and retried; stop() gives up within its bound", async () => {
    const { sidecar: s } = start({});
    const port = s.port;
    s.stop(); // nothing listens on the port any more
    sidecar = undefined;
    driver = new FleetDriver({ sdkPort: port, version: "test", log, queued: () => 0, callTimeoutMs: 300, metadataIntervalMs: 200, watchIntervalMs: 200 });
    driver.listening();
    const failures = () => lines.filter((l) => l.event === "agones sidecar call failed");
    const deadline = Date.now() + 10_000;
    while (failures().length < 5 && Date.now() < deadline) await Bun.sleep(20);
    expect(failures().length).toBeGreaterThanOrEqual(5);
    expect(failures().filter((l) => l.level === "warn")).toHaveLength(1);
    driver.onEvent({ type: "finished" });
    expect(await driver.stop(200)).toBe(false);
    expect(lines.some((l) => l.event === "agones sidecar calls left unsent at exit")).toBe(true);
  });
});
