// Early stop by a sequential probability ratio test: "is A stronger than B by elo1 rather than
// elo0?" over pairs of matches with the seats swapped, counted as a pentanomial (how many pairs A
// scored 0, ½, 1, 1½, 2 points in), as chess testers count them. Logistic Elo. The log-likelihood
// ratio is the generalized one: each hypothesis's likelihood is the largest that any distribution
// of pair scores with that hypothesis's expected score gives the counts. Pure.

export interface SprtSpec {
  readonly elo0: number;
  readonly elo1: number;
  readonly alpha: number;
  readonly beta: number;
}

/** Pairs in which A scored 0, ½, 1, 1½ and 2 points (of 2). */
export type Penta = readonly [number, number, number, number, number];

export type Decision = "H0" | "H1";

export interface SprtStatus {
  readonly pairs: number;
  readonly llr: number;
  /** Accept H0 at or below `lower`, H1 at or above `upper`. */
  readonly lower: number;
  readonly upper: number;
  readonly decision: Decision | null;
}

/** "elo0,elo1,alpha,beta", e.g. "0,10,0.05,0.05": every problem at once; `where` names the setting. */
export function parseSprt(text: string, where = "--sprt"): { spec: SprtSpec } | { errors: string[] } {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length !== 4) return { errors: [`${where} takes elo0,elo1,alpha,beta (e.g. 0,10,0.05,0.05); got "${text}"`] };
  const [elo0, elo1, alpha, beta] = parts.map(Number) as [number, number, number, number];
  const errors: string[] = [];
  for (const [name, v, min, max] of [["elo0", elo0, -1000, 1000], ["elo1", elo1, -1000, 1000], ["alpha", alpha, 0, 0.5], ["beta", beta, 0, 0.5]] as const) {
    if (!Number.isFinite(v) || v <= min || v >= max) errors.push(`${where}: ${name} must be a number between ${min} and ${max} (exclusive); got "${parts[["elo0", "elo1", "alpha", "beta"].indexOf(name)]}"`);
  }
  if (errors.length === 0 && !(elo0 < elo1)) errors.push(`${where}: elo0 (${elo0}) must be below elo1 (${elo1})`);
  return errors.length > 0 ? { errors } : { spec: { elo0, elo1, alpha, beta } };
}

/** The expected score (per match) of a player `elo` stronger, logistic Elo. */
export function scoreOfElo(elo: number): number {
  return 1 / (1 + 10 ** (-elo / 400));
}

/** The Elo difference that an expected score per match means. */
export function eloOfScore(score: number): number {
  return -400 * Math.log10(1 / score - 1);
}

/** Pair scores as a fraction of the pair's 2 points: 0, ¼, ½, ¾, 1. */
const X = [0, 0.25, 0.5, 0.75, 1] as const;

/**
 * An empty cell would make the likelihood of some hypotheses zero outright (say, after ten won
 * pairs, any chance of a lost pair): each empty cell counts as a thousandth of a pair.
 */
const EMPTY_CELL = 1e-3;

/**
 * The θ of the most likely distribution with mean `s`: q_i = p_i / (1 + θ(x_i − s)), where θ is the
 * root of Σ p_i (x_i − s) / (1 + θ(x_i − s)) = 0 (decreasing in θ, on the interval where every
 * 1 + θ(x_i − s) > 0). Found by bisection.
 */
function theta(p: readonly number[], s: number): number {
  const d = X.map((x) => x - s);
  const f = (t: number) => p.reduce((acc, pi, i) => acc + (pi * d[i]!) / (1 + t * d[i]!), 0);
  let lo = -1 / Math.max(...d);
  let hi = -1 / Math.min(...d);
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo), Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The generalized log-likelihood ratio of H1 (A stronger by elo1) over H0 (by elo0). */
export function llr(penta: Penta, elo0: number, elo1: number): number {
  const total = penta.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const n = penta.map((c) => (c > 0 ? c : EMPTY_CELL));
  const sum = n.reduce((a, b) => a + b, 0);
  const p = n.map((c) => c / sum);
  const s0 = scoreOfElo(elo0);
  const s1 = scoreOfElo(elo1);
  const t0 = theta(p, s0);
  const t1 = theta(p, s1);
  // log(q1_i / q0_i) = log(1 + θ0(x_i − s0)) − log(1 + θ1(x_i − s1)): the p_i cancel.
  return n.reduce((acc, c, i) => acc + c * (Math.log1p(t0 * (X[i]! - s0)) - Math.log1p(t1 * (X[i]! - s1))), 0);
}

/** Wald's bounds: accept H0 at or below log(β/(1−α)), H1 at or above log((1−β)/α). */
export function bounds(alpha: number, beta: number): { lower: number; upper: number } {
  return { lower: Math.log(beta / (1 - alpha)), upper: Math.log((1 - beta) / alpha) };
}

export function sprtStatus(spec: SprtSpec, penta: Penta): SprtStatus {
  const value = llr(penta, spec.elo0, spec.elo1);
  const { lower, upper } = bounds(spec.alpha, spec.beta);
  const decision = value >= upper ? "H1" : value <= lower ? "H0" : null;
  return { pairs: penta.reduce((a, b) => a + b, 0), llr: value, lower, upper, decision };
}

/** A's Elo advantage from its pair scores, with a 95 % interval (±Infinity at a clean sweep). */
export function eloEstimate(penta: Penta): { elo: number; lo: number; hi: number } | null {
  const n = penta.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const mean = penta.reduce((acc, c, i) => acc + c * X[i]!, 0) / n;
  const variance = penta.reduce((acc, c, i) => acc + c * (X[i]! - mean) ** 2, 0) / n;
  const margin = 1.959964 * Math.sqrt(variance / n);
  const elo = (s: number) => (s <= 0 ? -Infinity : s >= 1 ? Infinity : eloOfScore(s));
  return { elo: elo(mean), lo: elo(mean - margin), hi: elo(mean + margin) };
}
