// The SDK's TLS settings (README "TLS"): the `tls` option, else $BITBROKER_TLS, $BITBROKER_TLS_CA
// and $BITBROKER_TLS_SERVER_NAME, resolved once per session into what node:tls needs. Reads the CA
// file; opens no socket. There is no setting that skips certificate verification.
import { readFileSync } from "node:fs";
import { SdkError } from "./errors.ts";

/** How to verify the broker's certificate. */
export interface TlsOptions {
  /**
   * The CA to trust, as a PEM file's path or its text ("-----BEGIN CERTIFICATE-----…"): only it is
   * trusted, instead of the system's CAs. Default: the system's CAs.
   */
  readonly ca?: string;
  /** The name the certificate must be issued for (and the SNI sent). Default: the host connected to. */
  readonly serverName?: string;
}

/** What one connect needs: the CA's PEM text (undefined = the system's CAs) and what to say of it. */
export interface ResolvedTls {
  readonly ca?: string;
  readonly serverName?: string;
  /** For messages: "the system's CAs", "the CA in FILE" or "the CA given in the tls option". */
  readonly trusting: string;
}

const ON = ["1", "true", "yes", "on"];
const OFF = ["0", "false", "no", "off"];

/**
 * The option wins whole when given (`false` = plain, whatever the environment says); else
 * $BITBROKER_TLS (1/true/yes/on or 0/false/no/off) turns TLS on or off, and setting
 * $BITBROKER_TLS_CA or $BITBROKER_TLS_SERVER_NAME turns it on unless $BITBROKER_TLS is off.
 * Null = plain TCP. Throws SdkError `connect_failed` for a setting that cannot work.
 */
export function resolveTls(
  option: boolean | TlsOptions | undefined,
  host: string,
  port: number,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ResolvedTls | null {
  const bad = (why: string) => new SdkError("connect_failed", `cannot connect to the broker at ${host}:${port}: ${why}`);
  let wanted: TlsOptions | null;
  if (option !== undefined) {
    wanted = option === false ? null : option === true ? {} : option;
  } else {
    const flag = (env.BITBROKER_TLS ?? "").trim().toLowerCase();
    if (flag !== "" && !ON.includes(flag) && !OFF.includes(flag)) {
      throw bad(`BITBROKER_TLS must be one of ${[...ON, ...OFF].join(", ")}; got ${JSON.stringify(env.BITBROKER_TLS)}`);
    }
    const ca = env.BITBROKER_TLS_CA?.trim() || undefined;
    const serverName = env.BITBROKER_TLS_SERVER_NAME?.trim() || undefined;
    const on = flag !== "" ? ON.includes(flag) : ca !== undefined || serverName !== undefined;
    wanted = on ? { ...(ca ? { ca } : {}), ...(serverName ? { serverName } : {}) } : null;
  }
  if (wanted === null) return null;
  const serverName = wanted.serverName || undefined;
  if (wanted.ca === undefined) return { trusting: "the system's CAs", ...(serverName ? { serverName } : {}) };
  const inline = wanted.ca.includes("-----BEGIN");
  let pem: string;
  try {
    pem = inline ? wanted.ca : readFileSync(wanted.ca, "utf8");
  } catch (e) {
    throw bad(`cannot read the TLS CA file ${wanted.ca}: ${(e as Error).message}`);
  }
  const trusting = inline ? "the CA given in the tls option" : `the CA in ${wanted.ca}`;
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw bad(`${trusting} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return { ca: pem, trusting, ...(serverName ? { serverName } : {}) };
}

/** A TLS handshake that failed once TCP was up: not retried. */
export class TlsFailure extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

/** The connect_failed error of a failed TLS handshake: what failed, and against which CA. */
export function tlsFailed(host: string, port: number, tls: ResolvedTls, error: Error): SdkError {
  const code = (error as { code?: string }).code;
  const why = code ? `${code}: ${error.message}` : error.message;
  const hint = /WRONG_VERSION_NUMBER|packet length|ECONNRESET/i.test(why) ? " (does the broker speak TLS on this port?)" : "";
  return new SdkError(
    "connect_failed",
    `cannot connect to the broker at ${host}:${port}: TLS failed, its certificate checked against ${tls.trusting}${tls.serverName ? ` for the name ${tls.serverName}` : ""}: ${why}${hint}`,
    "",
    "",
    { cause: error },
  );
}
