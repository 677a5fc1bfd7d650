/**
 * ParEGO (Knowles 2006, "ParEGO: a hybrid algorithm with on-line landscape approximation for
 * expensive multiobjective optimization problems", IEEE TEVC 10(1)): each iteration draws a
 * weight vector λ on the simplex and turns the objectives into one target with the augmented
 * Chebyshev function f_λ = max_j(λ_j f_j) + ρ Σ_j λ_j f_j on objectives normalized to [0, 1]
 * (ρ = 0.05 in the paper). Any single-objective surrogate + acquisition then proposes the batch.
 */
import type { Rng } from './rng';

export const PAREGO_RHO = 0.05;

/** Uniform weights on the probability simplex (normalized exponentials). */
export function sampleSimplexWeights(objectives: number, rng: Rng): number[] {
  if (!Number.isInteger(objectives) || objectives < 1)
    throw new Error(`objectives must be a positive integer, got ${objectives}`);
  const e = Array.from({ length: objectives }, () => -Math.log(1 - rng.next()));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/**
 * Scalarized targets for rows of Y (one column per objective, each already oriented so larger
 * is better). Returned in the maximization convention: −f_λ, so larger is better; a column
 * that is constant contributes 0.
 */
export function parEgoScalarize(
  Y: readonly (readonly number[])[],
  weights: readonly number[],
  rho = PAREGO_RHO,
): number[] {
  const k = weights.length;
  if (k === 0) throw new Error('ParEGO: weights are empty');
  if (weights.some((w) => !(w >= 0) || !Number.isFinite(w)))
    throw new Error('ParEGO: weights must be finite and >= 0');
  if (!(rho >= 0)) throw new Error(`ParEGO: rho must be >= 0, got ${rho}`);
  Y.forEach((row, i) => {
    if (row.length !== k) throw new Error(`ParEGO: row ${i} has ${row.length} objectives, weights have ${k}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new Error(`ParEGO: non-finite objective in row ${i}, column ${j}`);
    });
  });
  const hi = weights.map((_, j) => Math.max(...Y.map((r) => r[j])));
  const lo = weights.map((_, j) => Math.min(...Y.map((r) => r[j])));
  return Y.map((row) => {
    let worst = -Infinity;
    let sum = 0;
    for (let j = 0; j < k; j++) {
      // Knowles minimizes costs in [0, 1]: cost 0 at the best observed value of each objective.
      const cost = hi[j] > lo[j] ? (hi[j] - row[j]) / (hi[j] - lo[j]) : 0;
      worst = Math.max(worst, weights[j] * cost);
      sum += weights[j] * cost;
    }
    return -(worst + rho * sum);
  });
}
