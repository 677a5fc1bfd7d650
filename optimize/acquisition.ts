/**
 * Acquisition functions, in the maximization convention: larger scores are better and
 * `best` is the incumbent (largest oriented observation). Minimization campaigns orient their
 * targets first with `orientTargets`.
 */
import type { Prediction } from '../models/surrogate';
import { erfcx, normalCdf, normalLogCdf, normalPdf } from './normal';
import type { Rng } from './rng';

export type AcquisitionSpec = {
  kind: 'ei' | 'log_ei' | 'pi' | 'ucb' | 'greedy' | 'random' | 'thompson';
  /** UCB exploration weight (default 2): score = mean + sqrt(beta) * std. */
  beta?: number;
  /** EI/PI improvement margin in target units (default 0). */
  xi?: number;
  /**
   * UCB only: β from a schedule instead of the fixed `beta` (resolved per proposal by
   * ucbBetaSchedule from the number of observations and the pool size).
   */
  betaSchedule?: { kind: 'srinivas'; delta?: number; scale?: number };
};

/**
 * The GP-UCB schedule of Srinivas et al. (2010, Theorem 1, finite domain D):
 * β_t = 2 log(|D| t² π² / (6 δ)), times `scale` (the theory's β is known to over-explore;
 * Kandasamy et al. 2017 use ~0.2). t = observations so far (≥ 1), |D| = candidates.
 */
export function ucbBetaSchedule(
  schedule: NonNullable<AcquisitionSpec['betaSchedule']>,
  t: number,
  poolSize: number,
): number {
  if (schedule.kind !== 'srinivas') throw new Error(`unknown UCB beta schedule: ${String(schedule.kind)}`);
  const delta = schedule.delta ?? 0.1;
  const scale = schedule.scale ?? 0.2;
  if (!(delta > 0 && delta < 1)) throw new Error(`UCB schedule delta must be in (0, 1), got ${delta}`);
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new Error(`UCB schedule scale must be > 0, got ${scale}`);
  const tt = Math.max(1, t);
  return scale * 2 * Math.log((Math.max(1, poolSize) * tt * tt * Math.PI * Math.PI) / (6 * delta));
}

export const DEFAULT_UCB_BETA = 2;

/** Targets flipped so that larger is better (minimize → negate). */
export function orientTargets(y: readonly number[], direction: 'maximize' | 'minimize'): number[] {
  if (direction !== 'maximize' && direction !== 'minimize')
    throw new Error(`direction must be 'maximize' or 'minimize', got ${String(direction)}`);
  return direction === 'maximize' ? [...y] : y.map((v) => -v);
}

/** E[max(f − best − xi, 0)] for f ~ N(mean, std²); std = 0 gives the deterministic improvement. */
export function expectedImprovement(mean: number, std: number, best: number, xi = 0): number {
  checkArgs(mean, std, best, xi);
  const gap = mean - best - xi;
  if (std === 0) return Math.max(gap, 0);
  const z = gap / std;
  // Below z = -1 the closed form z Φ(z) + φ(z) cancels; the log-space h(z) keeps full precision.
  return z > -1 ? std * (z * normalCdf(z) + normalPdf(z)) : std * Math.exp(logH(z));
}

/**
 * log EI, finite wherever std > 0 even when EI underflows to 0: log EI = log h(z) + log std with
 * h(z) = φ(z) + zΦ(z), evaluated by the stable branches of Ament et al. (2023), "Unexpected
 * improvements to expected improvement for Bayesian optimization", NeurIPS, eq. (9).
 * std = 0 gives log(max(gap, 0)) (−Infinity when there is no improvement).
 */
export function logExpectedImprovement(mean: number, std: number, best: number, xi = 0): number {
  checkArgs(mean, std, best, xi);
  const gap = mean - best - xi;
  if (std === 0) return gap > 0 ? Math.log(gap) : -Infinity;
  return logH(gap / std) + Math.log(std);
}

