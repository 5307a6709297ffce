// The HTTP port on Bun.serve: GET /health (and GET /, which the original compose file curls),
// GET /ready and GET /matches read the same state machine as the TCP transport, plus the
// projections of its events. Liveness is not readiness: while the broker drains or stops it is
// alive, but takes no new clients. Thin: every number comes from the broker or a projection.
import type { Server } from "bun";
import type { Broker } from "../broker/broker.ts";
import type { Snapshot } from "../broker/types.ts";
import type { RecentMatches } from "../matches/recent.ts";
import type { HttpHooks } from "../http/routes.ts";
import type { PlayerRoutes } from "../play/routes.ts";
import type { WsData } from "../transport/ws.ts";
import type { TlsFiles } from "../transport/tls.ts";

/** The JSON of GET /health: the state machine's snapshot plus status, uptime and version. */
export type HealthBody = Omit<Snapshot, "stopping" | "draining"> & {
  readonly status: "ok" | "draining" | "stopping";
  readonly uptimeSeconds: number;
  readonly version: string;
  /** The git commit of the build ("" when run from source), as `--version` prints it. */
  readonly commit: string;
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

/** What the HTTP port serves, beside the broker itself. */
export interface HttpOptions {
  readonly host: string;
  readonly port: number;
  readonly version: string;
  readonly commit: string;
  /** The recently ended matches, when no records database pages them. */
  readonly recent: RecentMatches;
  /** Access (admin token or loopback), metrics and the dashboard (src/http). */
  readonly hooks?: HttpHooks;
  /** The records' routes (src/records). */
  readonly records?: HttpRoutes;
  /** With TLS (BROKER_TLS_CERT/KEY) the port speaks HTTPS only (and WebSocket as wss://). */
  readonly tls?: TlsFiles | null;
  /** Games and bots over WebSocket (/ws) and the human seat (/play): src/play/. */
  readonly players?: PlayerRoutes;
}

/** The JSON of GET /ready: 200 with ready true while new clients are taken, else 503 and why not. */
export interface ReadyBody {
  readonly ready: boolean;
  readonly reason: "accepting" | "draining" | "stopping" | "finished";
}

/** Whether the broker takes new clients now (a refused one would be told why). */
export function readiness(s: Snapshot): ReadyBody {
  if (s.stopping) return { ready: false, reason: "stopping" };
  if (s.phase === "finished") return { ready: false, reason: "finished" };
  if (s.draining) return { ready: false, reason: "draining" };
  return { ready: true, reason: "accepting" };
}

/** The broker's clock (monotonic ms) as a wall-clock time. */
export const isoTime = (ms: number): string => new Date(performance.timeOrigin + ms).toISOString();

export function startHealth(broker: Broker, options: HttpOptions): Server<WsData> {
  const { host, port, version, commit, recent, hooks, records, tls, players } = options;
  const startedMs = performance.now();
  const routes: Record<string, () => Response> = {
    "/": health,
    "/health": health,
    "/matches": () => Response.json(matches(broker, recent)),
    "/ready": () => {
      const body = readiness(broker.snapshot());
      return Response.json(body, { status: body.ready ? 200 : 503 });
    },
  };
  function health(): Response {
    const { stopping, draining, ...snapshot } = broker.snapshot();
    const body: HealthBody = {
      status: stopping ? "stopping" : draining ? "draining" : "ok",
      ...snapshot,
      uptimeSeconds: Math.round((performance.now() - startedMs) / 100) / 10,
      version,
      commit,
      ...(records ? { records: records.health() } : {}),
    };
    return Response.json(body, { status: stopping ? 503 : 200 });
  }
  return Bun.serve<WsData>({
    hostname: host,
    port,
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    // Without players' routes no connection is ever upgraded, and this handler never runs.
    websocket: players?.websocket ?? { message() {} },
    fetch(request, server) {
      const url = new URL(request.url);
      // The players' routes come before the admin guard: players present their own tokens, in their Hello.
      const played = players?.route(request, url, server) ?? null;
      if (played !== null) return played;
      // Access (BROKER_ADMIN_TOKEN or loopback) and the metrics and dashboard routes: src/http/.
      const refused = hooks?.guard(request, url, server);
      if (refused) return refused;
      const answered = hooks?.route(request, url, server);
      if (answered) return answered;
      const owned = records?.owns(url.pathname) ?? false;
      const route = routes[url.pathname];
      if (!owned && !route) return Response.json({ error: "not found" }, { status: 404 });
      if (request.method !== "GET" && request.method !== "HEAD") {
        return Response.json({ error: "method not allowed" }, { status: 405, headers: { allow: "GET, HEAD" } });
      }
      return owned ? records!.handle(url) : route!();
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
