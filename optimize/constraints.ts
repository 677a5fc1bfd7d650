/**
 * Outcome constraints for constrained Bayesian optimization (Gardner et al. 2014, "Bayesian
 * optimization with inequality constraints", ICML): each constraint has its own surrogate, and
 * a candidate's acquisition is weighted by the probability that it is feasible,
 * P(lower ≤ g(x) ≤ upper) under g(x) ~ N(mean, std²).
 */
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
 * In place: score · PoF, or score + log PoF when the scores are logarithms (log EI); PoF (or log
 * PoF) alone when `pofOnly` (no feasible incumbent yet, so no improvement to weight). `logPof`
 * is per score, already summed over independent constraints.
 */
export function weightByFeasibility(
  scores: Float64Array,
  logPof: ArrayLike<number>,
  scoresAreLog: boolean,
  pofOnly: boolean,
): Float64Array {
  if (logPof.length !== scores.length)
    throw new Error(`feasibility for ${logPof.length} points, scores for ${scores.length}`);
  for (let i = 0; i < scores.length; i++) {
    if (pofOnly) scores[i] = scoresAreLog ? logPof[i] : Math.exp(logPof[i]);
    else scores[i] = scoresAreLog ? scores[i] + logPof[i] : scores[i] * Math.exp(logPof[i]);
  }
  return scores;
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
