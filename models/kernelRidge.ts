/**
 * Kernel ridge regression with an isotropic RBF kernel k(x, x') = exp(−γ |x − x'|²) on
 * standardized inputs and targets (scikit-learn's KernelRidge(kernel='rbf', gamma, alpha) on the
 * same standardized data gives the same mean).
 *
 * Uncertainty: KRR's mean is the posterior mean of a GP with covariance s²·k and noise variance
 * s²·alpha, for any s². We report that GP's latent posterior std,
 *   std(x) = s · sqrt(k(x,x) − k(x)ᵀ (K + alpha I)⁻¹ k(x)),
 * with s² estimated from the training residuals by its maximum-likelihood value
 * s² = yᵀ (K + alpha I)⁻¹ y / n (standardized y). It is honest in the GP sense (large away from
 * the data, small near it) but inherits the kernel's assumptions; gamma and alpha are chosen by
 * leave-one-out error (closed form for KRR) over a small grid unless given.
 *
 * Plain Float64Array loops (linalg.ts), no library: see linalg.ts for why.
 */
import { choleskySolve, choleskyWithJitter, inverseFromCholesky, solveLower } from './linalg';
import { applyColumnScaling, fitColumnScaling, fitTargetScaling, Scaling } from './standardize';
import type { Conditionable, Prediction } from './surrogate';
import { checkMatrix, checkTrainingData } from './validate';

export interface KernelRidgeOptions {
  /** RBF width in standardized units; default chosen by leave-one-out error. */
  gamma?: number;
  /** Ridge penalty (noise-to-signal ratio); default chosen by leave-one-out error. */
  alpha?: number;
  inputScaling?: Scaling;
}

export interface KernelRidgeJson {
  kind: 'kernel_ridge';
  version: 1;
  X: number[][];
  y: number[];
  gamma: number;
  alpha: number;
  xScaling: Scaling;
}

export class KernelRidge implements Conditionable {
  readonly kind = 'kernel_ridge';
  private state: {
    X: number[][];
    y: number[];
    Xs: Float64Array;
    d: number;
    gamma: number;
    alpha: number;
    xScaling: Scaling;
    yScaling: { mean: number; scale: number };
    L: Float64Array;
    dual: Float64Array;
    s2: number;
  } | null = null;

  constructor(private readonly options: KernelRidgeOptions = {}) {
    if (options.gamma !== undefined && !(options.gamma > 0))
      throw new Error('kernel ridge: gamma must be > 0');
    if (options.alpha !== undefined && !(options.alpha > 0))
      throw new Error('kernel ridge: alpha must be > 0');
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): void {
    checkTrainingData(X, y);
    const xScaling = this.options.inputScaling ?? fitColumnScaling(X);
    const d = xScaling.mean.length;
    const Xs = applyColumnScaling(X, xScaling);
    const ySc = fitTargetScaling(y);
    const ys = Float64Array.from(y, (v) => (v - ySc.mean) / ySc.scale);
    const n = X.length;
    let gamma = this.options.gamma;
    let alpha = this.options.alpha;
    if (gamma === undefined || alpha === undefined) {
      const gammas = gamma !== undefined ? [gamma] : [0.1, 0.3, 1, 3].map((g) => g / d);
      const alphas = alpha !== undefined ? [alpha] : [1e-3, 1e-2, 1e-1, 1];
      let best = Infinity;
      for (const g of gammas) {
        for (const a of alphas) {
          const e = looError(Xs, n, d, ys, g, a);
          if (e < best) {
            best = e;
            gamma = g;
            alpha = a;
          }
        }
      }
    }
    const g = gamma as number;
    const a = alpha as number;
    const K = rbfGram(Xs, n, d, g);
    for (let i = 0; i < n; i++) K[i * n + i] += a;
    const { L } = choleskyWithJitter(K, n);
    const dual = choleskySolve(L, n, ys);
    let yKy = 0;
    for (let i = 0; i < n; i++) yKy += ys[i] * dual[i];
    this.state = {
      X: X.map((r) => [...r]),
      y: [...y],
      Xs,
      d,
      gamma: g,
      alpha: a,
      xScaling: structuredClone(xScaling),
      yScaling: ySc,
      L,
      dual,
      s2: Math.max(yKy / n, 1e-12),
    };
  }

