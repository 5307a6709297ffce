// Think times per bot, as the broker measured them (its `turn` events: state sent → reply read):
// an exact count and sum for the mean, and a log-scale histogram (16 buckets per doubling, so
// within 4.4 %) for the p99, small enough to keep per match and add up over a tournament. Pure.

/** Buckets per doubling of the time. */
const PER_OCTAVE = 16;
/** The first bucket's lower edge: 1 µs (anything quicker counts there). */
const FLOOR_MS = 0.001;

export interface ThinkTimes {
  moves: number;
  totalMs: number;
  maxMs: number;
  /** Bucket → moves; a bucket b holds [FLOOR·2^(b/16), FLOOR·2^((b+1)/16)). */
  buckets: Record<string, number>;
}

export function emptyThink(): ThinkTimes {
  return { moves: 0, totalMs: 0, maxMs: 0, buckets: {} };
}

export function bucketOf(ms: number): number {
  return ms <= FLOOR_MS ? 0 : Math.floor(PER_OCTAVE * Math.log2(ms / FLOOR_MS));
}

/** A bucket's middle (geometric), the value a percentile falling in it is given. */
export function bucketValueMs(bucket: number): number {
  return FLOOR_MS * 2 ** ((bucket + 0.5) / PER_OCTAVE);
}

export function addThink(t: ThinkTimes, ms: number): void {
  t.moves++;
  t.totalMs += ms;
  if (ms > t.maxMs) t.maxMs = ms;
  const b = String(bucketOf(ms));
  t.buckets[b] = (t.buckets[b] ?? 0) + 1;
}

export function mergeThink(into: ThinkTimes, from: ThinkTimes): void {
  into.moves += from.moves;
  into.totalMs += from.totalMs;
  into.maxMs = Math.max(into.maxMs, from.maxMs);
  for (const [b, n] of Object.entries(from.buckets)) into.buckets[b] = (into.buckets[b] ?? 0) + n;
}

export function meanMs(t: ThinkTimes): number | null {
  return t.moves === 0 ? null : t.totalMs / t.moves;
}

/** The q-quantile (0.99 for the p99), never above the longest move; null with no moves (or no histogram: totals only). */
export function percentileMs(t: ThinkTimes, q: number): number | null {
  const counted = Object.values(t.buckets).reduce((a, b) => a + b, 0);
  if (counted === 0) return null;
  const rank = Math.ceil(q * counted);
  let seen = 0;
  for (const b of Object.keys(t.buckets).map(Number).sort((x, y) => x - y)) {
    seen += t.buckets[String(b)]!;
    if (seen >= rank) return Math.min(bucketValueMs(b), t.maxMs);
  }
  return t.maxMs;
}
