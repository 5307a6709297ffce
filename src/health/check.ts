// `bitbroker healthcheck [--ready]`: asks the health endpoint of a broker on this host; exit 0 if
// healthy (or, with --ready, if it takes new clients), 1 if not, with the reason. For Docker
// HEALTHCHECK, compose and Kubernetes probes, since distroless has no curl. With BROKER_TLS_CERT
// it speaks HTTPS and trusts exactly that certificate (pinned.ts).
import type { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { firstCertificate } from "../transport/tls.ts";
import { pinnedGet, type HttpAnswer } from "./pinned.ts";

const TIMEOUT_MS = 2000;

const HELP = `usage: bitbroker healthcheck [--ready] [--health-port N] [--host H] [--tls-cert FILE]

Asks GET /health of the broker on this host and exits 0 if it answers 200 (healthy),
1 if it does not (unhealthy: the reason is printed), 2 for a bad argument.
  --ready           ask GET /ready instead: 0 only while the broker takes new clients
                    (a readiness probe; not while draining or stopping)
  --health-port N   default: $BROKER_HEALTH_PORT, else 8080
  --host H          default: $BROKER_HOST unless it binds every address, else 127.0.0.1
  --tls-cert FILE   default: $BROKER_TLS_CERT; when set, HTTPS, and the broker must present
                    exactly this certificate (its first one), whatever name it was issued for`;

export async function healthcheck(argv: string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: { "health-port": { type: "string" }, host: { type: "string" }, ready: { type: "boolean" }, "tls-cert": { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }).values;
  } catch (e) {
    console.error(`healthcheck: ${(e as Error).message}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = values["health-port"] ?? env.BROKER_HEALTH_PORT ?? "8080";
  // The broker's own BROKER_HOST, unless it binds every address: then loopback reaches it.
  const bound = env.BROKER_HOST?.trim() ?? "";
  const host = values.host ?? (["", "0.0.0.0", "::"].includes(bound) ? "127.0.0.1" : bound);
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    console.error(`healthcheck: health port must be a whole number from 1 to 65535; got "${port}"`);
    return 2;
  }
  // Liveness asks /health (200 while the broker runs); readiness asks /ready (200 while it takes clients).
  const [path, yes, no] = values.ready ? ["/ready", "ready", "not ready"] : ["/health", "healthy", "unhealthy"];
  const certFile = (values["tls-cert"] ?? env.BROKER_TLS_CERT ?? "").trim();
  let pinned: X509Certificate | null = null;
  if (certFile !== "") {
    const errors: string[] = [];
    try {
      pinned = firstCertificate(readFileSync(certFile, "utf8"), certFile, errors);
    } catch (e) {
      errors.push(`cannot read ${certFile}: ${(e as Error).message}`);
    }
    if (!pinned) {
      console.error(`healthcheck: ${errors.join("; ")}`);
      return 2;
    }
  }
  const url = `${pinned ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}${path}`;
  try {
    const answer = pinned ? await pinnedGet(host, Number(port), path, pinned, TIMEOUT_MS) : await plainGet(url);
    if (answer.status === 200) {
      console.log(`${yes}: ${answer.body}`);
      return 0;
    }
    console.log(`${no}: ${url} answered ${answer.status}: ${answer.body}`);
    return 1;
  } catch (e) {
    console.log(`${no}: ${url}: ${(e as Error).message}`);
    return 1;
  }
}

async function plainGet(url: string): Promise<HttpAnswer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  return { status: response.status, body: await response.text() };
}
