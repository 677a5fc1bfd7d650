/**
 * Outcome constraints for constrained Bayesian optimization (Gardner et al. 2014, "Bayesian
 * optimization with inequality constraints", ICML): each constraint has its own surrogate, and
 * a candidate's acquisition is weighted by the probability that it is feasible,
 * P(lower ≤ g(x) ≤ upper) under g(x) ~ N(mean, std²).
 */
import type { Prediction } from '../models/surrogate';
import { normalCdf, normalLogCdf } from './normal';

/** Feasible when lower ≤ g ≤ upper; omit a side for a one-sided constraint. */
export interface OutcomeConstraint {
  lower?: number;
  upper?: number;
}

export function probabilityOfFeasibility(mean: number, std: number, c: OutcomeConstraint): number {
  const { a, b } = standardizedBounds(mean, std, c);
  if (std === 0) return a <= 0 && b >= 0 ? 1 : 0;
  // Φ(b) − Φ(a), written with the tail on the far side of the mean to avoid 1 − 1 cancellation.
  return a > 0 ? normalCdf(-a) - normalCdf(-b) : normalCdf(b) - normalCdf(a);
}

/** log P(feasible), finite far into the infeasible tail (for use with log EI). */
export function logProbabilityOfFeasibility(mean: number, std: number, c: OutcomeConstraint): number {
  const { a, b } = standardizedBounds(mean, std, c);
  if (std === 0) return a <= 0 && b >= 0 ? 0 : -Infinity;
  // log(Φ(b) − Φ(a)) = log Φ(b) + log(1 − Φ(a)/Φ(b)), or mirrored when the interval lies above the mean.
  const [hi, lo] = a > 0 ? [-a, -b] : [b, a];
  const logHi = normalLogCdf(hi);
  if (lo === -Infinity) return logHi;
  const ratio = Math.exp(normalLogCdf(lo) - logHi);
  return logHi + Math.log1p(-ratio);
}

/**
 * Objective scores weighted by feasibility: score · Π PoF, or score + Σ log PoF when the
 * scores are logarithms (log EI). One prediction per constraint, aligned with `scores`.
 */
export function weightByFeasibility(
  scores: Float64Array,
  constraintPredictions: readonly Prediction[],
  constraints: readonly OutcomeConstraint[],
  scoresAreLog: boolean,
): Float64Array {
  if (constraintPredictions.length !== constraints.length) {
    throw new Error(
      `constraints mismatch: ${constraints.length} constraints, ${constraintPredictions.length} predictions`,
    );
  }
  const out = Float64Array.from(scores);
  constraints.forEach((c, k) => {
    const p = constraintPredictions[k];
    if (p.mean.length !== scores.length || p.std.length !== scores.length) {
      throw new Error(`constraint ${k}: prediction for ${p.mean.length} points, scores for ${scores.length}`);
    }
    for (let i = 0; i < out.length; i++) {
      out[i] = scoresAreLog
        ? out[i] + logProbabilityOfFeasibility(p.mean[i], p.std[i], c)
        : out[i] * probabilityOfFeasibility(p.mean[i], p.std[i], c);
    }
  });
  return out;
}

function standardizedBounds(mean: number, std: number, c: OutcomeConstraint): { a: number; b: number } {
  if (!Number.isFinite(mean)) throw new Error(`feasibility: mean must be finite, got ${mean}`);
  if (!(std >= 0) || !Number.isFinite(std))
    throw new Error(`feasibility: std must be finite and >= 0, got ${std}`);
  const lower = c.lower ?? -Infinity;
  const upper = c.upper ?? Infinity;
  if (Number.isNaN(lower) || Number.isNaN(upper) || !(lower <= upper)) {
    throw new Error(`constraint bounds must satisfy lower <= upper, got [${c.lower}, ${c.upper}]`);
  }
  if (lower === -Infinity && upper === Infinity)
    throw new Error('constraint has neither lower nor upper bound');
  if (std === 0) return { a: lower - mean, b: upper - mean };
  return { a: (lower - mean) / std, b: (upper - mean) / std };
}
