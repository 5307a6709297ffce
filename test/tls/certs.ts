// Certificates made by the tests with openssl (on the machine): a CA, a broker certificate it
// signed for localhost and 127.0.0.1 (the file holds the chain, leaf first), and a second CA that
// signed nothing of ours. Valid for a day; written to a fresh temporary folder (`suiteCerts`: made
// before a file's tests, removed after them).
import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCerts {
  readonly dir: string;
  /** The CA that signed the broker's certificate. */
  readonly ca: string;
  /** Another CA: a client trusting only it must refuse the broker. */
  readonly otherCa: string;
  /** The broker's certificate chain (leaf, then the CA) and its key. */
  readonly chain: string;
  readonly leaf: string;
  readonly key: string;
}

function openssl(dir: string, ...args: string[]): void {
  const r = Bun.spawnSync(["openssl", ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${r.stderr.toString()}`);
}

export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), "bitbroker-tls-"));
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(dir, "req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=BitBroker Test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
  openssl(dir, "req", "-x509", ...ec, "-keyout", "other.key", "-out", "other.pem", "-days", "1", "-subj", "/CN=Another CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
  openssl(dir, "req", ...ec, "-keyout", "broker.key", "-out", "broker.csr", "-subj", "/CN=localhost");
  writeFileSync(join(dir, "ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  openssl(dir, "x509", "-req", "-in", "broker.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "broker.pem", "-days", "1", "-extfile", "ext.cnf");
  const chain = join(dir, "chain.pem");
  writeFileSync(chain, Bun.spawnSync(["cat", join(dir, "broker.pem"), join(dir, "ca.pem")]).stdout);
  return { dir, ca: join(dir, "ca.pem"), otherCa: join(dir, "other.pem"), chain, leaf: join(dir, "broker.pem"), key: join(dir, "broker.key") };
}

/** Certificates for a test file: made before its first test, their folder removed after its last. */
export function suiteCerts(): TestCerts {
  const certs = {} as TestCerts;
  beforeAll(() => {
    Object.assign(certs, makeCerts());
  });
  afterAll(() => rmSync(certs.dir, { recursive: true, force: true }));
  return certs;
}
