// A stand-in for the Agones 1.56.0 SDK sidecar's REST API (sdk.swagger.json: GET /gameserver, POST
// /ready /allocate /shutdown /health /reserve, PUT /metadata/label /metadata/annotation), answering
// as the recorded real server does (fixtures/agones-1.56.0/*transcript*.json; sidecar.test.ts replays
// them). Not modelled: GET /watch/gameserver (a stream) and the alpha/beta paths, which answer 404.
//
// mode "local" is `sdk-server --local`: no key checks, any state change allowed. mode "cluster" is
// the in-cluster server: invalid keys and label values are refused (400, code 3); a key with its own
// `/` is answered 200 and then lost, and poisons every later update of its kind (Agones patches all
// SDK labels, or annotations, at once, and Kubernetes refuses the whole patch); Shutdown and
// Unhealthy are final; Ready from Allocated goes back to Ready. Simplified there: changes apply at
// once (the real server patches through a rate-limited work queue, Ready passes by RequestReady),
// and missed Health pings do not make it Unhealthy (tests count the pings instead).
import type { Server } from "bun";
import { labelValueErrors, qualifiedNameErrors } from "./k8s-names.ts";

export const PREFIX = "agones.dev/sdk-";

export interface Recorded {
  readonly method: string;
  readonly path: string;
  /** The body as sent. */
  readonly text: string;
  readonly status: number;
  /** The GameServer state right after the call. */
  readonly state: string;
}

export interface GameServerFile {
  readonly name?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly state?: string;
  readonly health?: { readonly disabled?: boolean; readonly periodSeconds?: number; readonly failureThreshold?: number; readonly initialDelaySeconds?: number };
}

type Handler = (body: Record<string, unknown>) => Response;
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const grpcError = (status: number, code: number, message: string) => json({ code, message, details: [] }, status);
const invalid = (message: string) => grpcError(400, 3, message);

export class StandInSidecar {
  readonly requests: Recorded[] = [];
  /** How long the answer to a call waits (a slow sidecar); the call is recorded and acted on at once. */
  delay: (method: string, path: string) => number = () => 0;
  private readonly server: Server<undefined>;
  private readonly labels: Record<string, string>;
  private readonly annotations: Record<string, string>;
  private state: string;
  private readonly poisoned = { label: false, annotation: false };
  private reserveTimer: ReturnType<typeof setTimeout> | null = null;
  private gate: Promise<void> | null = null;
  /** Answers sent so far (a held or delayed answer counts once it is sent). */
  answered = 0;
  private waiters: Array<() => void> = [];
  private readonly routes: Record<string, Record<string, Handler>>;

