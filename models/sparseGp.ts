/**
 * Sparse GP for large training sets: the deterministic training conditional (DTC; Seeger et al.
 * 2003; Quiñonero-Candela & Rasmussen 2005, eqs. 20–21) with M inducing points from k-means over
 * the standardized training inputs. Kernel and conventions are the GP's (ARD Matérn-5/2,
 * standardized inputs and targets, latent std reported). Hyperparameters come from the full
 * GP's MAP fit on a random subset of `subsetSize` rows (the O(n³) part), unless given.
 * With Σ = (K_uu + σ⁻² K_uf K_fu)⁻¹:
 *   mean(x) = σ⁻² k_u(x)ᵀ Σ K_uf y
 *   var(x)  = k(x,x) − k_u(x)ᵀ K_uu⁻¹ k_u(x) + k_u(x)ᵀ Σ k_u(x)
 * Fit O(n M²), predict O(M²) per point (against O(n³) and O(n²) for the exact GP).
 */
import { createRng, shuffled } from '../optimize/rng';
import { kMeans } from '../optimize/kmeans';
import { GaussianProcess, GpHyperparameters } from './gaussianProcess';
import { choleskySolve, choleskyWithJitter, solveLower } from './linalg';
import { matern52Cross, matern52Gram, scaleByLengthscales } from './matern52';
import { applyColumnScaling, fitColumnScaling, fitTargetScaling, Scaling } from './standardize';
import type { Conditionable, Prediction } from './surrogate';
import { checkMatrix, checkTrainingData } from './validate';

export interface SparseGpOptions {
  /** Inducing points (default 128; all rows when there are fewer). */
  inducing?: number;
  /** Rows for the hyperparameter fit (default 300). */
  subsetSize?: number;
  hyperparameters?: GpHyperparameters;
  /** Inducing inputs in standardized units (M x d rows), instead of k-means. */
  inducingPoints?: number[][];
  inputScaling?: Scaling;
}

export interface SparseGpJson {
  kind: 'sparse_gp';
  version: 1;
  X: number[][];
  y: number[];
  hyperparameters: GpHyperparameters;
  inducingPoints: number[][];
  xScaling: Scaling;
}

export class SparseGaussianProcess implements Conditionable {
  readonly kind = 'sparse_gp';
  private state: {
    X: number[][];
    y: number[];
    d: number;
    M: number;
    hyper: GpHyperparameters;
    U: number[][];
    Zu: Float64Array;
    xScaling: Scaling;
    yScaling: { mean: number; scale: number };
    Luu: Float64Array;
    LA: Float64Array;
    w: Float64Array;
  } | null = null;

  constructor(
    private readonly options: SparseGpOptions = {},
    private readonly seed = 0,
  ) {}

  get hyperparameters(): GpHyperparameters {
    return structuredClone(this.require().hyper);
  }

  /** Inducing inputs in standardized units. */
  get inducingPoints(): number[][] {
    return this.require().U.map((r) => [...r]);
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): void {
    const { rows: n, cols: d } = checkTrainingData(X, y);
    const xScaling = this.options.inputScaling ?? fitColumnScaling(X);
    const Xs = applyColumnScaling(X, xScaling);
    const yScaling = fitTargetScaling(y);
    const ys = Float64Array.from(y, (v) => (v - yScaling.mean) / yScaling.scale);
    const rng = createRng(this.seed);
    let hyper = this.options.hyperparameters;
    if (!hyper) {
      const rows = shuffled(
        Array.from({ length: n }, (_, i) => i),
        rng,
      ).slice(0, Math.min(n, this.options.subsetSize ?? 300));
      const gp = new GaussianProcess(
        { lengthscalePrior: 'dimension_scaled', inputScaling: xScaling },
        this.seed,
      );
      gp.fit(
        rows.map((i) => X[i]),
        rows.map((i) => y[i]),
      );
      hyper = gp.hyperparameters;
    }
    let U = this.options.inducingPoints;
    if (!U) {
      const M = Math.min(n, this.options.inducing ?? 128);
      const { centroids } = kMeans(Xs, n, d, M, rng, { initializations: 1, maxIterations: 50 });
      U = Array.from({ length: M }, (_, i) => Array.from(centroids.subarray(i * d, (i + 1) * d)));
    }
    checkMatrix(U, 'inducingPoints', d);
    this.install(X, y, d, hyper, U, xScaling, yScaling, Xs, ys);
  }

