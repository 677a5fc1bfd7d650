/**
 * Hyperpriors for a MAP fit of the GP's hyperparameters.
 *
 * Why: with a few dozen observations in tens of dimensions, maximizing the marginal likelihood
 * alone (ML-II) lets ARD length scales collapse onto whichever columns happen to separate the
 * first points, and the model stops generalizing (on OBELiX, 77 composition features, GP + EI
 * was no better than random search). Hvarfner, Hellsten & Nardi (2024), "Vanilla Bayesian
 * Optimization Performs Great in High Dimensions", ICML, show that a log-normal length-scale
 * prior whose location grows with √d fixes this; BoTorch ≥ 0.12 uses it by default:
 * ℓ ~ LogNormal(√2 + ½ log d, √3) on inputs scaled to the unit cube, and a noise-variance prior
 * LogNormal(−4, 1) on standardized targets.
 *
 * Our GP standardizes inputs to zero mean and unit variance rather than to the unit cube. The
 * prior's intent is a fixed ratio between length scale and the typical distance between two
 * points; that distance is √(d/6) in the unit cube (uniform data) and √(2d) in standardized
 * units, a factor √12, so the location gains ½ log 12 (the same shift as std = 1/√12 for a
 * uniform column).
 */

/** Location and scale (of log x) of a log-normal distribution. */
export interface LogNormal {
  loc: number;
  scale: number;
}

export type LengthscalePrior = 'none' | 'dimension_scaled';

/** BoTorch's noise prior on the (standardized) noise variance. */
export const NOISE_VARIANCE_PRIOR: LogNormal = { loc: -4, scale: 1 };

/** ½ log 12: unit-cube length scales → standardized-input length scales (see above). */
export const STANDARDIZED_INPUT_SHIFT = 0.5 * Math.log(12);

/** The dimension-scaled length-scale prior for d standardized input columns. */
export function dimensionScaledLengthscalePrior(d: number): LogNormal {
  if (!Number.isInteger(d) || d < 1) throw new Error(`input dimension must be a positive integer, got ${d}`);
  return { loc: Math.SQRT2 + 0.5 * Math.log(d) + STANDARDIZED_INPUT_SHIFT, scale: Math.sqrt(3) };
}

/** Mode of a log-normal, exp(loc − scale²): where BoTorch starts its length scales. */
export function logNormalMode(p: LogNormal): number {
  return Math.exp(p.loc - p.scale * p.scale);
}

/**
 * log density of LogNormal(loc, scale) at x = e^t (the density in x, as scipy.stats.lognorm
 * and gpytorch's LogNormalPrior; no Jacobian of the log transform, like BoTorch's MAP fit) and
 * its derivative with respect to t = log x, the coordinate the optimizer works in.
 */
export function logNormalLogDensity(t: number, p: LogNormal): { value: number; dt: number } {
  checkLogNormal(p);
  const z = (t - p.loc) / p.scale;
  return {
    value: -t - Math.log(p.scale) - 0.5 * Math.log(2 * Math.PI) - 0.5 * z * z,
    dt: -1 - z / p.scale,
  };
}

export interface GpHyperpriors {
  lengthscale: LogNormal | null;
  noiseVariance: LogNormal | null;
}

export function gpHyperpriors(kind: LengthscalePrior, d: number): GpHyperpriors {
  if (kind === 'none') return { lengthscale: null, noiseVariance: null };
  if (kind === 'dimension_scaled')
    return { lengthscale: dimensionScaledLengthscalePrior(d), noiseVariance: NOISE_VARIANCE_PRIOR };
  throw new Error(`unknown length-scale prior: ${String(kind)} (expected 'none' or 'dimension_scaled')`);
}

/**
 * Σ log prior over θ = [log ℓ_1..log ℓ_d, log signal variance, log noise variance] and its
 * gradient in θ. The signal variance has no prior (targets are standardized, so 1 is natural
 * and the likelihood pins it well).
 */
export function gpLogPrior(
  theta: ArrayLike<number>,
  d: number,
  priors: GpHyperpriors,
): {
  value: number;
  gradient: Float64Array;
} {
  const gradient = new Float64Array(d + 2);
  let value = 0;
  if (priors.lengthscale) {
    for (let k = 0; k < d; k++) {
      const r = logNormalLogDensity(theta[k], priors.lengthscale);
      value += r.value;
      gradient[k] = r.dt;
    }
  }
  if (priors.noiseVariance) {
    const r = logNormalLogDensity(theta[d + 1], priors.noiseVariance);
    value += r.value;
    gradient[d + 1] = r.dt;
  }
  return { value, gradient };
}

function checkLogNormal(p: LogNormal): void {
  if (!Number.isFinite(p.loc) || !(p.scale > 0) || !Number.isFinite(p.scale))
    throw new Error(`log-normal prior needs a finite loc and a positive scale, got ${p.loc}, ${p.scale}`);
}
