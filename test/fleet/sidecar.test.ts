// The stand-in sidecar is held to the real one: it must give the recorded answer to every request of
// both transcripts, and follow the in-cluster rules the recordings cannot show (from Agones's source).
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { exchange, type EdgeExchange } from "./fixtures/record-sdk.ts";
import { PREFIX, StandInSidecar } from "./sidecar.ts";

const FIXTURES = new URL("./fixtures/agones-1.56.0/", import.meta.url).pathname;
const SHARED = new URL("../../../shared/k8s/agones-1.56.0/", import.meta.url).pathname;

interface Exchange {
  readonly request: { readonly method: string; readonly path: string; readonly body: unknown };
  readonly status: number;
  readonly response: unknown;
}
const transcript = JSON.parse(readFileSync(join(FIXTURES, "sdk-rest-local-transcript.json"), "utf8")) as Exchange[];
const edges = JSON.parse(readFileSync(join(FIXTURES, "sdk-rest-local-edges-transcript.json"), "utf8")) as EdgeExchange[];

/** The GameServer file both recordings were made with: `local-gs`, label app=arena, no status. */
const recordedFile = { name: "local-gs", labels: { app: "arena" } };

let sidecar: StandInSidecar | undefined;
afterEach(() => {
  sidecar?.stop();
  sidecar = undefined;
});

/** Error bodies: the same status, code and details; messages vary run to run in the real server too. */
function comparable(body: unknown): unknown {
  if (typeof body === "object" && body !== null && "code" in body && "message" in body) {
    const { message, ...rest } = body as { message: unknown };
    expect(typeof message).toBe("string");
    return rest;
  }
  return body;
}

async function call(s: StandInSidecar, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`http://127.0.0.1:${s.port}${path}`, { method, body: body === undefined ? null : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text === "" ? null : JSON.parse(text) };
}

describe("the stand-in against the recordings of the real SDK server", () => {
  test("gives the recorded answer to every exchange of sdk-rest-local-transcript.json, in order", async () => {
    sidecar = new StandInSidecar("local", recordedFile);
    expect(transcript.length).toBe(13);
    for (const [i, x] of transcript.entries()) {
      const got = await call(sidecar, x.request.method, x.request.path, x.request.body ?? undefined);
      expect({ i, status: got.status, body: comparable(got.body) }).toEqual({ i, status: x.status, body: comparable(x.response) });
    }
    expect(sidecar.gameServerState).toBe("Shutdown");
  });

  test("gives the recorded answer to every exchange of the edges transcript (bodies, methods, types)", async () => {
    sidecar = new StandInSidecar("local", recordedFile);
    expect(edges.length).toBeGreaterThan(20);
    for (const [i, x] of edges.entries()) {
      const got = await exchange(`http://127.0.0.1:${sidecar.port}`, x.request);
      expect({ i, status: got.status, contentType: got.contentType, body: comparable(got.response) }).toEqual({
        i,
        status: x.status,
        contentType: x.contentType,
        body: comparable(x.response),
      });
    }
  });

  test("the fixtures are the files of ../shared/k8s/agones-1.56.0 (when that folder is here)", () => {
    if (!existsSync(SHARED)) {
      console.log(`skipped: ${SHARED} is absent; the copies in ${FIXTURES} are used as they are`);
      return;
    }
    for (const name of ["fleet_v1.json", "fleetautoscaler_v1.json", "sdk-rest-local-transcript.json"]) {
      expect(readFileSync(join(FIXTURES, name), "utf8")).toBe(readFileSync(join(SHARED, name), "utf8"));
    }
  });
});

describe("the stand-in in cluster mode (the in-cluster SDK server and Kubernetes)", () => {
  test("refuses invalid label keys and values with 400 code 3, as SetLabel's validation does", async () => {
    sidecar = new StandInSidecar("cluster");
    expect(await call(sidecar, "PUT", "/metadata/label", { key: "bad key", value: "1" })).toMatchObject({ status: 400, body: { code: 3 } });
    expect(await call(sidecar, "PUT", "/metadata/label", { key: "k", value: "has space" })).toMatchObject({ status: 400, body: { code: 3 } });
    expect(await call(sidecar, "PUT", "/metadata/label", { key: "k", value: "x".repeat(64) })).toMatchObject({ status: 400, body: { code: 3 } });
    expect(await call(sidecar, "PUT", "/metadata/label", { key: "k", value: "x".repeat(63) })).toMatchObject({ status: 200 });
    // Annotation values are free text.
    expect(await call(sidecar, "PUT", "/metadata/annotation", { key: "k", value: '{"any": "text"}' })).toMatchObject({ status: 200 });
    expect(sidecar.metadata).toEqual({ labels: { [`${PREFIX}k`]: "x".repeat(63) }, annotations: { [`${PREFIX}k`]: '{"any": "text"}' } });
  });

  test("a key with its own / is answered 200, then lost with every later label", async () => {
    sidecar = new StandInSidecar("cluster");
    expect(await call(sidecar, "PUT", "/metadata/label", { key: "before", value: "1" })).toMatchObject({ status: 200 });
    expect(await call(sidecar, "PUT", "/metadata/label", { key: "bitbroker.dev/matches", value: "12" })).toMatchObject({ status: 200 });
    expect(await call(sidecar, "PUT", "/metadata/label", { key: "after", value: "2" })).toMatchObject({ status: 200 });
    // A key whose `sdk-` name grows past 63 characters is lost the same way.
    expect(await call(sidecar, "PUT", "/metadata/annotation", { key: "a".repeat(60), value: "x" })).toMatchObject({ status: 200 });
    expect(await call(sidecar, "PUT", "/metadata/annotation", { key: "b", value: "y" })).toMatchObject({ status: 200 });
    expect(sidecar.metadata).toEqual({ labels: { [`${PREFIX}before`]: "1" }, annotations: {} });
  });

  test("Ready from Allocated hands the server out again; Shutdown is final", async () => {
    sidecar = new StandInSidecar("cluster", { state: "Scheduled" });
    for (const [path, state] of [
      ["/ready", "Ready"],
      ["/allocate", "Allocated"],
      ["/ready", "Ready"],
      ["/allocate", "Allocated"],
      ["/shutdown", "Shutdown"],
      ["/ready", "Shutdown"],
      ["/allocate", "Shutdown"],
    ] as const) {
      expect(await call(sidecar, "POST", path, {})).toMatchObject({ status: 200 });
      expect([path, sidecar.gameServerState]).toEqual([path, state]);
    }
  });

  test("local mode lets Ready undo Shutdown, as the real local server does", async () => {
    sidecar = new StandInSidecar("local", recordedFile);
    await call(sidecar, "POST", "/shutdown", {});
    await call(sidecar, "POST", "/ready", {});
    expect(sidecar.gameServerState).toBe("Ready");
  });
});