  private install(
    X: readonly (readonly number[])[],
    y: readonly number[],
    d: number,
    hyper: GpHyperparameters,
    U: number[][],
    xScaling: Scaling,
    yScaling: { mean: number; scale: number },
    Xs: Float64Array,
    ys: Float64Array,
  ): void {
    const n = X.length;
    const M = U.length;
    const s2 = hyper.signalVariance;
    const noise = Math.max(hyper.noiseVariance, 1e-10);
    const Zu = scaleByLengthscales(Float64Array.from(U.flat()), M, hyper.lengthscales);
    const Zf = scaleByLengthscales(Xs, n, hyper.lengthscales);
    const Kuu = matern52Gram(Zu, M, d, s2);
    const { L: Luu } = choleskyWithJitter(Kuu, M, 1e-2);
    const Kuf = matern52Cross(Zu, M, Zf, n, d, s2); // M x n
    // A = K_uu + σ⁻² K_uf K_fu
    const A = Kuu.slice();
    for (let a = 0; a < M; a++) {
      for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += Kuf[a * n + j] * Kuf[b * n + j];
        A[a * M + b] += s / noise;
        if (a !== b) A[b * M + a] = A[a * M + b];
      }
    }
    const { L: LA } = choleskyWithJitter(A, M, 1e-2);
    const Kfy = new Float64Array(M);
    for (let a = 0; a < M; a++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += Kuf[a * n + j] * ys[j];
      Kfy[a] = s / noise;
    }
    const w = choleskySolve(LA, M, Kfy); // Σ K_uf y / σ²
    this.state = {
      X: X.map((r) => [...r]),
      y: [...y],
      d,
      M,
      hyper: structuredClone(hyper),
      U: U.map((r) => [...r]),
      Zu,
      xScaling: structuredClone(xScaling),
      yScaling,
      Luu,
      LA,
      w,
    };
  }

  predict(X: readonly (readonly number[])[]): Prediction {
    const s = this.require();
    const { rows: m } = checkMatrix(X, 'X', s.d);
    const Zq = scaleByLengthscales(applyColumnScaling(X, s.xScaling), m, s.hyper.lengthscales);
    const Ku = matern52Cross(Zq, m, s.Zu, s.M, s.d, s.hyper.signalVariance);
    const mean = new Float64Array(m);
    const std = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const k = Ku.subarray(i * s.M, (i + 1) * s.M);
      let mu = 0;
      for (let a = 0; a < s.M; a++) mu += k[a] * s.w[a];
      const q1 = solveLower(s.Luu, s.M, k);
      const q2 = solveLower(s.LA, s.M, k);
      let v = s.hyper.signalVariance;
      for (let a = 0; a < s.M; a++) v += q2[a] * q2[a] - q1[a] * q1[a];
      mean[i] = mu * s.yScaling.scale + s.yScaling.mean;
      std[i] = Math.sqrt(Math.max(0, v)) * s.yScaling.scale;
    }
    return { mean, std };
  }

  /** Kriging believer: same hyperparameters, inducing points and scaling, plus the rows. */
  conditionOn(X: readonly (readonly number[])[], y: readonly number[]): SparseGaussianProcess {
    const s = this.require();
    checkMatrix(X, 'X', s.d);
    const next = new SparseGaussianProcess({
      hyperparameters: s.hyper,
      inducingPoints: s.U,
      inputScaling: s.xScaling,
    });
    next.fit([...s.X, ...X], [...s.y, ...y]);
    return next;
  }

  toJSON(): SparseGpJson {
    const s = this.require();
    return {
      kind: 'sparse_gp',
      version: 1,
      X: s.X,
      y: s.y,
      hyperparameters: structuredClone(s.hyper),
      inducingPoints: s.U.map((r) => [...r]),
      xScaling: structuredClone(s.xScaling),
    };
  }

  static fromJSON(json: SparseGpJson): SparseGaussianProcess {
    if (json?.kind !== 'sparse_gp' || json.version !== 1) throw new Error('not a serialized sparse GP');
    const g = new SparseGaussianProcess({
      hyperparameters: json.hyperparameters,
      inducingPoints: json.inducingPoints,
      inputScaling: json.xScaling,
    });
    g.fit(json.X, json.y);
    return g;
  }

  private require() {
    if (!this.state) throw new Error('sparse GP is not fitted: call fit() first');
    return this.state;
  }
}
