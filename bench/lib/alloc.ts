// What our broker allocates over the timed turns, read from outside: JavaScriptCore's GC log
// (BUN_JSC_logGC=1, one line per collection on stderr) between two marks of lib/probe.ts.
// Used only for `ours` run as `bun src/main.ts` (the probe is preloaded; not for --compiled).
import type { Child } from "./procs.ts";
import { PROBE_MARK } from "./probe.ts";

/** The collector's work over one timed window. */
export interface Alloc {
  /** Eden (young) and full collections that ran inside the window. */
  edenCollections: number;
  fullCollections: number;
  /** Of those, the ones JSC ran because the cycle's allocation reached its allowance (the rest ran on a timer). */
  requestedCollections: number;
  /** Their pauses, in ms (the log's `p=`). */
  pauseMsTotal: number;
  pauseMsMax: number;
  /**
   * Bytes allocated, as the collector counts them (cells and array buffers): the sum of "bytes
   * allocated this cycle" that the requested collections in the window report. The window starts
   * with a full collection, so nothing before it is counted; what was allocated after the last
   * collection (less than `cycleBytes`) and before a timer's collection (it reports nothing) is not.
   */
  bytesCounted: number;
  /** The allocation a collection waits for at most ("bytes allowed"), for the bound above. */
  cycleBytes: number;
  /** Objects allocated by type over the window, exact when no collection ran in it; else null. */
  objects: Record<string, number> | null;
}

const REQUEST = /bytes allocated this cycle: (\d+) exceed bytes allowed: (\d+)/;
const COLLECTION = /: START .*?=> (EdenCollection|FullCollection).*?p=([\d.]+)ms/;
/** JSC's eden allowance at start-up (8 MiB), when no collection told the real one. */
const DEFAULT_CYCLE_BYTES = 8 * 1024 * 1024;

/** Reads the broker's stderr; `mark()` starts and ends a window. */
export class GcWatch {
  private inWindow = false;
  private marked: ((line: string) => void) | null = null;
  private current: Alloc = GcWatch.empty();
  private lastAllowed = DEFAULT_CYCLE_BYTES;

  constructor(private readonly broker: Child) {
    broker.onStderrLine = (line) => this.line(line);
  }

  private static empty(): Alloc {
    return { edenCollections: 0, fullCollections: 0, requestedCollections: 0, pauseMsTotal: 0, pauseMsMax: 0, bytesCounted: 0, cycleBytes: DEFAULT_CYCLE_BYTES, objects: null };
  }

  private line(line: string): void {
    if (line.startsWith(PROBE_MARK)) {
      this.marked?.(line);
      return;
    }
    const request = REQUEST.exec(line);
    if (request) {
      this.lastAllowed = Number(request[2]);
      if (this.inWindow) {
        this.current.bytesCounted += Number(request[1]);
        this.current.requestedCollections++;
      }
      return;
    }
    const c = COLLECTION.exec(line);
    if (c && this.inWindow) {
      if (c[1] === "EdenCollection") this.current.edenCollections++;
      else this.current.fullCollections++;
      const ms = Number(c[2]);
      this.current.pauseMsTotal += ms;
      this.current.pauseMsMax = Math.max(this.current.pauseMsMax, ms);
    }
  }

  /** Signals the probe and waits for its mark on stderr (the GC lines before it are in order). */
  private async mark(timeoutMs: number): Promise<string> {
    const seen = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`our broker's probe did not answer in ${timeoutMs} ms (was it started with --preload?)`)), timeoutMs);
      this.marked = (line) => {
        clearTimeout(timer);
        this.marked = null;
        resolve(line);
      };
    });
    this.broker.proc.kill("SIGUSR2");
    return seen;
  }

  async start(): Promise<void> {
    await this.mark(10_000);
    this.current = GcWatch.empty();
    this.inWindow = true;
  }

  async end(): Promise<Alloc> {
    const line = await this.mark(30_000);
    this.inWindow = false;
    const a = this.current;
    a.cycleBytes = this.lastAllowed;
    const collections = a.edenCollections + a.fullCollections;
    a.objects = collections === 0 ? (JSON.parse(line.slice(`${PROBE_MARK} end `.length)) as Record<string, number>) : null;
    return a;
  }
}
