// How many cases the property suites generate, and how a failure is reported (README "Fuzzing").
// FUZZ_RUNS: the total number of generated cases across every property (default 100,000, CI's
// run); each property takes its share by weight. FUZZ_SEED replays a run; FUZZ_PROPERTY and
// FUZZ_PATH (printed with a failure) replay that property's shrunk counterexample at once.
import fc from "fast-check";

const DEFAULT_RUNS = 100_000;

/** Shares of FUZZ_RUNS, per property (they add up to 1 across the suites of test/fuzz). */
export const WEIGHTS = {
  lineChunks: 0.12,
  lineSplits: 0.1,
  lineText: 0.08,
  bodies: 0.15,
  roundTrips: 0.1,
  handshake: 0.06,
  sdkSessions: 0.07,
  frameChunks: 0.05,
  frameSplits: 0.04,
  frameRoundTrips: 0.03,
  frameCap: 0.02,
  frameSwitch: 0.03,
  broker: 0.12,
  brokerEnd: 0.03,
} as const;

function readInt(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === "") return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number; got ${JSON.stringify(text)}`);
  return n;
}

export const totalRuns = readInt("FUZZ_RUNS") ?? DEFAULT_RUNS;
/** One seed per process run, printed with any failure (and by every property's test title). */
export const seed = readInt("FUZZ_SEED") ?? Math.floor(Math.random() * 0x7fffffff);
const path = process.env.FUZZ_PATH?.trim() || undefined;
const pathOf = process.env.FUZZ_PROPERTY?.trim() || undefined;

/** Cases for a property of this weight: its share of FUZZ_RUNS, at least 1. */
export function runsFor(weight: keyof typeof WEIGHTS): number {
  return Math.max(1, Math.round(totalRuns * WEIGHTS[weight]));
}

/**
 * Checks `property` for its share of the runs. On a failure, throws with the seed, the path and
 * the shrunk counterexample, and how to replay it.
 */
export function check<Ts>(weight: keyof typeof WEIGHTS, property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>): Promise<void> | void {
  const numRuns = runsFor(weight);
  // A path belongs to one property's run: the others run as usual.
  const replay = path !== undefined && pathOf === weight;
  const parameters: fc.Parameters<Ts> = { numRuns, seed, ...(replay ? { path, endOnFailure: true } : {}) };
  const report = (details: fc.RunDetails<Ts>): void => {
    if (!details.failed) return;
    const example = details.counterexample === null ? "(none)" : fc.stringify(details.counterexample);
    throw new Error(
      [
        `property failed after ${details.numRuns} case(s), shrunk ${details.numShrinks} time(s)`,
        `replay: FUZZ_RUNS=${totalRuns} FUZZ_SEED=${seed} FUZZ_PROPERTY=${weight} FUZZ_PATH=${details.counterexamplePath ?? ""} bun test --timeout 3600000 test/fuzz`,
        `counterexample: ${example}`,
        `error: ${details.errorInstance instanceof Error ? (details.errorInstance.stack ?? details.errorInstance.message) : String(details.errorInstance)}`,
      ].join("\n"),
    );
  };
  if (property.isAsync()) return fc.check(property as fc.IAsyncProperty<Ts>, parameters).then(report);
  report(fc.check(property as fc.IProperty<Ts>, parameters));
}