  constructor(
    readonly mode: "local" | "cluster",
    private readonly file: GameServerFile = {},
  ) {
    this.labels = { ...(file.labels ?? {}) };
    this.annotations = { ...(file.annotations ?? {}) };
    this.state = file.state ?? "";
    this.routes = {
      "/gameserver": { GET: () => json(this.gameServer()) },
      "/ready": { POST: () => this.moveTo("Ready") },
      "/allocate": { POST: () => this.moveTo("Allocated") },
      "/shutdown": { POST: () => this.moveTo("Shutdown") },
      "/health": { POST: () => json({}) },
      "/reserve": { POST: (b) => this.reserve(b) },
      "/metadata/label": { PUT: (b) => this.setMeta("label", b) },
      "/metadata/annotation": { PUT: (b) => this.setMeta("annotation", b) },
    };
    const self = this;
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => self.handle(request) });
  }

  get port(): number {
    return this.server.port!;
  }

  get gameServerState(): string {
    return this.state;
  }

  /** The GameServer's labels and annotations as Kubernetes holds them. */
  get metadata(): { labels: Record<string, string>; annotations: Record<string, string> } {
    return { labels: { ...this.labels }, annotations: { ...this.annotations } };
  }

  /** A hung sidecar: calls are taken and acted on, no answer leaves until the returned release(). */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((r) => (release = r));
    return () => {
      this.gate = null;
      release();
    };
  }

  stop(): void {
    if (this.reserveTimer) clearTimeout(this.reserveTimer);
    this.server.stop(true);
  }

  /** Resolves once `match` holds for the calls recorded so far; rejects after `timeoutMs`. */
  async waitFor(what: string, match: (calls: readonly Recorded[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!match(this.requests)) {
      if (Date.now() > deadline) throw new Error(`stand-in sidecar: timed out waiting for ${what}; calls:\n${this.summary()}`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), Bun.sleep(Math.max(1, Math.min(200, deadline - Date.now())))]);
    }
  }

  summary(): string {
    return this.requests.map((r) => `${r.method} ${r.path} ${r.text} → ${r.status} (${r.state})`).join("\n");
  }

  private async handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const text = await request.text();
    const response = this.answer(request, path, text);
    this.requests.push({ method: request.method, path, text, status: response.status, state: this.state });
    for (const w of this.waiters.splice(0)) w();
    const delayMs = this.delay(request.method, path);
    if (delayMs > 0) await Bun.sleep(delayMs);
    if (this.gate) await this.gate;
    this.answered++;
    return response;
  }

  private answer(request: Request, path: string, text: string): Response {
    // cmd/sdk-server wraps the gateway: a request to /health without a body (any method) is a bare 400.
    const chunked = (request.headers.get("transfer-encoding") ?? "").includes("chunked");
    if (path === "/health" && text === "" && !chunked) return new Response(null, { status: 400 });
    const route = this.routes[path];
    if (!route) return grpcError(404, 5, "Not Found");
    const handler = route[request.method];
    if (!handler) return grpcError(501, 12, "Method Not Allowed");
    const values = jsonValues(text);
    if (values === null) return invalid(`invalid character in ${JSON.stringify(text.slice(0, 20))}`);
    // grpc-gateway decodes one message (an empty body is EOF: an empty message); /health streams them.
    for (const v of path === "/health" ? values : values.slice(0, 1)) {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return invalid(`proto: syntax error (line 1:1): unexpected token ${JSON.stringify(v)}`);
    }
    return handler((values[0] ?? {}) as Record<string, unknown>);
  }

  private moveTo(state: string): Response {
    if (this.reserveTimer) clearTimeout(this.reserveTimer);
    this.reserveTimer = null;
    // In a cluster nothing leaves Shutdown (the GameServer is being deleted) or Unhealthy.
    if (this.mode === "cluster" && (this.state === "Shutdown" || this.state === "Unhealthy")) return json({});
    this.state = state;
    return json({});
  }

  private reserve(body: Record<string, unknown>): Response {
    const raw = body.seconds ?? 0;
    const seconds = typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof seconds !== "number" || !Number.isInteger(seconds)) return invalid(`proto: invalid value for int64 field seconds: ${JSON.stringify(raw)}`);
    this.moveTo("Reserved");
    if (seconds > 0) this.reserveTimer = setTimeout(() => this.moveTo("Ready"), seconds * 1000);
    return json({});
  }

  private setMeta(kind: "label" | "annotation", body: Record<string, unknown>): Response {
    for (const field of ["key", "value"]) {
      if (body[field] !== undefined && typeof body[field] !== "string") return invalid(`proto: invalid value for string field ${field}: ${JSON.stringify(body[field])}`);
    }
    const key = (body.key as string | undefined) ?? "";
    const value = (body.value as string | undefined) ?? "";
    const store = kind === "label" ? this.labels : this.annotations;
    if (this.mode === "local") {
      store[PREFIX + key] = value;
      return json({});
    }
    const keyErrors = qualifiedNameErrors(key);
    if (keyErrors.length > 0) return invalid(`invalid ${kind} key ${JSON.stringify(key)}: ${keyErrors.join(", ")}`);
    if (kind === "label") {
      const valueErrors = labelValueErrors(value);
      if (valueErrors.length > 0) return invalid(`invalid label value ${JSON.stringify(value)} for key ${JSON.stringify(key)}: ${valueErrors.join(", ")}`);
    }
    // Answered already; Kubernetes then refuses the patch holding `agones.dev/sdk-<key>`.
    if (qualifiedNameErrors(PREFIX + key).length > 0) this.poisoned[kind] = true;
    if (!this.poisoned[kind]) store[PREFIX + key] = value;
    return json({});
  }

  private gameServer(): unknown {
    const h = this.file.health ?? {};
    return {
      object_meta: {
        name: this.file.name ?? "local-gs",
        namespace: "",
        uid: "",
        resource_version: "",
        generation: "0",
        creation_timestamp: "-62135596800",
        deletion_timestamp: "0",
        annotations: { ...this.annotations },
        labels: { ...this.labels },
      },
      spec: {
        health: {
          disabled: h.disabled ?? false,
          period_seconds: h.periodSeconds ?? 0,
          failure_threshold: h.failureThreshold ?? 0,
          initial_delay_seconds: h.initialDelaySeconds ?? 0,
        },
      },
      status: { state: this.state, address: "", addresses: [], ports: [], players: null, counters: {}, lists: {} },
    };
  }
}

/** A body as Go's json.Decoder reads it: a run of JSON values; [] if empty, null if malformed. */
export function jsonValues(text: string): unknown[] | null {
  const values: unknown[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const end = valueEnd(text, i);
    if (end === null) return null;
    try {
      values.push(JSON.parse(text.slice(i, end)));
    } catch {
      return null;
    }
    i = end;
  }
  return values;
}

/** Where the JSON value starting at `start` ends: brackets balanced outside strings, or a scalar. */
function valueEnd(text: string, start: number): number | null {
  if (text[start] !== "{" && text[start] !== "[") {
    const m = /^("(?:[^"\\]|\\.)*"|[^\s{}[\]"]+)/.exec(text.slice(start));
    return m ? start + m[0].length : null;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if ((c === "}" || c === "]") && --depth === 0) return i + 1;
  }
  return null;
}
