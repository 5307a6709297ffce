// Health endpoint on Bun.serve: GET /health (and GET /, which the original compose file curls) and
// GET /ready read the same state machine as the TCP transport. Liveness is not readiness: while the
// broker drains or stops it is alive, but takes no new clients.
import type { Server } from "bun";
import type { Broker } from "../broker/broker.ts";
import type { Snapshot } from "../broker/types.ts";

/** The JSON of GET /health: the state machine's snapshot plus status, uptime and version. */
export type HealthBody = Omit<Snapshot, "stopping"> & {
  readonly status: "ok" | "stopping";
  readonly uptimeSeconds: number;
  readonly version: string;
};

/** The JSON of GET /ready: 200 with ready true while new clients are taken, else 503 and why not. */
export interface ReadyBody {
  readonly ready: boolean;
  readonly reason: "accepting" | "stopping" | "finished";
}

/** Whether the broker takes new clients now (a refused one would be told "the broker is stopping"). */
export function readiness(s: Snapshot): ReadyBody {
  if (s.stopping) return { ready: false, reason: "stopping" };
  if (s.phase === "finished") return { ready: false, reason: "finished" };
  return { ready: true, reason: "accepting" };
}

export function startHealth(broker: Broker, host: string, port: number, version: string): Server<undefined> {
  const startedMs = performance.now();
  return Bun.serve({
    hostname: host,
    port,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path !== "/" && path !== "/health" && path !== "/ready") return Response.json({ error: "not found" }, { status: 404 });
      if (request.method !== "GET" && request.method !== "HEAD") {
        return Response.json({ error: "method not allowed" }, { status: 405, headers: { allow: "GET, HEAD" } });
      }
      if (path === "/ready") {
        const body = readiness(broker.snapshot());
        return Response.json(body, { status: body.ready ? 200 : 503 });
      }
      const { stopping, ...snapshot } = broker.snapshot();
      const body: HealthBody = {
        status: stopping ? "stopping" : "ok",
        ...snapshot,
        uptimeSeconds: Math.round((performance.now() - startedMs) / 100) / 10,
        version,
      };
      return Response.json(body, { status: stopping ? 503 : 200 });
    },
  });
}
