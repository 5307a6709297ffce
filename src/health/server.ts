// Health endpoint on Bun.serve: GET /health (and GET /, which the original compose file curls)
// reads the same state machine as the TCP transport. 503 while shutting down.
import type { Server } from "bun";
import type { Broker } from "../broker/broker.ts";
import type { Snapshot } from "../broker/types.ts";

/** The JSON of GET /health: the state machine's snapshot plus status, uptime, version and commit. */
export type HealthBody = Omit<Snapshot, "stopping"> & {
  readonly status: "ok" | "stopping";
  readonly uptimeSeconds: number;
  readonly version: string;
  /** The git commit of the build ("" when run from source), as `--version` prints it. */
  readonly commit: string;
};

export function startHealth(broker: Broker, host: string, port: number, version: string, commit = ""): Server<undefined> {
  const startedMs = performance.now();
  return Bun.serve({
    hostname: host,
    port,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path !== "/" && path !== "/health") return Response.json({ error: "not found" }, { status: 404 });
      if (request.method !== "GET" && request.method !== "HEAD") {
        return Response.json({ error: "method not allowed" }, { status: 405, headers: { allow: "GET, HEAD" } });
      }
      const { stopping, ...snapshot } = broker.snapshot();
      const body: HealthBody = {
        status: stopping ? "stopping" : "ok",
        ...snapshot,
        uptimeSeconds: Math.round((performance.now() - startedMs) / 100) / 10,
        version,
        commit,
      };
      return Response.json(body, { status: stopping ? 503 : 200 });
    },
  });
}
