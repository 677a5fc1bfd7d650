/**
 * Gaussian-process regression with an ARD Matérn-5/2 kernel, signal variance and Gaussian
 * noise: the default surrogate for Bayesian optimization over a candidate pool.
 *
 * Conventions (they match scikit-learn's GaussianProcessRegressor with normalize_y=True and
 * kernel ConstantKernel * Matern(nu=2.5, per-dimension length_scale) + WhiteKernel, alpha=0):
 * - inputs are standardized per column with the training mean / population std (constant
 *   columns get scale 1); targets likewise;
 * - hyperparameters (length scales, signal variance, noise variance) live in those standardized
 *   units, and the log marginal likelihood is that of the standardized targets;
 * - `predict` returns the latent function's std (noise excluded), in target units.
 *
 * With `lengthscalePrior: 'dimension_scaled'` the fit is MAP instead of ML-II: log-normal priors
 * on the length scales (location growing with √d) and on the noise variance keep a
 * high-dimensional fit from collapsing its length scales on few points (see hyperpriors.ts).
 * createSurrogate({kind: 'gp'}) turns it on; the class default stays plain ML-II, which is what
 * scikit-learn computes.
 */
import { createRng } from '../optimize/rng';
import { minimizeBoxedLbfgs } from './boundedLbfgs';
import { gpHyperpriors, gpLogPrior, LengthscalePrior, logNormalMode } from './hyperpriors';
import {
  choleskyWithJitter,
  inverseFromCholesky,
  logDetFromCholesky,
  choleskySolve,
  solveLower,
  solveLowerRowsInPlace,
} from './linalg';
import {
  matern52ContractionsFromPairs,
  matern52Cross,
  matern52Gram,
  matern52GramFromPairs,
  matern52LengthscaleContractions,
  pairwiseSquaredDifferences,
  scaleByLengthscales,
} from './matern52';
import { applyColumnScaling, fitColumnScaling, fitTargetScaling, Scaling } from './standardize';
import type { Conditionable, Prediction } from './surrogate';
import { checkMatrix, checkTrainingData } from './validate';

export interface GpHyperparameters {
  /** One per input column, in standardized input units. */
  lengthscales: number[];
  /** In standardized target units (1 = the variance of the training targets). */
  signalVariance: number;
  noiseVariance: number;
}

/** Box for the hyperparameter search (standardized units); wide enough for any sane problem. */
export const GP_HYPERPARAMETER_BOUNDS = {
  lengthscale: [1e-2, 1e3],
  signalVariance: [1e-2, 1e2],
  noiseVariance: [1e-6, 1],
} as const;

export interface GpOptions {
  /** Fixed hyperparameters: skip the likelihood search (used for tests and fantasies). */
  hyperparameters?: GpHyperparameters;
  /** Seeded random restarts in addition to the default starting point (default 2). */
  restarts?: number;
  /** L-BFGS iterations in total for the search (default 150; 20 of them scout each start). */
  maxIterations?: number;
  /**
   * 'none' (default): maximize the marginal likelihood (ML-II). 'dimension_scaled': maximize
   * likelihood × the hyperpriors of Hvarfner et al. (2024) (MAP), robust in high dimensions.
   */
  lengthscalePrior?: LengthscalePrior;
  /**
   * Column scaling to use instead of the training rows' own mean/std. Batch selection passes
   * the whole candidate pool's: with ten training rows in 77 dimensions the training std of a
   * column can be tiny or zero, and pool points would then sit tens of "standard deviations"
   * away, where the GP reverts to its prior and looks falsely attractive.
   */
  inputScaling?: Scaling;
}

interface TargetScaling {
  mean: number;
  scale: number;
}

/** Candidates per block in predict (block x n doubles of cross-covariance at a time). */
const PREDICT_BLOCK = 512;

