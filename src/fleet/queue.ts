// A bounded queue of sidecar calls, sent one at a time in order, coalesced by key and retried with
// back-off. Nobody awaits it: the relay only pushes. It must never grow without bound or throw.
import type { SdkOutcome } from "./sdk.ts";

export type FleetLog = (level: "debug" | "info" | "warn" | "error", event: string, fields: Readonly<Record<string, string | number | boolean | null>>) => void;

export interface Call {
  /** A pending call with the same key is replaced (the newer value wins, in the older's place). */
  readonly key: string;
  readonly what: string;
  readonly run: () => Promise<SdkOutcome>;
  /** Metadata may be dropped when the queue is full; Ready and Shutdown never are. */
  readonly droppable: boolean;
  /** Told when the call is dropped unsent (queue full), so it can be queued again later. */
  readonly givenUp?: () => void;
}

/** Pending calls at most; coalescing keeps the real number near the number of keys. */
export const QUEUE_CALLS_MAX = 32;
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 10_000;

/** Wait before the next try after `failures` failures in a row: 250 ms doubling to 10 s. */
export function backoffMs(failures: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, Math.min(failures - 1, 16)));
}

/**
 * Says once that the sidecar is failing (again when the kind of failure changes, and at the 10th,
 * 100th… failure in a row), and once that it answers again: a missing sidecar is logged, not flooded.
 */
export class Outage {
  private failures = 0;
  private lastCode = "";

  constructor(private readonly log: FleetLog) {}

  failed(what: string, outcome: Extract<SdkOutcome, { ok: false }>, retryInMs: number | null): void {
    this.failures++;
    const loud = this.failures === 1 || outcome.code !== this.lastCode || Number.isInteger(Math.log10(this.failures));
    this.lastCode = outcome.code;
    const fields = { call: what, code: outcome.code, error: outcome.message, failures: this.failures, retryInMs };
    this.log(loud ? "warn" : "debug", "agones sidecar call failed", fields);
  }

  succeeded(): void {
    if (this.failures > 0) this.log("info", "agones sidecar answers again", { failuresBefore: this.failures });
    this.failures = 0;
    this.lastCode = "";
  }
}

export class CallQueue {
  private readonly pending: Call[] = [];
  private running: Call | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private dropped = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly log: FleetLog,
    private readonly outage: Outage,
  ) {}

  push(call: Call): void {
    if (this.closed) return;
    const same = this.pending.findIndex((c) => c.key === call.key);
    if (same !== -1) {
      this.pending[same] = call;
    } else {
      if (this.pending.length >= QUEUE_CALLS_MAX && !this.makeRoom(call)) return;
      this.pending.push(call);
    }
    this.pump();
  }

  /** Nothing pending, nothing in flight. */
  get idle(): boolean {
    return this.pending.length === 0 && this.running === null;
  }

  /** Resolves true once idle, or false after `timeoutMs`. */
  settle(timeoutMs: number): Promise<boolean> {
    if (this.idle) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Drops whatever is pending and stops retrying; a call in flight finishes on its own. */
  close(): void {
    this.closed = true;
    this.pending.length = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private makeRoom(call: Call): boolean {
    const victim = this.pending.findIndex((c) => c.droppable);
    if (victim === -1 && call.droppable) {
      this.noteDrop(call);
      return false;
    }
    // Never reached with the broker's keys (far fewer than the bound); kept as the last resort.
    if (victim !== -1) this.noteDrop(this.pending.splice(victim, 1)[0]!);
    return true;
  }

  private noteDrop(call: Call): void {
    call.givenUp?.();
    this.dropped++;
    this.log("warn", "agones call dropped: queue full", { call: call.what, dropped: this.dropped, queueMax: QUEUE_CALLS_MAX });
  }

  private pump(): void {
    if (this.running !== null || this.retryTimer !== null || this.closed) return;
    const call = this.pending.shift();
    if (!call) {
      for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    this.running = call;
    void call.run().then(
      (outcome) => this.done(call, outcome),
      (e: unknown) => this.done(call, { ok: false, code: "bad_answer", status: null, message: `${call.what}: ${String(e)}`, retry: true }),
    );
  }

  private done(call: Call, outcome: SdkOutcome): void {
    this.running = null;
    if (outcome.ok) {
      this.failures = 0;
      this.outage.succeeded();
    } else if (!outcome.retry) {
      // The sidecar refused the request itself: a bug on our side, not an outage.
      this.log("error", "agones sidecar refused a call", { call: call.what, error: outcome.message, status: outcome.status });
    } else if (!this.closed) {
      this.failures++;
      const wait = backoffMs(this.failures);
      this.outage.failed(call.what, outcome, wait);
      // Back at the head, unless a newer call with the same key arrived meanwhile.
      if (!this.pending.some((c) => c.key === call.key)) this.pending.unshift(call);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.pump();
      }, wait);
      this.retryTimer.unref();
      return;
    }
    this.pump();
  }
}
