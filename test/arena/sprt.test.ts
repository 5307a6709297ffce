// The SPRT's arithmetic against values derived independently: the log-likelihood ratio of a fixed
// pentanomial count computed here by maximising each hypothesis's likelihood directly (a generic
// constrained ascent, not the arena's one-dimensional root), the normal approximation for small
// Elo differences, Wald's bounds, the decisions, and the parsing of --sprt.
import { describe, expect, test } from "bun:test";
import { bounds, eloEstimate, llr, parseSprt, scoreOfElo, sprtStatus, type Penta } from "../../src/arena/sprt.ts";

const X = [0, 0.25, 0.5, 0.75, 1];

/**
 * max Σ n_i log q_i over distributions q with Σ q_i x_i = s, by Newton's method in the plane
 * {Σ q = 1, Σ q x = s}: from a point of that plane, steps along an orthonormal basis of the
 * directions that keep both sums, halved until the likelihood rises and every q_i stays positive.
 */
function maxLogLikelihood(n: readonly number[], s: number): number {
  // A start in the plane: uniform (mean ½), then mass moved from x = 0 to x = 1 to reach mean s.
  let q = [0.2 - (s - 0.5), 0.2, 0.2, 0.2, 0.2 + (s - 0.5)];
  const f = (v: number[]) => n.reduce((acc, c, i) => acc + c * Math.log(v[i]!), 0);
  const dot = (a: number[], b: number[]) => a.reduce((acc, v, i) => acc + v * b[i]!, 0);
  // Gram-Schmidt: the constraints' normals first, then the unit vectors; keep the 3 that remain.
  const basis: number[][] = [];
  for (const v of [X.map(() => 1), [...X], ...X.map((_, i) => X.map((__, j) => (i === j ? 1 : 0)))]) {
    let w = [...v];
    for (const b of basis) w = w.map((x, i) => x - dot(v, b) * b[i]!);
    const len = Math.sqrt(dot(w, w));
    if (len > 1e-9) basis.push(w.map((x) => x / len));
  }
  const dirs = basis.slice(2);
  let value = f(q);
  for (let iter = 0; iter < 200; iter++) {
    const g = n.map((c, i) => c / q[i]!);
    const h = n.map((c, i) => -c / q[i]! ** 2);
    // Newton in the 3 free directions: solve (Dᵀ H D) t = −Dᵀ g by Gaussian elimination.
    const m = dirs.map((a) => [...dirs.map((b) => a.reduce((acc, v, i) => acc + v * h[i]! * b[i]!, 0)), -dot(a, g)]);
    for (let c = 0; c < 3; c++) {
      const piv = m[c]![c]!;
      for (let r = 0; r < 3; r++) if (r !== c) m[r] = m[r]!.map((v, k) => v - (m[r]![c]! / piv) * m[c]![k]!);
    }
    const t = m.map((row, i) => row[3]! / row[i]!);
    const p = q.map((_, i) => dirs.reduce((acc, d, k) => acc + t[k]! * d[i]!, 0));
    let step = 1;
    let moved = false;
    while (step > 1e-12) {
      const next = q.map((v, i) => v + step * p[i]!);
      if (next.every((v) => v > 0) && f(next) >= value) {
        q = next;
        moved = f(next) > value;
        value = f(next);
        break;
      }
      step /= 2;
    }
    if (!moved) break;
  }
  expect(dot(q, X)).toBeCloseTo(s, 12);
  return value;
}

