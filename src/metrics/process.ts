// Process figures for GET /metrics: memory (read at scrape time) and the event loop's lag (a timer
// every 100 ms measures how late it fires). The one timer here is unref'd: it never keeps the
// process alive.
import { Histogram } from "./exposition.ts";
import type { ProcessFigures } from "./metrics.ts";

/** Lag bounds, in seconds: 1 ms to 1 s. */
export const LAG_BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const PERIOD_MS = 100;

export class ProcessSampler {
  private readonly lag = new Histogram(LAG_BOUNDS);
  private readonly startTimeSeconds = (Date.now() - process.uptime() * 1000) / 1000;
  private timer: ReturnType<typeof setTimeout> | null = null;

  start(): this {
    let expected = performance.now() + PERIOD_MS;
    const tick = (): void => {
      const now = performance.now();
      this.lag.observe(Math.max(0, now - expected) / 1000);
      expected = now + PERIOD_MS;
      this.timer = setTimeout(tick, PERIOD_MS);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, PERIOD_MS);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  figures(): ProcessFigures {
    const m = process.memoryUsage();
    return { residentBytes: m.rss, heapUsedBytes: m.heapUsed, startTimeSeconds: Math.round(this.startTimeSeconds * 1000) / 1000, eventLoopLag: this.lag };
  }
}
