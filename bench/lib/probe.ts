// Preloaded into our broker by the bench (`bun --preload bench/lib/probe.ts src/main.ts`), never
// by the product: on SIGUSR2 it marks the timed window on stderr, where BUN_JSC_logGC=1 writes
// one line per collection, so the harness can tell which collections fell inside the window.
// The first mark runs a full collection (the window starts with an empty allocation cycle) and
// counts the heap's objects by type; the second counts them again. Nothing else.
import { fullGC, heapStats } from "bun:jsc";

/** Printed on stderr at each mark; the harness (lib/alloc.ts) waits for it. */
export const PROBE_MARK = "bench-probe";

let counts: Record<string, number> | null = null;

process.on("SIGUSR2", () => {
  if (counts === null) {
    fullGC();
    counts = { ...heapStats().objectTypeCounts };
    process.stderr.write(`${PROBE_MARK} start\n`);
    return;
  }
  // Objects allocated in the window by type; a count is exact only if no collection ran since
  // the start (the harness knows from the log, and discards it otherwise).
  const now = heapStats().objectTypeCounts;
  const delta: Record<string, number> = {};
  for (const [type, n] of Object.entries(now)) {
    const d = n - (counts[type] ?? 0);
    if (d !== 0) delta[type] = d;
  }
  counts = null;
  process.stderr.write(`${PROBE_MARK} end ${JSON.stringify(delta)}\n`);
});