  get hyperparameters(): { gamma: number; alpha: number; signalVariance: number } {
    const s = this.require();
    return { gamma: s.gamma, alpha: s.alpha, signalVariance: s.s2 };
  }

  predict(X: readonly (readonly number[])[]): Prediction {
    const s = this.require();
    const { rows: m } = checkMatrix(X, 'X', s.d);
    const n = s.y.length;
    const Q = applyColumnScaling(X, s.xScaling);
    const mean = new Float64Array(m);
    const std = new Float64Array(m);
    const k = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      let mu = 0;
      for (let j = 0; j < n; j++) {
        k[j] = rbf(Q, i, s.Xs, j, s.d, s.gamma);
        mu += k[j] * s.dual[j];
      }
      const v = solveLower(s.L, n, k);
      let vv = 0;
      for (let j = 0; j < n; j++) vv += v[j] * v[j];
      mean[i] = mu * s.yScaling.scale + s.yScaling.mean;
      std[i] = Math.sqrt(Math.max(0, s.s2 * (1 - vv))) * s.yScaling.scale;
    }
    return { mean, std };
  }

  /** Kriging believer: the same gamma, alpha and input scaling, plus the (fantasized) rows. */
  conditionOn(X: readonly (readonly number[])[], y: readonly number[]): KernelRidge {
    const s = this.require();
    checkMatrix(X, 'X', s.d);
    const next = new KernelRidge({ gamma: s.gamma, alpha: s.alpha, inputScaling: s.xScaling });
    next.fit([...s.X, ...X], [...s.y, ...y]);
    return next;
  }

  toJSON(): KernelRidgeJson {
    const s = this.require();
    return {
      kind: 'kernel_ridge',
      version: 1,
      X: s.X,
      y: s.y,
      gamma: s.gamma,
      alpha: s.alpha,
      xScaling: s.xScaling,
    };
  }

  static fromJSON(json: KernelRidgeJson): KernelRidge {
    if (json?.kind !== 'kernel_ridge' || json.version !== 1)
      throw new Error('not a serialized kernel ridge model');
    const m = new KernelRidge({ gamma: json.gamma, alpha: json.alpha, inputScaling: json.xScaling });
    m.fit(json.X, json.y);
    return m;
  }

  private require() {
    if (!this.state) throw new Error('kernel ridge is not fitted: call fit() first');
    return this.state;
  }
}

function rbf(A: Float64Array, i: number, B: Float64Array, j: number, d: number, gamma: number): number {
  let r2 = 0;
  for (let k = 0; k < d; k++) {
    const t = A[i * d + k] - B[j * d + k];
    r2 += t * t;
  }
  return Math.exp(-gamma * r2);
}

export function rbfGram(X: Float64Array, n: number, d: number, gamma: number): Float64Array {
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    K[i * n + i] = 1;
    for (let j = 0; j < i; j++) {
      const v = rbf(X, i, X, j, d, gamma);
      K[i * n + j] = v;
      K[j * n + i] = v;
    }
  }
  return K;
}

/** Mean squared leave-one-out residual: e_i = c_i / (K + alpha I)⁻¹_ii with c = (K + alpha I)⁻¹ y. */
function looError(
  Xs: Float64Array,
  n: number,
  d: number,
  ys: Float64Array,
  gamma: number,
  alpha: number,
): number {
  const K = rbfGram(Xs, n, d, gamma);
  for (let i = 0; i < n; i++) K[i * n + i] += alpha;
  const { L } = choleskyWithJitter(K, n);
  const c = choleskySolve(L, n, ys);
  const inv = inverseFromCholesky(L, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += (c[i] / inv[i * n + i]) ** 2;
  return s / n;
}