/** See GaussianProcess.posteriorView. Arrays are the GP's own: never write to them. */
export interface GpPosteriorView {
  n: number;
  d: number;
  /** Length-scaled standardized training rows (n x d). */
  Z: Float64Array;
  /** Lower Cholesky factor of K + (noise + jitter) I, standardized units. */
  L: Float64Array;
  alpha: Float64Array;
  jitter: number;
  hyper: GpHyperparameters;
  xScaling: Scaling;
  yScaling: TargetScaling;
  yTrain: readonly number[];
}

interface Posterior {
  /** Length-scaled standardized training rows. */
  Z: Float64Array;
  L: Float64Array;
  alpha: Float64Array;
  jitter: number;
}

export interface GaussianProcessJson {
  kind: 'gp';
  version: 1;
  seed: number;
  options: Omit<GpOptions, 'hyperparameters'>;
  X: number[][];
  y: number[];
  xScaling: Scaling;
  yScaling: TargetScaling;
  hyperparameters: GpHyperparameters;
}

export class GaussianProcess implements Conditionable {
  readonly kind = 'gp';
  private X: number[][] = [];
  private y: number[] = [];
  private xScaling: Scaling | null = null;
  private yScaling: TargetScaling | null = null;
  private hyper: GpHyperparameters | null = null;
  private posterior: Posterior | null = null;
  private lml = NaN;

  constructor(
    private readonly options: GpOptions = {},
    private readonly seed = 0,
  ) {}

  get hyperparameters(): GpHyperparameters {
    return structuredClone(this.requireFitted().hyper);
  }

  /** Log marginal likelihood of the standardized targets at the fitted hyperparameters. */
  get logMarginalLikelihood(): number {
    this.requireFitted();
    return this.lml;
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): void {
    const { cols } = checkTrainingData(X, y);
    if (this.options.hyperparameters) checkHyperparameters(this.options.hyperparameters, cols);
    if (this.options.inputScaling) checkScaling(this.options.inputScaling, cols);
    const xScaling = this.options.inputScaling
      ? structuredClone(this.options.inputScaling)
      : fitColumnScaling(X);
    const yScaling = fitTargetScaling(y);
    const Xs = applyColumnScaling(X, xScaling);
    const ys = Float64Array.from(y, (v) => (v - yScaling.mean) / yScaling.scale);
    const hyper = this.options.hyperparameters
      ? structuredClone(this.options.hyperparameters)
      : fitHyperparameters(Xs, X.length, cols, ys, this.options, this.seed);
    this.install(X, y, xScaling, yScaling, hyper);
  }

  /** The log marginal likelihood (standardized targets) of the fitted data at other hyperparameters. */
  logMarginalLikelihoodAt(h: GpHyperparameters): number {
    const s = this.requireFitted();
    checkHyperparameters(h, s.xScaling.mean.length);
    const Xs = applyColumnScaling(this.X, s.xScaling);
    const ys = Float64Array.from(this.y, (v) => (v - s.yScaling.mean) / s.yScaling.scale);
    return gpLogMarginalLikelihood(
      likelihoodData(Xs, this.X.length, s.xScaling.mean.length, ys, false),
      toTheta(h),
      false,
    ).value;
  }