/** log(φ(z) + zΦ(z)). */
export function logH(z: number): number {
  if (z > -1) return Math.log(normalPdf(z) + z * normalCdf(z));
  const c1 = 0.5 * Math.log(2 * Math.PI);
  if (z > -1 / Math.sqrt(Number.EPSILON)) {
    // h(z) = φ(z) (1 − |z| Φ(z)/φ(z)) and Φ(z)/φ(z) = √(π/2) erfcx(−z/√2): log1mexp avoids the cancellation.
    const c2 = 0.5 * Math.log(Math.PI / 2);
    return -0.5 * z * z - c1 + log1mexp(Math.log(Math.abs(z)) + Math.log(erfcx(-z / Math.SQRT2)) + c2);
  }
  // Asymptotic: h(z) ≈ φ(z)/z², exact to double precision beyond 1/√ε.
  return -0.5 * z * z - c1 - 2 * Math.log(Math.abs(z));
}

/** P(f > best + xi); std = 0 gives 1 or 0. */
export function probabilityOfImprovement(mean: number, std: number, best: number, xi = 0): number {
  checkArgs(mean, std, best, xi);
  const gap = mean - best - xi;
  if (std === 0) return gap > 0 ? 1 : 0;
  return normalCdf(gap / std);
}

/** log P(f > best + xi), finite far in the tail. */
export function logProbabilityOfImprovement(mean: number, std: number, best: number, xi = 0): number {
  checkArgs(mean, std, best, xi);
  const gap = mean - best - xi;
  if (std === 0) return gap > 0 ? 0 : -Infinity;
  return normalLogCdf(gap / std);
}

/**
 * mean + sqrt(beta) * std: BoTorch's UpperConfidenceBound convention (beta multiplies the
 * variance), so beta = 4 means two standard deviations.
 */
export function upperConfidenceBound(mean: number, std: number, beta: number): number {
  checkArgs(mean, std, 0, 0);
  if (!(beta >= 0) || !Number.isFinite(beta))
    throw new Error(`UCB beta must be a finite number >= 0, got ${beta}`);
  return mean + Math.sqrt(beta) * std;
}

/**
 * Scores for every predicted point. greedy = posterior mean; random = uniform noise;
 * thompson = one independent draw per point from its marginal N(mean, std²) (a joint sample
 * needs the full covariance: proposeBatch does that for the GP).
 */
export function scoreAcquisition(
  spec: AcquisitionSpec,
  pred: Prediction,
  best: number,
  rng: Rng,
): Float64Array {
  const { mean, std } = pred;
  if (mean.length !== std.length)
    throw new Error(`prediction shape mismatch: ${mean.length} means, ${std.length} stds`);
  const needsIncumbent = spec.kind === 'ei' || spec.kind === 'log_ei' || spec.kind === 'pi';
  if (needsIncumbent && !Number.isFinite(best)) {
    throw new Error(`best (incumbent) must be finite for ${spec.kind}, got ${best}`);
  }
  const xi = spec.xi ?? 0;
  const out = new Float64Array(mean.length);
  for (let i = 0; i < mean.length; i++) {
    const m = mean[i];
    const s = std[i];
    switch (spec.kind) {
      case 'ei':
        out[i] = expectedImprovement(m, s, best, xi);
        break;
      case 'log_ei':
        out[i] = logExpectedImprovement(m, s, best, xi);
        break;
      case 'pi':
        out[i] = probabilityOfImprovement(m, s, best, xi);
        break;
      case 'ucb':
        out[i] = upperConfidenceBound(m, s, spec.beta ?? DEFAULT_UCB_BETA);
        break;
      case 'greedy':
        checkArgs(m, s, 0, 0);
        out[i] = m;
        break;
      case 'random':
        out[i] = rng.next();
        break;
      case 'thompson':
        checkArgs(m, s, 0, 0);
        out[i] = m + s * rng.normal();
        break;
      default:
        throw new Error(`unknown acquisition kind: ${String((spec as { kind: unknown }).kind)}`);
    }
  }
  return out;
}

/** log(1 − e^x) for x ≤ 0 (Mächler 2012: switch at −ln 2 to keep full precision). */
function log1mexp(x: number): number {
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

function checkArgs(mean: number, std: number, best: number, xi: number): void {
  if (!Number.isFinite(mean)) throw new Error(`acquisition: mean must be finite, got ${mean}`);
  if (!(std >= 0) || !Number.isFinite(std))
    throw new Error(`acquisition: std must be finite and >= 0, got ${std}`);
  if (Number.isNaN(best)) throw new Error('acquisition: best is NaN');
  if (!Number.isFinite(xi)) throw new Error(`acquisition: xi must be finite, got ${xi}`);
}
