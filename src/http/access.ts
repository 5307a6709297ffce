// Who may read the HTTP port's protected routes (README "HTTP routes and access"). With
// BROKER_ADMIN_TOKEN set: a bearer header or the dashboard's login cookie; without it: loopback
// peers only, judged by the socket's own peer address (no proxy header is ever trusted).
// Tokens are compared in constant time and never logged or echoed.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import loginPage from "../dashboard/page/login.htm" with { type: "text" };

/** Open to anyone, for probes (and `/` for non-browsers: the original compose file curls it). */
const OPEN_PATHS = new Set(["/health", "/ready", "/ui/login"]);
export const COOKIE = "bitbroker_admin";

/** True for an address of the loopback network: 127.0.0.0/8, ::1, and IPv4-mapped 127.x. */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  if (a === "::1" || a === "0:0:0:0:0:0:0:1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) return true;
  // ::ffff:7f00:1 is ::ffff:127.0.0.1 in hex.
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(a);
}

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();
/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

export class Access {
  /** The cookie's value: derived from the token, so the browser never holds the token itself. */
  private readonly session: string;

  constructor(private readonly token: string) {
    this.session = token === "" ? "" : createHmac("sha256", token).update("bitbroker dashboard session v1").digest("base64url");
  }

  get tokenSet(): boolean {
    return this.token !== "";
  }

  /** null: let it through; else the refusal. `peer` is the socket's peer address (null if unknown). */
  check(request: Request, url: URL, peer: string | null): Response | null {
    if (OPEN_PATHS.has(url.pathname) || (url.pathname === "/" && !wantsHtml(request))) return null;
    if (!this.tokenSet) {
      if (peer !== null && isLoopback(peer)) return null;
      return Response.json(
        { error: "forbidden", why: "without BROKER_ADMIN_TOKEN this route answers loopback clients only" },
        { status: 403 },
      );
    }
    if (this.authorized(request)) return null;
    if (wantsHtml(request)) return this.loginForm(401, "");
    return Response.json({ error: "unauthorized", why: "send Authorization: Bearer <BROKER_ADMIN_TOKEN>" }, { status: 401, headers: { "www-authenticate": 'Bearer realm="bitbroker"' } });
  }

  private authorized(request: Request): boolean {
    const auth = request.headers.get("authorization") ?? "";
    const bearer = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (bearer && same(bearer[1]!, this.token)) return true;
    const cookie = cookieValue(request.headers.get("cookie") ?? "", COOKIE);
    return cookie !== null && same(cookie, this.session);
  }

  /** GET shows the form; POST (form field `token`) sets the cookie and goes to /ui. */
  async login(request: Request): Promise<Response> {
    if (!this.tokenSet) return new Response(null, { status: 303, headers: { location: "/ui" } });
    if (request.method !== "POST") return this.loginForm(200, "");
    let given = "";
    try {
      const v = (await request.formData()).get("token");
      given = typeof v === "string" ? v : "";
    } catch {
      return this.loginForm(400, "The form could not be read.");
    }
    if (!same(given, this.token)) return this.loginForm(401, "That is not the admin token.");
    return new Response(null, {
      status: 303,
      headers: { location: "/ui", "set-cookie": `${COOKIE}=${this.session}; Path=/; HttpOnly; SameSite=Strict` },
    });
  }

  logout(): Response {
    return new Response(null, { status: 303, headers: { location: "/ui/login", "set-cookie": `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` } });
  }

  private loginForm(status: number, problem: string): Response {
    const html = loginPage.replace("<!--problem-->", problem === "" ? "" : `<p class="problem">${problem}</p>`);
    return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
  }
}

export function wantsHtml(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("text/html");
}

function cookieValue(header: string, name: string): string | null {
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
