// The HTTP port on Bun.serve: GET /health (and GET /, which the original compose file curls)
// and GET /matches read the same state machine as the TCP transport, plus the projections of
// its events. 503 while shutting down. Thin: every number comes from the broker or a projection.
import type { Server } from "bun";
import type { Broker } from "../broker/broker.ts";
import type { Snapshot } from "../broker/types.ts";
import type { RecentMatches } from "../matches/recent.ts";

/** The JSON of GET /health: the state machine's snapshot plus status, uptime and version. */
export type HealthBody = Omit<Snapshot, "stopping" | "draining"> & {
  readonly status: "ok" | "draining" | "stopping";
  readonly uptimeSeconds: number;
  readonly version: string;
  /** Counters of the records and replays (README "Records"), when the broker keeps them. */
  readonly records?: Record<string, unknown>;
};

/** More routes, from a projection (records: GET /matches…, /leaderboard), tried before the built-in ones. */
export interface HttpRoutes {
  /** Does it answer this path? */
  owns(pathname: string): boolean;
  /** The answer to a GET of a path it owns. */
  handle(url: URL): Promise<Response>;
  /** The `records` field of GET /health. */
  health(): Record<string, unknown>;
}

/** The broker's clock (monotonic ms) as a wall-clock time. */
export const isoTime = (ms: number): string => new Date(performance.timeOrigin + ms).toISOString();

export function startHealth(broker: Broker, host: string, port: number, version: string, recent: RecentMatches, extra?: HttpRoutes): Server<undefined> {
  const startedMs = performance.now();
  const routes: Record<string, () => Response> = {
    "/": health,
    "/health": health,
    "/matches": () => Response.json(matches(broker, recent)),
  };
  function health(): Response {
    const { stopping, draining, ...snapshot } = broker.snapshot();
    const body: HealthBody = {
      status: stopping ? "stopping" : draining ? "draining" : "ok",
      ...snapshot,
      uptimeSeconds: Math.round((performance.now() - startedMs) / 100) / 10,
      version,
      ...(extra ? { records: extra.health() } : {}),
    };
    return Response.json(body, { status: stopping ? 503 : 200 });
  }
  return Bun.serve({
    hostname: host,
    port,
    fetch(request) {
      const url = new URL(request.url);
      const owned = extra?.owns(url.pathname) ?? false;
      const route = routes[url.pathname];
      if (!owned && !route) return Response.json({ error: "not found" }, { status: 404 });
      if (request.method !== "GET" && request.method !== "HEAD") {
        return Response.json({ error: "method not allowed" }, { status: 405, headers: { allow: "GET, HEAD" } });
      }
      return owned ? extra!.handle(url) : route!();
    },
  });
}

/** GET /matches: the running matches (from the broker) and the last ended ones (a projection). */
function matches(broker: Broker, recent: RecentMatches): { running: unknown[]; ended: unknown[] } {
  const nowMs = performance.now();
  const running = broker.runningMatches().map((m) => {
    const seconds = (nowMs - m.startedAtMs) / 1000;
    return { id: m.id, room: m.room, bots: m.bots, turn: m.turn, startedAt: isoTime(m.startedAtMs), turnsPerSecond: seconds > 0 ? Math.round((m.turn / seconds) * 10) / 10 : 0 };
  });
  const ended = recent.list().map((m) => ({
    id: m.id,
    room: m.room,
    bots: m.bots,
    code: m.code,
    reason: m.reason,
    turns: m.turns,
    startedAt: isoTime(m.startedAtMs),
    endedAt: isoTime(m.endedAtMs),
  }));
  return { running, ended };
}
