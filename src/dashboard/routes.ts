// The dashboard's routes under /ui: the page and its assets (embedded in the executable by text
// imports), the live stream, and the game viewers. Access is checked before these run (http/).
import appJs from "./page/app.js" with { type: "text" };
import matchJs from "./page/match.js" with { type: "text" };
import replayJs from "./page/replay.js" with { type: "text" };
import pageHtml from "./page/index.htm" with { type: "text" };
import styleCss from "./page/style.css" with { type: "text" };
import type { DashboardStream } from "./stream.ts";
import type { Viewers } from "./viewers.ts";

const ASSETS: Record<string, readonly [string, string]> = {
  "/ui": [pageHtml, "text/html; charset=utf-8"],
  "/ui/": [pageHtml, "text/html; charset=utf-8"],
  "/ui/app.js": [appJs, "text/javascript; charset=utf-8"],
  "/ui/match.js": [matchJs, "text/javascript; charset=utf-8"],
  "/ui/replay.js": [replayJs, "text/javascript; charset=utf-8"],
  "/ui/style.css": [styleCss, "text/css; charset=utf-8"],
};

export interface DashboardDeps {
  readonly stream: DashboardStream;
  readonly viewers: Viewers;
}

/** Answers a GET under /ui, or null when the path is not the dashboard's. */
export function dashboardRoute(deps: DashboardDeps, url: URL): Response | null {
  const asset = ASSETS[url.pathname];
  if (asset) return new Response(asset[0], { headers: { "content-type": asset[1], "cache-control": "no-cache" } });
  if (url.pathname === "/ui/events") {
    const follow = url.searchParams.get("follow");
    return deps.stream.open(follow === null || follow === "" ? null : follow);
  }
  if (url.pathname === "/ui/viewer-for") {
    const name = deps.viewers.find(url.searchParams.get("room") ?? "", url.searchParams.get("client") ?? "");
    return Response.json({ viewer: name });
  }
  const viewer = /^\/ui\/viewers\/([^/]+)\.js$/.exec(url.pathname);
  if (viewer) {
    const source = deps.viewers.read(viewer[1]!);
    if (source === null) return Response.json({ error: "no such viewer" }, { status: 404 });
    return new Response(source, { headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" } });
  }
  return null;
}
