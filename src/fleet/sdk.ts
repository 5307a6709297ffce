// HTTP client of the Agones SDK sidecar's REST API (127.0.0.1:AGONES_SDK_HTTP_PORT). One bounded
// request per call; it never throws and never retries: every outcome is a value the driver judges.

/** What one call came to. `retry` says whether trying again later can help. */
export type SdkOutcome =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly code: SdkErrorCode; readonly status: number | null; readonly message: string; readonly retry: boolean };

/** `unreachable`: nothing answers; `timeout`: no answer in time; `refused`: an HTTP error status. */
export type SdkErrorCode = "unreachable" | "timeout" | "refused" | "bad_answer";

/** The part of GET /gameserver the broker reads (the SDK's JSON uses proto field names). */
export interface GameServerView {
  readonly name: string;
  /** status.state: "" or Scheduled before Ready, then Ready, Allocated, Reserved, Shutdown, Unhealthy… */
  readonly state: string;
  /** spec.health.period_seconds; 0 when the GameServer leaves it to Agones's default. */
  readonly healthPeriodSeconds: number;
  readonly healthDisabled: boolean;
}

export class AgonesSdk {
  readonly baseUrl: string;

  constructor(
    port: number,
    private readonly timeoutMs: number,
    host = "127.0.0.1",
  ) {
    this.baseUrl = `http://${host}:${port}`;
  }

  /** POST /ready. Agones: Scheduled → RequestReady → Ready; from Allocated it goes back to Ready. */
  ready(): Promise<SdkOutcome> {
    return this.call("POST", "/ready", {});
  }

  /** POST /health: one ping. The sidecar answers 400 to an empty body, so `{}` is sent. */
  health(timeoutMs = this.timeoutMs): Promise<SdkOutcome> {
    return this.call("POST", "/health", {}, timeoutMs);
  }

  shutdown(): Promise<SdkOutcome> {
    return this.call("POST", "/shutdown", {});
  }

  /** Stored as the label `agones.dev/sdk-<key>`. */
  setLabel(key: string, value: string): Promise<SdkOutcome> {
    return this.call("PUT", "/metadata/label", { key, value });
  }

  /** Stored as the annotation `agones.dev/sdk-<key>`. */
  setAnnotation(key: string, value: string): Promise<SdkOutcome> {
    return this.call("PUT", "/metadata/annotation", { key, value });
  }

  /** GET /gameserver, read into the few fields the broker uses. */
  async gameServer(): Promise<{ readonly ok: true; readonly gameServer: GameServerView } | Extract<SdkOutcome, { ok: false }>> {
    const outcome = await this.call("GET", "/gameserver", null);
    if (!outcome.ok) return outcome;
    const view = readGameServer(outcome.body);
    if (view === null) return { ok: false, code: "bad_answer", status: 200, message: "GET /gameserver: not a GameServer", retry: true };
    return { ok: true, gameServer: view };
  }

  private async call(method: string, path: string, body: object | null, timeoutMs = this.timeoutMs): Promise<SdkOutcome> {
    const what = `${method} ${path}`;
    let response: Response;
    let text: string;
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      response = await fetch(this.baseUrl + path, {
        method,
        signal,
        headers: body === null ? {} : { "content-type": "application/json" },
        body: body === null ? null : JSON.stringify(body),
      });
      text = await response.text();
    } catch (e) {
      const err = e as Error;
      const timedOut = err.name === "TimeoutError" || err.name === "AbortError";
      return {
        ok: false,
        code: timedOut ? "timeout" : "unreachable",
        status: null,
        message: `${what}: ${timedOut ? `no answer within ${timeoutMs} ms` : err.message}`,
        retry: true,
      };
    }
    let parsed: unknown = null;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      return { ok: false, code: "bad_answer", status: response.status, message: `${what}: answer is not JSON`, retry: true };
    }
    if (response.status >= 200 && response.status < 300) return { ok: true, body: parsed };
    // grpc-gateway errors: {"code": <grpc code>, "message": …}. 4xx (and 501) mean the request
    // itself is wrong: sending it again cannot help. 5xx and 429 may pass later.
    const detail = typeof (parsed as { message?: unknown } | null)?.message === "string" ? (parsed as { message: string }).message : text;
    const retry = response.status === 429 || (response.status >= 500 && response.status !== 501);
    return { ok: false, code: "refused", status: response.status, message: `${what}: ${response.status} ${detail}`.trim(), retry };
  }
}

function readGameServer(body: unknown): GameServerView | null {
  if (typeof body !== "object" || body === null) return null;
  const gs = body as { object_meta?: { name?: unknown }; spec?: { health?: Record<string, unknown> }; status?: { state?: unknown } };
  if (typeof gs.status?.state !== "string") return null;
  const health = gs.spec?.health ?? {};
  const period = Number(health.period_seconds ?? 0);
  return {
    name: typeof gs.object_meta?.name === "string" ? gs.object_meta.name : "",
    state: gs.status.state,
    healthPeriodSeconds: Number.isFinite(period) && period > 0 ? period : 0,
    healthDisabled: health.disabled === true,
  };
}
