// The shared TLS table (test/vectors/session.json "tls", read by the Python and Rust suites too):
// when the TypeScript SDK connects with TLS, trusting what, for which name, and its errors.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SdkError } from "../../src/sdk/index.ts";
import { resolveTls } from "../../src/sdk/tls.ts";
import table from "../vectors/session.json" with { type: "json" };

const dir = mkdtempSync(join(tmpdir(), "bitbroker-tls-table-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIUQ0E=\n-----END CERTIFICATE-----\n";
const files = { $CA: join(dir, "ca.pem"), $NOT_PEM: join(dir, "not.pem") };
writeFileSync(files.$CA, PEM);
writeFileSync(files.$NOT_PEM, "not a certificate\n");
const fill = (text: string): string => text.replace("$NOT_PEM", files.$NOT_PEM).replace("$CA", files.$CA).replace("$PEM", PEM);

describe("each TLS case of the shared table", () => {
  for (const c of table.tls.cases) {
    test(c.name, () => {
      const env = Object.fromEntries(Object.entries(c.env as Record<string, string>).map(([k, v]) => [k, fill(v)]));
      const given = "option" in c ? (c.option as boolean | { ca?: string; server_name?: string }) : undefined;
      const option = typeof given === "object" ? { ...(given.ca ? { ca: fill(given.ca) } : {}), ...(given.server_name ? { serverName: given.server_name } : {}) } : given;
      const expected = c.expect as { tls?: boolean; trusting?: string; server_name?: string; error?: string; error_starts?: string };
      let got: ReturnType<typeof resolveTls>;
      try {
        got = resolveTls(option, "h", 1, env);
      } catch (e) {
        expect(e).toBeInstanceOf(SdkError);
        expect((e as SdkError).code).toBe("connect_failed");
        const why = (e as Error).message.replace("cannot connect to the broker at h:1: ", "");
        if (expected.error !== undefined) expect(why).toBe(fill(expected.error));
        else expect(why.startsWith(fill(expected.error_starts ?? "?"))).toBe(true);
        return;
      }
      expect(expected.error ?? expected.error_starts).toBeUndefined();
      if (!expected.tls) return expect(got).toBeNull();
      const trusting = got!.trusting === "the system's CAs" ? "system" : got!.trusting === "the CA given in the tls option" ? "inline" : "file";
      expect({ trusting, server_name: got!.serverName }).toEqual({ trusting: expected.trusting!, server_name: expected.server_name });
    });
  }
});