describe("the log-likelihood ratio", () => {
  const penta: Penta = [10, 20, 40, 25, 5];

  test("equals the ratio of the two hypotheses' maximum likelihoods, found by a different method", () => {
    for (const [e0, e1] of [
      [0, 5],
      [0, 10],
      [-5, 5],
      [0, 50],
    ] as const) {
      const direct = maxLogLikelihood(penta, scoreOfElo(e1)) - maxLogLikelihood(penta, scoreOfElo(e0));
      expect(llr(penta, e0, e1)).toBeCloseTo(direct, 6);
    }
    // The value itself, as the direct maximisation gives it, pinned.
    expect(llr(penta, 0, 5)).toBeCloseTo(-0.178564, 6);
  });

  test("is close to the normal approximation N (s1 − s0)(2μ − s0 − s1) / 2σ² for small Elo differences", () => {
    const n = 100;
    const mu = penta.reduce((a, c, i) => a + c * X[i]!, 0) / n;
    const variance = penta.reduce((a, c, i) => a + c * (X[i]! - mu) ** 2, 0) / n;
    const s0 = scoreOfElo(0);
    const s1 = scoreOfElo(5);
    const approx = (n * (s1 - s0) * (2 * mu - s0 - s1)) / (2 * variance);
    expect(Math.abs(llr(penta, 0, 5) - approx) / Math.abs(approx)).toBeLessThan(0.02);
  });

  test("is 0 with no pairs, positive when A scores above both hypotheses, negative below", () => {
    expect(llr([0, 0, 0, 0, 0], 0, 10)).toBe(0);
    expect(llr([0, 5, 10, 30, 20], 0, 10)).toBeGreaterThan(0);
    expect(llr([20, 30, 10, 5, 0], 0, 10)).toBeLessThan(0);
  });
});

describe("decisions", () => {
  test("Wald's bounds: log(β/(1−α)) and log((1−β)/α)", () => {
    expect(bounds(0.05, 0.05)).toEqual({ lower: Math.log(0.05 / 0.95), upper: Math.log(0.95 / 0.05) });
    expect(bounds(0.05, 0.1).upper).toBeCloseTo(Math.log(0.9 / 0.05), 12);
  });

  test("five swept pairs accept H1 at 0 vs 400 Elo; twenty drawn pairs accept H0 at 0 vs 50; neither before", () => {
    const spec = { elo0: 0, elo1: 400, alpha: 0.05, beta: 0.05 };
    expect(sprtStatus(spec, [0, 0, 0, 0, 4]).decision).toBeNull();
    expect(sprtStatus(spec, [0, 0, 0, 0, 5])).toMatchObject({ pairs: 5, decision: "H1" });
    const even = { elo0: 0, elo1: 50, alpha: 0.05, beta: 0.05 };
    expect(sprtStatus(even, [0, 0, 19, 0, 0]).decision).toBeNull();
    expect(sprtStatus(even, [0, 0, 20, 0, 0]).decision).toBe("H0");
  });

  test("the Elo estimate of a pentanomial, with its interval; a sweep is infinite", () => {
    const e = eloEstimate([0, 0, 10, 0, 10])!;
    expect(e.elo).toBeCloseTo(-400 * Math.log10(1 / 0.75 - 1), 9);
    expect(e.lo).toBeLessThan(e.elo);
    expect(e.hi).toBeGreaterThan(e.elo);
    expect(eloEstimate([0, 0, 0, 0, 3])!.elo).toBe(Infinity);
    expect(eloEstimate([0, 0, 0, 0, 0])).toBeNull();
  });
});

test("--sprt takes elo0,elo1,alpha,beta and names every problem", () => {
  expect(parseSprt("0,10,0.05,0.05")).toEqual({ spec: { elo0: 0, elo1: 10, alpha: 0.05, beta: 0.05 } });
  expect(parseSprt("0,10")).toEqual({ errors: ['--sprt takes elo0,elo1,alpha,beta (e.g. 0,10,0.05,0.05); got "0,10"'] });
  const bad = parseSprt("x,10,0,0.7");
  expect("errors" in bad && bad.errors).toEqual([
    '--sprt: elo0 must be a number between -1000 and 1000 (exclusive); got "x"',
    '--sprt: alpha must be a number between 0 and 0.5 (exclusive); got "0"',
    '--sprt: beta must be a number between 0 and 0.5 (exclusive); got "0.7"',
  ]);
  expect(parseSprt("10,0,0.05,0.05")).toEqual({ errors: ["--sprt: elo0 (10) must be below elo1 (0)"] });
});