  predict(X: readonly (readonly number[])[]): Prediction {
    const s = this.requireFitted();
    const { rows: m } = checkMatrix(X, 'X', s.xScaling.mean.length);
    const d = s.xScaling.mean.length;
    const n = this.X.length;
    const Zq = scaleByLengthscales(applyColumnScaling(X, s.xScaling), m, s.hyper.lengthscales);
    const mean = new Float64Array(m);
    const std = new Float64Array(m);
    const { L, alpha, Z } = s.posterior;
    const { signalVariance } = s.hyper;
    // Blocks of candidates: the cross-covariance block is solved in place (one pass over L per
    // block of four right-hand sides), so memory stays O(block x n) whatever the pool size.
    const B = Math.min(m, PREDICT_BLOCK);
    const buffer = new Float64Array(B * n);
    for (let start = 0; start < m; start += B) {
      const rows = Math.min(B, m - start);
      const Ks = matern52Cross(
        Zq.subarray(start * d, (start + rows) * d),
        rows,
        Z,
        n,
        d,
        signalVariance,
        buffer,
      );
      for (let i = 0; i < rows; i++) {
        let mu = 0;
        for (let j = 0; j < n; j++) mu += Ks[i * n + j] * alpha[j];
        mean[start + i] = mu * s.yScaling.scale + s.yScaling.mean;
      }
      solveLowerRowsInPlace(L, n, Ks, rows, n);
      for (let i = 0; i < rows; i++) {
        let vv = 0;
        for (let j = 0; j < n; j++) vv += Ks[i * n + j] * Ks[i * n + j];
        std[start + i] = Math.sqrt(Math.max(0, signalVariance - vv)) * s.yScaling.scale;
      }
    }
    return { mean, std };
  }

  /**
   * @internal The fitted posterior in the GP's own (standardized, length-scaled) units, read
   * only: optimize/gpBatch.ts uses it to select batches without a refit per pick.
   */
  posteriorView(): GpPosteriorView {
    const s = this.requireFitted();
    return {
      n: this.X.length,
      d: s.xScaling.mean.length,
      Z: s.posterior.Z,
      L: s.posterior.L,
      alpha: s.posterior.alpha,
      jitter: s.posterior.jitter,
      hyper: s.hyper,
      xScaling: s.xScaling,
      yScaling: s.yScaling,
      yTrain: this.y,
    };
  }

