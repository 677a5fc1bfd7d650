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
  const scalar = chebyshevScalar(Y, weights, rho);
  return Y.map(scalar);
}

/**
 * −f_λ of one row of objective values, normalized by the columns of `Y` (Knowles minimizes
 * costs in [0, 1]: cost 0 at the best value of each objective in `Y`; values beyond it, as a
 * posterior sample may be, get negative costs).
 */
function chebyshevScalar(
  Y: readonly (readonly number[])[],
  weights: readonly number[],
  rho: number,
): (values: ArrayLike<number>) => number {
  const k = weights.length;
  const hi = weights.map((_, j) => Math.max(...Y.map((r) => r[j])));
  const lo = weights.map((_, j) => Math.min(...Y.map((r) => r[j])));
  return (values) => {
    let worst = -Infinity;
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const cost = hi[j] > lo[j] ? (hi[j] - values[j]) / (hi[j] - lo[j]) : 0;
      worst = Math.max(worst, weights[j] * cost);
      sum += weights[j] * cost;
    }
    return -(worst + rho * sum);
  };
}

/**
 * ParEGO over separate per-objective models (the CGCNN case, where one model per objective is
 * trained once per iteration and reused for any weights), in the spirit of BoTorch's qParEGO:
 * the scalarization is applied to posterior samples rather than modelled. Each candidate's
 * objectives are drawn from their independent Gaussians with `samples` common standard-normal
 * draws (shared by every candidate, so the ranking is not sampling noise), scalarized with the
 * same normalization as parEgoScalarize on the measured rows, and compared with the best
 * measured scalar:
 * - 'ei': E[max(s − s*, 0)]; 'log_ei': its log (floored at log 1e-300); 'pi': P(s > s*);
 * - 'greedy': the scalar of the posterior means.
 * `predictions[j]` are oriented (larger is better), one per objective, all over the same pool.
 */
export function parEgoSampledAcquisition(
  predictions: readonly { mean: ArrayLike<number>; std: ArrayLike<number> }[],
  measured: readonly (readonly number[])[],
  weights: readonly number[],
  kind: 'ei' | 'log_ei' | 'pi' | 'greedy',
  rng: Rng,
  options: {
    rho?: number;
    samples?: number;
    /**
     * The scalar to improve on, when not the best measured one (constrained: the best feasible
     * measured scalar; null while none is feasible, and then every score is 0 so feasibility alone
     * can rank).
     */
    incumbent?: number | null;
  } = {},
): { scores: Float64Array; incumbent: number | null } {
  const k = weights.length;
  const rho = options.rho ?? PAREGO_RHO;
  const samples = options.samples ?? PAREGO_SAMPLES;
  if (predictions.length !== k) throw new Error(`ParEGO: ${predictions.length} predictions for ${k} weights`);
  if (measured.length === 0) throw new Error('ParEGO: no measured row to normalize against');
  const m = predictions[0].mean.length;
  for (const p of predictions)
    if (p.mean.length !== m || p.std.length !== m) throw new Error('ParEGO: predictions differ in length');
  const incumbent =
    options.incumbent !== undefined
      ? options.incumbent
      : Math.max(...parEgoScalarize(measured, weights, rho));
  const scalar = chebyshevScalar(measured, weights, rho);
  const scores = new Float64Array(m);
  const f = new Float64Array(k);
  if (kind === 'greedy') {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++) f[j] = predictions[j].mean[i];
      scores[i] = scalar(f);
    }
    return { scores, incumbent };
  }
  if (incumbent === null) return { scores, incumbent };
  const z = Float64Array.from({ length: samples * k }, () => rng.normal());
  for (let i = 0; i < m; i++) {
    let acc = 0;
    for (let s = 0; s < samples; s++) {
      for (let j = 0; j < k; j++) f[j] = predictions[j].mean[i] + predictions[j].std[i] * z[s * k + j];
      const gain = scalar(f) - incumbent;
      acc += kind === 'pi' ? (gain > 0 ? 1 : 0) : Math.max(gain, 0);
    }
    const mean = acc / samples;
    scores[i] = kind === 'log_ei' ? Math.log(Math.max(mean, 1e-300)) : mean;
  }
  return { scores, incumbent };
}

/** Posterior draws per candidate in parEgoSampledAcquisition (Monte Carlo error ∝ 1/√samples). */
export const PAREGO_SAMPLES = 1024;
