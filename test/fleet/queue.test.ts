// The call queue: one call at a time, in order, coalesced by key, bounded, retried with back-off;
// refused calls are not retried; a failing sidecar is logged once, not once per call.
import { describe, expect, test } from "bun:test";
import { CallQueue, Outage, QUEUE_CALLS_MAX, backoffMs, type Call, type FleetLog } from "../../src/fleet/queue.ts";
import type { SdkOutcome } from "../../src/fleet/sdk.ts";

const OK: SdkOutcome = { ok: true, body: {} };
const DOWN: SdkOutcome = { ok: false, code: "unreachable", status: null, message: "ECONNREFUSED", retry: true };
const REFUSED: SdkOutcome = { ok: false, code: "refused", status: 400, message: "400 invalid label value", retry: false };

function recorder(): { log: FleetLog; lines: Array<{ level: string; event: string; fields: Record<string, unknown> }> } {
  const lines: Array<{ level: string; event: string; fields: Record<string, unknown> }> = [];
  return { lines, log: (level, event, fields) => lines.push({ level, event, fields }) };
}

/** A call whose outcome the test decides, one attempt at a time. */
function gated(key: string, droppable = true): Call & { attempts: number; answer: (o: SdkOutcome) => void } {
  const pending: Array<(o: SdkOutcome) => void> = [];
  const call = {
    key,
    what: key,
    droppable,
    attempts: 0,
    run: () => {
      call.attempts++;
      return new Promise<SdkOutcome>((r) => pending.push(r));
    },
    answer: (o: SdkOutcome) => pending.shift()!(o),
  };
  return call;
}

const until = async (what: string, f: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await Bun.sleep(5);
  }
};

describe("CallQueue", () => {
  test("sends one call at a time, in order; a newer call with a pending key replaces it in place", async () => {
    const { log } = recorder();
    const q = new CallQueue(log, new Outage(log));
    const order: string[] = [];
    const call = (key: string, tag: string): Call => ({ key, what: tag, droppable: true, run: async () => (order.push(tag), OK) });
    const first = gated("first");
    q.push(first);
    q.push(call("a", "a1"));
    q.push(call("b", "b1"));
    q.push(call("a", "a2"));
    expect(first.attempts).toBe(1);
    first.answer(OK);
    expect(await q.settle(2000)).toBe(true);
    expect(order).toEqual(["a2", "b1"]);
  });

  test("retries a failed call with back-off until it passes, and logs the outage once", async () => {
    const { log, lines } = recorder();
    const q = new CallQueue(log, new Outage(log));
    const c = gated("ready", false);
    q.push(c);
    c.answer(DOWN);
    await until("second attempt", () => c.attempts === 2);
    c.answer(DOWN);
    await until("third attempt", () => c.attempts === 3);
    c.answer(OK);
    expect(await q.settle(2000)).toBe(true);
    const failed = lines.filter((l) => l.event === "agones sidecar call failed");
    expect(failed.map((l) => [l.level, l.fields.retryInMs])).toEqual([
      ["warn", 250],
      ["debug", 500],
    ]);
    expect(lines.filter((l) => l.event === "agones sidecar answers again")).toHaveLength(1);
  });

  test("does not retry a call the sidecar refused (a 4xx is our bug), and logs it as an error", async () => {
    const { log, lines } = recorder();
    const q = new CallQueue(log, new Outage(log));
    const c = gated("label:x");
    q.push(c);
    c.answer(REFUSED);
    expect(await q.settle(1000)).toBe(true);
    expect(c.attempts).toBe(1);
    expect(lines.map((l) => [l.level, l.event])).toEqual([["error", "agones sidecar refused a call"]]);
  });

  test("stays bounded while the sidecar hangs: metadata is dropped, Ready and Shutdown never", async () => {
    const { log, lines } = recorder();
    const q = new CallQueue(log, new Outage(log));
    const stuck = gated("stuck", false);
    q.push(stuck);
    const ran: string[] = [];
    const call = (key: string, droppable: boolean): Call => ({ key, what: key, droppable, run: async () => (ran.push(key), OK) });
    q.push(call("ready", false));
    for (let i = 0; i < 10 * QUEUE_CALLS_MAX; i++) q.push(call(`label:${i}`, true));
    q.push(call("shutdown", false));
    const dropped = lines.filter((l) => l.event === "agones call dropped: queue full");
    expect(dropped.length).toBe(10 * QUEUE_CALLS_MAX - (QUEUE_CALLS_MAX - 1) + 1);
    stuck.answer(OK);
    expect(await q.settle(5000)).toBe(true);
    expect(ran).toHaveLength(QUEUE_CALLS_MAX);
    expect(ran[0]).toBe("ready");
    expect(ran.at(-1)).toBe("shutdown");
  });

  test("settle gives up after its bound while a call hangs; close drops the rest", async () => {
    const { log } = recorder();
    const q = new CallQueue(log, new Outage(log));
    q.push(gated("hangs"));
    expect(await q.settle(50)).toBe(false);
    q.close();
    q.push({ key: "late", what: "late", droppable: true, run: async () => OK });
    expect(q.idle).toBe(false); // the hanging call is still in flight; nothing new was taken
  });

  test("back-off doubles from 250 ms and stops at 10 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map(backoffMs)).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });
});

describe("Outage", () => {
  test("warns at the first failure, when the kind changes, and at the 10th and 100th; debug otherwise", () => {
    const { log, lines } = recorder();
    const o = new Outage(log);
    for (let i = 0; i < 100; i++) o.failed("Health", DOWN, null);
    o.failed("Health", { ...DOWN, code: "timeout" }, null);
    o.succeeded();
    o.succeeded();
    const warns = lines.filter((l) => l.level === "warn").map((l) => l.fields.failures);
    expect(warns).toEqual([1, 10, 100, 101]);
    expect(lines.filter((l) => l.event === "agones sidecar answers again").map((l) => l.fields.failuresBefore)).toEqual([101]);
  });
});