  /**
   * Joint posterior of the latent function at X: mean (target units) and the m x m covariance
   * (row-major, target units²). Used for Thompson sampling over a candidate subset.
   */
  predictJoint(X: readonly (readonly number[])[]): { mean: Float64Array; covariance: Float64Array } {
    const s = this.requireFitted();
    const { rows: m } = checkMatrix(X, 'X', s.xScaling.mean.length);
    const { Zq, Ks, n } = this.crossCovariance(X);
    const d = s.xScaling.mean.length;
    const { L, alpha } = s.posterior;
    const mean = new Float64Array(m);
    const V = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      const k = Ks.subarray(i * n, (i + 1) * n);
      let mu = 0;
      for (let j = 0; j < n; j++) mu += k[j] * alpha[j];
      mean[i] = mu * s.yScaling.scale + s.yScaling.mean;
      V.set(solveLower(L, n, k), i * n);
    }
    const covariance = matern52Gram(Zq, m, d, s.hyper.signalVariance);
    const s2 = s.yScaling.scale * s.yScaling.scale;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j <= i; j++) {
        let vv = 0;
        for (let t = 0; t < n; t++) vv += V[i * n + t] * V[j * n + t];
        const c = (covariance[i * m + j] - vv) * s2;
        covariance[i * m + j] = c;
        covariance[j * m + i] = c;
      }
    }
    return { mean, covariance };
  }

  /**
   * A GP with the same hyperparameters and standardization that has also observed (X, y):
   * the Kriging believer's fantasy update. Nothing is refitted, so the result is exact and cheap.
   */
  conditionOn(X: readonly (readonly number[])[], y: readonly number[]): GaussianProcess {
    const s = this.requireFitted();
    checkMatrix(X, 'X', s.xScaling.mean.length);
    checkTrainingData(X, y);
    const gp = new GaussianProcess(this.options, this.seed);
    gp.install([...this.X, ...X.map((r) => [...r])], [...this.y, ...y], s.xScaling, s.yScaling, s.hyper);
    return gp;
  }

  toJSON(): GaussianProcessJson {
    const s = this.requireFitted();
    const { hyperparameters: _h, ...options } = this.options;
    return {
      kind: 'gp',
      version: 1,
      seed: this.seed,
      options,
      X: this.X.map((r) => [...r]),
      y: [...this.y],
      xScaling: structuredClone(s.xScaling),
      yScaling: { ...s.yScaling },
      hyperparameters: structuredClone(s.hyper),
    };
  }

  static fromJSON(json: GaussianProcessJson): GaussianProcess {
    if (json?.kind !== 'gp' || json.version !== 1)
      throw new Error('not a serialized GP (expected kind "gp", version 1)');
    const { cols } = checkTrainingData(json.X, json.y);
    checkHyperparameters(json.hyperparameters, cols);
    const gp = new GaussianProcess(json.options ?? {}, json.seed ?? 0);
    gp.install(json.X, json.y, json.xScaling, json.yScaling, json.hyperparameters);
    return gp;
  }

  private install(
    X: readonly (readonly number[])[],
    y: readonly number[],
    xScaling: Scaling,
    yScaling: TargetScaling,
    hyper: GpHyperparameters,
  ): void {
    const n = X.length;
    const d = xScaling.mean.length;
    const Xs = applyColumnScaling(X, xScaling);
    const ys = Float64Array.from(y, (v) => (v - yScaling.mean) / yScaling.scale);
    const r = gpLogMarginalLikelihood(likelihoodData(Xs, n, d, ys, false), toTheta(hyper), false);
    this.X = X.map((row) => [...row]);
    this.y = [...y];
    this.xScaling = structuredClone(xScaling);
    this.yScaling = { ...yScaling };
    this.hyper = structuredClone(hyper);
    this.posterior = { Z: r.Z, L: r.L, alpha: r.alpha, jitter: r.jitter };
    this.lml = r.value;
  }

  private crossCovariance(X: readonly (readonly number[])[]): {
    Zq: Float64Array;
    Ks: Float64Array;
    n: number;
  } {
    const s = this.requireFitted();
    const d = s.xScaling.mean.length;
    const n = this.X.length;
    const Zq = scaleByLengthscales(applyColumnScaling(X, s.xScaling), X.length, s.hyper.lengthscales);
    return { Zq, Ks: matern52Cross(Zq, X.length, s.posterior.Z, n, d, s.hyper.signalVariance), n };
  }

  private requireFitted(): {
    xScaling: Scaling;
    yScaling: TargetScaling;
    hyper: GpHyperparameters;
    posterior: Posterior;
  } {
    if (!this.xScaling || !this.yScaling || !this.hyper || !this.posterior)
      throw new Error('GP is not fitted: call fit() first');
    return { xScaling: this.xScaling, yScaling: this.yScaling, hyper: this.hyper, posterior: this.posterior };
  }
}

/** θ = [log ℓ_1..log ℓ_d, log signal variance, log noise variance]. */
function toTheta(h: GpHyperparameters): Float64Array {
  return Float64Array.from([
    ...h.lengthscales.map(Math.log),
    Math.log(h.signalVariance),
    Math.log(h.noiseVariance),
  ]);
}

function fromTheta(theta: ArrayLike<number>, d: number): GpHyperparameters {
  return {
    lengthscales: Array.from({ length: d }, (_, i) => Math.exp(theta[i])),
    signalVariance: Math.exp(theta[d]),
    noiseVariance: Math.exp(theta[d + 1]),
  };
}

function checkScaling(s: Scaling, d: number): void {
  const ok = (a: unknown) => Array.isArray(a) && a.length === d && a.every((v) => Number.isFinite(v));
  if (!s || !ok(s.mean) || !ok(s.scale) || s.scale.some((v) => !(v > 0)))
    throw new Error(`GP inputScaling: mean and scale must be ${d} finite numbers (scale > 0)`);
}

