// What the HTTP port serves beside /health and /matches (README "HTTP routes and access"):
// the access check in front of every route, GET /metrics, the dashboard under /ui, and `/` for
// browsers (the page; non-browsers keep getting health JSON). Thin: the work is in metrics/,
// dashboard/ and access.ts.
import type { Server } from "bun";
import type { Snapshot } from "../broker/types.ts";
import { dashboardRoute, type DashboardDeps } from "../dashboard/routes.ts";
import { CONTENT_TYPE } from "../metrics/exposition.ts";
import type { BrokerMetrics } from "../metrics/metrics.ts";
import type { ProcessSampler } from "../metrics/process.ts";
import { wantsHtml, type Access } from "./access.ts";

/** What the routes use of the server, whatever its WebSocket data. */
export type HttpServer = Pick<Server<unknown>, "requestIP" | "timeout">;

export interface HttpHooks {
  /** A refusal for a protected route without the right credentials, or null. */
  guard(request: Request, url: URL, server: HttpServer): Response | null;
  /** The answer of a route of these hooks, or null for the health server's own routes. */
  route(request: Request, url: URL, server: HttpServer): Response | Promise<Response> | null;
}

export interface RouteDeps extends DashboardDeps {
  readonly access: Access;
  readonly metrics: BrokerMetrics;
  readonly sampler: ProcessSampler;
  readonly snapshot: () => Snapshot;
  readonly version: string;
}

export function httpHooks(deps: RouteDeps): HttpHooks {
  return {
    guard(request, url, server) {
      return deps.access.check(request, url, server.requestIP(request)?.address ?? null);
    },
    route(request, url, server) {
      const path = url.pathname;
      if (path === "/ui/login") return deps.access.login(request);
      if (path === "/ui/logout" && request.method === "POST") return deps.access.logout();
      if (request.method !== "GET" && request.method !== "HEAD") return null;
      if (path === "/" && wantsHtml(request)) return new Response(null, { status: 302, headers: { location: "/ui" } });
      if (path === "/metrics") {
        return new Response(deps.metrics.render(deps.snapshot(), deps.sampler.figures(), deps.version), { headers: { "content-type": CONTENT_TYPE } });
      }
      if (path === "/ui" || path.startsWith("/ui/")) {
        // A live stream stays open: no idle timeout for it.
        if (path === "/ui/events") server.timeout(request, 0);
        return dashboardRoute(deps, url) ?? Response.json({ error: "not found" }, { status: 404 });
      }
      return null;
    },
  };
}
