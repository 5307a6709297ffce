// The broker's TLS files (BROKER_TLS_CERT, BROKER_TLS_KEY): read and checked once at start, so a
// bad file is a clear configuration error (exit 2), never a listener that fails its first client.
// Reads files and parses PEM with node:crypto; decides nothing about connections.
import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";

/** What Bun.listen and Bun.serve take as `tls`: the PEM texts. */
export interface TlsFiles {
  /** The certificate chain, leaf first (the file as it is). */
  readonly cert: string;
  readonly key: string;
}

/** What the start-up log says of the certificate. */
export interface TlsInfo {
  readonly subject: string;
  readonly subjectAltName: string;
  readonly validTo: string;
  /** Milliseconds since the epoch; the log warns when it has passed. */
  readonly validToMs: number;
  readonly fingerprint256: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export type TlsLoad = { readonly tls: TlsFiles; readonly info: TlsInfo } | { readonly errors: readonly string[] };

/** Reads and checks the certificate and key files: readable, PEM, and the key is the certificate's. */
export function loadTls(certFile: string, keyFile: string): TlsLoad {
  const errors: string[] = [];
  const cert = readText(certFile, "BROKER_TLS_CERT", errors);
  const key = readText(keyFile, "BROKER_TLS_KEY", errors);
  // Each file is checked on its own, so every problem is listed at once.
  const leaf = cert === null ? null : firstCertificate(cert, certFile, errors);
  const privateKey = key === null ? null : parseKey(key, keyFile, errors);
  if (leaf && privateKey && !leaf.checkPrivateKey(privateKey)) {
    errors.push(`BROKER_TLS_KEY: ${keyFile} is not the private key of the certificate in ${certFile}`);
  }
  if (errors.length > 0 || !leaf || cert === null || key === null) return { errors };
  return {
    tls: { cert, key },
    info: {
      subject: leaf.subject.replaceAll("\n", ", "),
      subjectAltName: leaf.subjectAltName ?? "",
      validTo: leaf.validTo,
      validToMs: Date.parse(leaf.validTo),
      fingerprint256: leaf.fingerprint256,
    },
  };
}

/** The first certificate of a PEM text (the leaf of a chain), or null (with the problem in `errors`). */
export function firstCertificate(pem: string, file: string, errors: string[]): X509Certificate | null {
  const blocks = pem.match(PEM_CERT);
  if (!blocks) {
    errors.push(`BROKER_TLS_CERT: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return null;
  }
  const parsed: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      parsed.push(new X509Certificate(block));
    } catch (e) {
      errors.push(`BROKER_TLS_CERT: certificate ${i + 1} of ${file} does not parse: ${(e as Error).message}`);
      return null;
    }
  }
  return parsed[0]!;
}

function parseKey(pem: string, file: string, errors: string[]): KeyObject | null {
  try {
    return createPrivateKey(pem);
  } catch (e) {
    errors.push(`BROKER_TLS_KEY: ${file} holds no PEM private key that parses (an encrypted key is not supported): ${(e as Error).message}`);
    return null;
  }
}

function readText(file: string, setting: string, errors: string[]): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    errors.push(`${setting}: cannot read ${file}: ${(e as Error).message}`);
    return null;
  }
}
