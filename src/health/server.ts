// Health endpoint on Bun.serve: GET /health (and GET /, which the original compose file curls)
// reads the same state machine as the TCP transport. 503 while shutting down.
import type { Server } from "bun";
import type { Broker } from "../broker/broker.ts";

export interface HealthBody {
  readonly status: "ok" | "stopping";
  readonly phase: string;
  readonly botsConnected: number;
  readonly botsExpected: number;
  readonly gameConnected: boolean;
  readonly turn: number;
  readonly matchesPlayed: number;
  readonly matchesAborted: number;
  readonly connections: number;
  readonly uptimeSeconds: number;
  readonly version: string;
}

export function startHealth(broker: Broker, host: string, port: number, version: string): Server<undefined> {
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
      const s = broker.snapshot();
      const body: HealthBody = {
        status: s.stopping ? "stopping" : "ok",
        phase: s.phase,
        botsConnected: s.botsConnected,
        botsExpected: s.botsExpected,
        gameConnected: s.gameConnected,
        turn: s.turn,
        matchesPlayed: s.matchesPlayed,
        matchesAborted: s.matchesAborted,
        connections: s.connections,
        uptimeSeconds: Math.round((performance.now() - startedMs) / 100) / 10,
        version,
      };
      return Response.json(body, { status: s.stopping ? 503 : 200 });
    },
  });
}