function checkHyperparameters(h: GpHyperparameters, d: number): void {
  if (!h || !Array.isArray(h.lengthscales))
    throw new Error('GP hyperparameters: lengthscales must be an array');
  if (h.lengthscales.length !== d) {
    throw new Error(`GP hyperparameters: ${h.lengthscales.length} lengthscales for ${d} input columns`);
  }
  h.lengthscales.forEach((l, i) => {
    if (!(l > 0) || !Number.isFinite(l))
      throw new Error(`GP hyperparameters: lengthscale ${i} must be positive and finite, got ${l}`);
  });
  if (!(h.signalVariance > 0) || !Number.isFinite(h.signalVariance))
    throw new Error(`GP hyperparameters: signalVariance must be positive, got ${h.signalVariance}`);
  if (!(h.noiseVariance >= 0) || !Number.isFinite(h.noiseVariance))
    throw new Error(`GP hyperparameters: noiseVariance must be >= 0, got ${h.noiseVariance}`);
}

/** Standardized training data, plus pair differences precomputed for repeated evaluations. */
export interface LikelihoodData {
  Xs: Float64Array;
  n: number;
  d: number;
  ys: Float64Array;
  /** From pairwiseSquaredDifferences; null evaluates the kernel from Xs directly. */
  pairs: Float64Array | null;
}

/** Precomputed pair differences cost n²d/2 doubles: above this many we recompute instead. */
const MAX_PAIR_ENTRIES = 12_000_000;

export function likelihoodData(
  Xs: Float64Array,
  n: number,
  d: number,
  ys: Float64Array,
  precompute: boolean,
): LikelihoodData {
  const pairs =
    precompute && ((n * (n - 1)) / 2) * d <= MAX_PAIR_ENTRIES ? pairwiseSquaredDifferences(Xs, n, d) : null;
  return { Xs, n, d, ys, pairs };
}

/**
 * Log marginal likelihood log p(ys | X, θ) and, optionally, its gradient w.r.t. θ
 * (log-parameters), via ∂/∂θ = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ).
 */
export function gpLogMarginalLikelihood(
  data: LikelihoodData,
  theta: ArrayLike<number>,
  withGradient: boolean,
): {
  value: number;
  gradient: Float64Array | null;
  Z: Float64Array;
  L: Float64Array;
  alpha: Float64Array;
  jitter: number;
} {
  const { Xs, n, d, ys, pairs } = data;
  const h = fromTheta(theta, d);
  const Z = scaleByLengthscales(Xs, n, h.lengthscales);
  const invSq = Float64Array.from(h.lengthscales, (l) => 1 / (l * l));
  let Kf: Float64Array;
  let r: Float64Array | null = null;
  if (pairs) ({ K: Kf, r } = matern52GramFromPairs(pairs, n, d, invSq, h.signalVariance));
  else Kf = matern52Gram(Z, n, d, h.signalVariance);
  const K = Kf.slice();
  for (let i = 0; i < n; i++) K[i * n + i] += h.noiseVariance;
  const { L, jitter } = choleskyWithJitter(K, n);
  const alpha = choleskySolve(L, n, ys);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += ys[i] * alpha[i];
  const value = -0.5 * fit - 0.5 * logDetFromCholesky(L, n) - 0.5 * n * Math.log(2 * Math.PI);
  if (!withGradient) return { value, gradient: null, Z, L, alpha, jitter };
  const W = inverseFromCholesky(L, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) W[i * n + j] = alpha[i] * alpha[j] - W[i * n + j];
  const gradient = new Float64Array(d + 2);
  const gl =
    pairs && r
      ? matern52ContractionsFromPairs(pairs, r, n, d, invSq, h.signalVariance, W)
      : matern52LengthscaleContractions(Z, n, d, h.signalVariance, W);
  for (let k = 0; k < d; k++) gradient[k] = 0.5 * gl[k];
  let ws = 0;
  let tr = 0;
  for (let i = 0; i < n * n; i++) ws += W[i] * Kf[i];
  for (let i = 0; i < n; i++) tr += W[i * n + i];
  gradient[d] = 0.5 * ws;
  gradient[d + 1] = 0.5 * h.noiseVariance * tr;
  return { value, gradient, Z, L, alpha, jitter };
}

