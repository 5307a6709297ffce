// The players' side of the HTTP port (README "Play in the browser"): `/ws`, where games and bots
// connect over WebSocket, and `/play`, the page where a person takes a bot's seat, with its assets
// and the game viewers it draws with. Open to anyone, ahead of the admin guard: players present
// their own tokens in their Hello (PROTOCOL.md §9.6), never the admin token. Thin: the page is
// static; the seat is an ordinary bot over /ws.
import type { Server, WebSocketHandler } from "bun";
import type { Viewers } from "../dashboard/viewers.ts";
import { WS_PATH, type WsData, type WsTransport } from "../transport/ws.ts";
import pageHtml from "./page/play.htm" with { type: "text" };
import playJs from "./page/play.js" with { type: "text" };
import protoJs from "./page/proto.js" with { type: "text" };
import styleCss from "./page/play.css" with { type: "text" };

export interface PlayerRoutes {
  /** Bun.serve's `websocket` option. */
  readonly websocket: WebSocketHandler<WsData>;
  /** undefined: upgraded (Bun owns the connection now); null: not a players' route; else the answer. */
  route(request: Request, url: URL, server: Server<WsData>): Response | undefined | null;
}

const JS = "text/javascript; charset=utf-8";
const ASSETS: Record<string, readonly [string, string]> = {
  "/play": [pageHtml, "text/html; charset=utf-8"],
  "/play/": [pageHtml, "text/html; charset=utf-8"],
  "/play/play.js": [playJs, JS],
  "/play/proto.js": [protoJs, JS],
  "/play/play.css": [styleCss, "text/css; charset=utf-8"],
};

/** @param ws null with BROKER_WS=off: then neither /ws nor /play is served (the page needs /ws). */
export function playerRoutes(ws: WsTransport | undefined, viewers: Viewers, version: string): PlayerRoutes {
  return {
    websocket: ws?.handler ?? { message() {} },
    route(request, url, server) {
      const path = url.pathname;
      if (path !== WS_PATH && path !== "/play" && !path.startsWith("/play/")) return null;
      if (!ws) return Response.json({ error: "not found", why: "BROKER_WS=off: no WebSocket clients, so no /ws and no /play" }, { status: 404 });
      if (path === WS_PATH) return ws.upgrade(request, server);
      if (request.method !== "GET" && request.method !== "HEAD") {
        return Response.json({ error: "method not allowed" }, { status: 405, headers: { allow: "GET, HEAD" } });
      }
      return asset(path, version) ?? viewer(viewers, url);
    },
  };
}

function asset(path: string, version: string): Response | null {
  const found = ASSETS[path];
  if (!found) return null;
  // The page names its client version in the seat's Hello (records show which page played).
  const body = path === "/play/play.js" ? found[0].replace("__BITBROKER_VERSION__", version) : found[0];
  return new Response(body, { headers: { "content-type": found[1], "cache-control": "no-cache" } });
}

/** GET /play/viewer-for?room=…&viewer=… and GET /play/viewers/NAME.js: the viewers of BROKER_VIEWERS_DIR. */
function viewer(viewers: Viewers, url: URL): Response {
  if (url.pathname === "/play/viewer-for") {
    const name = viewers.find(url.searchParams.get("viewer") ?? "", url.searchParams.get("room") ?? "");
    return Response.json({ viewer: name });
  }
  const named = /^\/play\/viewers\/([^/]+)\.js$/.exec(url.pathname);
  const source = named ? viewers.read(named[1]!) : null;
  if (source === null) return Response.json({ error: "not found" }, { status: 404 });
  return new Response(source, { headers: { "content-type": JS, "cache-control": "no-cache" } });
}
