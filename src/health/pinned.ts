// `bitbroker healthcheck` over TLS: one GET to the broker's own HTTPS port, trusting exactly the
// certificate in BROKER_TLS_CERT (pinned), whatever the name it was issued for. Client side only.
//
// Why not fetch: a container's healthcheck asks 127.0.0.1, while the certificate names the
// broker's public name, and a CA-issued certificate is no CA of its own (trusting it as one needs
// partial-chain trust, which Bun's TLS does not offer). So the chain is not checked against a CA:
// the peer must present the very certificate of the file, and the TLS handshake proves it holds
// that certificate's key. Bun's fetch has no hook for that (checkServerIdentity is not called when
// the chain is not verified), hence node:tls and a one-request HTTP/1.1 exchange.
import type { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { connect } from "node:tls";

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** GET `path` from host:port over TLS, accepting only the `pinned` certificate. Rejects with the reason. */
export function pinnedGet(host: string, port: number, path: string, pinned: X509Certificate, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // No CA check here: the pin below is the check (see the file's opening comment).
    const socket = connect({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      reject(e);
    };
    socket.once("error", fail);
    socket.once("secureConnect", () => {
      const peer = socket.getPeerX509Certificate();
      if (!peer || peer.fingerprint256 !== pinned.fingerprint256) {
        socket.destroy();
        return fail(new Error(`the server's certificate (SHA-256 ${peer?.fingerprint256 ?? "none"}) is not the one in BROKER_TLS_CERT (${pinned.fingerprint256})`));
      }
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${isIP(host) === 6 ? `[${host}]` : host}:${port}\r\nConnection: close\r\n\r\n`);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("end", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const headerEnd = text.indexOf("\r\n\r\n");
      if (!status || headerEnd < 0) return reject(new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 80))}`));
      resolve({ status: Number(status[1]), body: text.slice(headerEnd + 4) });
    });
  });
}