/**
 * Maximizes the log marginal likelihood (plus the log hyperprior for a MAP fit): a short L-BFGS
 * run from a default start and from each seeded random restart, then the most promising run continues (cheaper than running every
 * start to convergence, and the restarts still guard against a poor local optimum).
 */
function fitHyperparameters(
  Xs: Float64Array,
  n: number,
  d: number,
  ys: Float64Array,
  options: GpOptions,
  seed: number,
): GpHyperparameters {
  const B = GP_HYPERPARAMETER_BOUNDS;
  const lower = new Float64Array(d + 2);
  const upper = new Float64Array(d + 2);
  for (let k = 0; k < d; k++) {
    lower[k] = Math.log(B.lengthscale[0]);
    upper[k] = Math.log(B.lengthscale[1]);
  }
  lower[d] = Math.log(B.signalVariance[0]);
  upper[d] = Math.log(B.signalVariance[1]);
  lower[d + 1] = Math.log(B.noiseVariance[0]);
  upper[d + 1] = Math.log(B.noiseVariance[1]);
  // Standardized inputs: a typical pairwise distance is ~√(2d), so ℓ ≈ √d is a neutral start.
  const priors = gpHyperpriors(options.lengthscalePrior ?? 'none', d);
  const clampLog = (v: number, k: number) => Math.min(upper[k], Math.max(lower[k], v));
  // With a prior, start where BoTorch does: the length-scale prior's mode (scaled with √d).
  const baseLog = priors.lengthscale
    ? clampLog(Math.log(logNormalMode(priors.lengthscale)), 0)
    : 0.5 * Math.log(Math.max(1, d));
  const noiseStart = priors.noiseVariance
    ? clampLog(Math.log(logNormalMode(priors.noiseVariance)), d + 1)
    : Math.log(1e-2);
  const starts: Float64Array[] = [Float64Array.from([...new Array<number>(d).fill(baseLog), 0, noiseStart])];
  const rng = createRng(seed);
  const restarts = options.restarts ?? 2;
  for (let r = 0; r < restarts; r++) {
    const t = new Float64Array(d + 2);
    for (let k = 0; k < d; k++) t[k] = baseLog + (rng.next() * 3 - 1.5);
    t[d] = Math.log(0.3) + rng.next() * Math.log(10);
    t[d + 1] = Math.log(1e-4) + rng.next() * Math.log(1e3);
    starts.push(t);
  }
  const data = likelihoodData(Xs, n, d, ys, true);
  const objective = (theta: Float64Array) => {
    try {
      const r = gpLogMarginalLikelihood(data, theta, true);
      const g = r.gradient as Float64Array;
      const prior = gpLogPrior(theta, d, priors);
      for (let i = 0; i < g.length; i++) g[i] = -g[i] - prior.gradient[i];
      return { value: -r.value - prior.value, gradient: g };
    } catch {
      return { value: Infinity, gradient: new Float64Array(d + 2) };
    }
  };
  const maxIterations = options.maxIterations ?? 150;
  const scoutIterations = starts.length > 1 ? Math.min(20, maxIterations) : 0;
  let best: { x: Float64Array; value: number } | null = null;
  for (const start of starts) {
    if (!Number.isFinite(objective(start).value)) continue; // a start where K cannot be factorized
    const r = scoutIterations
      ? minimizeBoxedLbfgs(objective, start, { lower, upper, maxIterations: scoutIterations })
      : { x: start, value: objective(start).value };
    if (!best || r.value < best.value) best = r;
  }
  if (!best)
    throw new Error('GP hyperparameter fit failed: the likelihood is not finite at any starting point');
  const final = minimizeBoxedLbfgs(objective, best.x, {
    lower,
    upper,
    maxIterations: maxIterations - scoutIterations,
  });
  return fromTheta(final.value <= best.value ? final.x : best.x, d);
}
