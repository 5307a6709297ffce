// Who may read the protected HTTP routes: the loopback test, the bearer token and the login
// cookie, checked on Request objects (no socket), then over real sockets against the broker.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Access, COOKIE, isLoopback } from "../../src/http/access.ts";
import { BrokerProcess } from "../e2e/harness.ts";

const req = (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) => new Request(`http://broker${path}`, { headers, ...init });
const check = (a: Access, path: string, headers: Record<string, string> = {}, peer: string | null = "10.1.2.3") =>
  a.check(req(path, headers), new URL(`http://broker${path}`), peer)?.status ?? 200;

test("loopback is 127.0.0.0/8, ::1 and IPv4-mapped 127.x; nothing else", () => {
  for (const a of ["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "::ffff:127.0.0.1", "::FFFF:127.9.9.9", "::ffff:7f00:1"]) expect([a, isLoopback(a)]).toEqual([a, true]);
  for (const a of ["10.0.0.1", "192.0.2.1", "0.0.0.0", "::", "::ffff:10.0.0.1", "fe80::1", "2001:db8::1", "128.0.0.1", "1127.0.0.1", "localhost", ""]) {
    expect([a, isLoopback(a)]).toEqual([a, false]);
  }
});

describe("without BROKER_ADMIN_TOKEN", () => {
  const a = new Access("");
  test("protected routes answer loopback peers only, whatever a proxy header claims", () => {
    for (const path of ["/metrics", "/matches", "/ui", "/ui/events", "/leaderboard", "/matches/x/replay", "/anything"]) {
      expect(check(a, path, {}, "127.0.0.1")).toBe(200);
      expect(check(a, path, { "x-forwarded-for": "127.0.0.1" }, "192.0.2.1")).toBe(403);
      expect(check(a, path, {}, null)).toBe(403);
    }
  });
  test("/health, /ready and / for non-browsers stay open to anyone", () => {
    for (const path of ["/health", "/ready", "/"]) expect(check(a, path)).toBe(200);
    expect(check(a, "/", { accept: "text/html" })).toBe(403);
  });
});

describe("with BROKER_ADMIN_TOKEN", () => {
  const a = new Access("s3cret-token");
  test("a protected route needs the bearer token, from any address, loopback included", () => {
    expect(check(a, "/metrics", {}, "127.0.0.1")).toBe(401);
    expect(check(a, "/metrics", { authorization: "Bearer wrong" })).toBe(401);
    expect(check(a, "/metrics", { authorization: "Bearer s3cret-token-and-more" })).toBe(401);
    expect(check(a, "/metrics", { authorization: "Bearer s3cret-token" })).toBe(200);
    expect(check(a, "/matches", { authorization: "bearer s3cret-token" }, "192.0.2.1")).toBe(200);
  });
  test("a browser without it gets the login form (401); the form sets a cookie that is not the token", async () => {
    const form = a.check(req("/ui", { accept: "text/html" }), new URL("http://broker/ui"), "127.0.0.1")!;
    expect(form.status).toBe(401);
    expect(await form.text()).toContain('action="/ui/login"');
    const wrong = await a.login(req("/ui/login", {}, { method: "POST", body: new URLSearchParams({ token: "nope" }) }));
    expect(wrong.status).toBe(401);
    const ok = await a.login(req("/ui/login", {}, { method: "POST", body: new URLSearchParams({ token: "s3cret-token" }) }));
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get("set-cookie")!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).not.toContain("s3cret-token");
    const value = /bitbroker_admin=([^;]+)/.exec(cookie)![1]!;
    expect(check(a, "/ui/events", { cookie: `other=1; ${COOKIE}=${value}` })).toBe(200);
    expect(check(a, "/ui/events", { cookie: `${COOKIE}=${value}x` })).toBe(401);
  });
});

describe("over real sockets", () => {
  let open: BrokerProcess;
  let locked: BrokerProcess;
  beforeAll(async () => {
    [open, locked] = await Promise.all([BrokerProcess.start(), BrokerProcess.start({ BROKER_ADMIN_TOKEN: "t0ken-for-tests" })]);
  });
  afterAll(async () => {
    await Promise.all([open.stop(), locked.stop()]);
  });

  test("with a token: 401 without it, 200 with it, on every protected route; /health stays open", async () => {
    const base = `http://127.0.0.1:${locked.healthPort}`;
    for (const path of ["/metrics", "/matches", "/ui", "/ui/app.js"]) {
      expect([path, (await fetch(base + path)).status]).toEqual([path, 401]);
      expect([path, (await fetch(base + path, { headers: { authorization: "Bearer t0ken-for-tests" } })).status]).toEqual([path, 200]);
    }
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(200);
  });

  test("the token is never logged", async () => {
    const r = await fetch(`http://127.0.0.1:${locked.healthPort}/ui/login`, { method: "POST", body: new URLSearchParams({ token: "t0ken-for-tests" }), redirect: "manual" });
    expect(r.status).toBe(303);
    expect(JSON.stringify(locked.logs)).not.toContain("t0ken-for-tests");
  });

  test("without a token: a loopback client other than 127.0.0.1 (here 127.0.0.2) is served", async () => {
    // The broker binds 127.0.0.1; 127.0.0.2 reaches it only if the broker binds it too, so ask the
    // kernel: a client socket bound to 127.0.0.2 connecting to 127.0.0.1 (Linux routes all 127/8).
    const r = await fetch(`http://127.0.0.1:${open.healthPort}/metrics`);
    expect(r.status).toBe(200);
    const proc = Bun.spawnSync(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--interface", "127.0.0.2", `http://127.0.0.1:${open.healthPort}/metrics`]);
    expect(proc.stdout.toString()).toBe("200");
  });
});
