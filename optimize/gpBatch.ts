/**
 * Kriging-believer batches for the GP without refitting or re-predicting the pool per pick.
 * Same picks as the generic loop in proposeBatch (conditionOn + predict on every candidate),
 * at a fraction of the cost:
 *
 * - A fantasy at the posterior mean leaves the posterior mean unchanged everywhere, so the pool's
 *   means are computed once.
 * - Conditioning on more points never increases a posterior variance, and the first j
 *   components of the forward solve L v = k(x) are exactly the conditioning on the first j
 *   training points (L's leading block is their Cholesky factor). So s2 − Σ_{t<j} v_t² is an
 *   upper bound on every later variance (more components, pending points, in-batch fantasies).
 *   For EI, LogEI and UCB (non-decreasing in std), and PI (bounded by 1 where the mean beats
 *   the incumbent), it gives an upper bound of each candidate's score.
 * - Each pick then evaluates exact scores in decreasing order of that bound and stops once the
 *   next bound cannot beat the best exact score: usually a small fraction of the pool.
 * - A fantasy extends the Cholesky factor by one row (rank-1, O(n²)); a candidate evaluated
 *   before only needs the new components of its solve.
 *
 * Cost: the cross-covariance m·n·d (once), m·j²/2 for the bound, plus n²/2 per exactly
 * evaluated candidate, against q·m·n²/2 for the generic loop.
 */
import type { GaussianProcess, GpPosteriorView } from '../models/gaussianProcess';
import { applyColumnScaling } from '../models/standardize';
import { matern52Cross } from '../models/matern52';
import { solveLowerRowsInPlace } from '../models/linalg';
import {
  AcquisitionSpec,
  DEFAULT_UCB_BETA,
  expectedImprovement,
  logExpectedImprovement,
  probabilityOfImprovement,
  upperConfidenceBound,
} from './acquisition';
import type { BatchProposal } from './proposeBatch';

/** Training points in the variance bound (the leading block of L). */
export const BOUND_PREFIX = 64;
/** Candidates per block when computing means and bounds. */
const BLOCK = 512;
/** Candidates solved exactly together. */
const SOLVE_BATCH = 8;

export type LazyAcquisition = 'ei' | 'log_ei' | 'pi' | 'ucb' | 'greedy';

export function isLazyAcquisition(kind: AcquisitionSpec['kind']): kind is LazyAcquisition {
  return kind === 'ei' || kind === 'log_ei' || kind === 'pi' || kind === 'ucb' || kind === 'greedy';
}

/** Counters of one selection, for tests and the propose benchmark. */
export interface LazyStats {
  exactEvaluations: number;
  pool: number;
}

export function gpBelieverBatch(
  gp: GaussianProcess,
  X_pool: readonly (readonly number[])[],
  X_pending: readonly (readonly number[])[],
  q: number,
  acquisition: AcquisitionSpec & { kind: LazyAcquisition },
  stats?: LazyStats,
): BatchProposal {
  const v = gp.posteriorView();
  const { n, d } = v;
  const m = X_pool.length;
  const s2 = v.hyper.signalVariance;
  const ys = v.yScaling;
  const Zp = scaled(X_pool, v);
  const mean = new Float64Array(m); // target units
  const ubStd = new Float64Array(m); // target units
  const j0 = Math.min(n, BOUND_PREFIX);
  const buffer = new Float64Array(Math.min(BLOCK, m) * n);
  for (let start = 0; start < m; start += BLOCK) {
    const rows = Math.min(BLOCK, m - start);
    const K = matern52Cross(Zp.subarray(start * d, (start + rows) * d), rows, v.Z, n, d, s2, buffer);
    for (let i = 0; i < rows; i++) {
      const o = i * n;
      let mu = 0;
      for (let j = 0; j < n; j++) mu += K[o + j] * v.alpha[j];
      mean[start + i] = mu * ys.scale + ys.mean;
      // Forward substitution over the first j0 components only.
      let ss = 0;
      for (let t = 0; t < j0; t++) {
        const rt = t * n;
        let s = K[o + t];
        for (let k = 0; k < t; k++) s -= v.L[rt + k] * K[o + k];
        s /= v.L[rt + t];
        K[o + t] = s;
        ss += s * s;
      }
      ubStd[start + i] = Math.sqrt(Math.max(0, s2 - ss)) * ys.scale;
    }
  }

  const factor = new ExtendedFactor(v, q + X_pending.length);
  const cache: CachedSolve[] = [];
  const slot = new Int32Array(m).fill(-1); // index into cache, -1: not evaluated exactly
  const solveFor = (i: number): CachedSolve => {
    if (slot[i] < 0) solveMany([i]);
    const c = cache[slot[i]];
    c.extend(factor);
    return c;
  };
  /** Exact solves for several candidates at once: four right-hand sides per pass over L. */
  const batchZ = new Float64Array(SOLVE_BATCH * d);
  const solveMany = (rows: readonly number[]) => {
    rows.forEach((i, r) => batchZ.set(Zp.subarray(i * d, (i + 1) * d), r * d));
    const K = matern52Cross(batchZ, rows.length, v.Z, n, d, s2);
    solveLowerRowsInPlace(v.L, n, K, rows.length, n);
    rows.forEach((i, r) => {
      slot[i] = cache.length;
      cache.push(new CachedSolve(Zp.subarray(i * d, (i + 1) * d), factor, i, K.subarray(r * n, (r + 1) * n)));
      if (stats) stats.exactEvaluations++;
    });
  };

  // Pending experiments are fantasized (at their mean, which changes no mean) before any pick.
  let incumbent = Math.max(...v.yTrain);
  if (X_pending.length > 0) {
    const Zq = scaled(X_pending, v);
    for (let p = 0; p < X_pending.length; p++) {
      const z = Zq.subarray(p * d, (p + 1) * d);
      incumbent = Math.max(incumbent, predictMeanOne(v, z));
      factor.append(new CachedSolve(z, factor));
    }
  }
  const firstRows = factor.rows; // std of the "first model": measurements + pending fantasies

  const score = (mu: number, sd: number, best: number): number => {
    switch (acquisition.kind) {
      case 'ei':
        return expectedImprovement(mu, sd, best, acquisition.xi ?? 0);
      case 'log_ei':
        return logExpectedImprovement(mu, sd, best, acquisition.xi ?? 0);
      case 'pi':
        return probabilityOfImprovement(mu, sd, best, acquisition.xi ?? 0);
      case 'ucb':
        return upperConfidenceBound(mu, sd, acquisition.beta ?? DEFAULT_UCB_BETA);
      case 'greedy':
        return mu;
    }
  };
  const upper = (mu: number, sdMax: number, best: number): number =>
    acquisition.kind === 'pi' && mu - best - (acquisition.xi ?? 0) > 0 ? 1 : score(mu, sdMax, best);

  const picked = new Uint8Array(m);
  const out: BatchProposal = { indices: [], scores: [], mean: [], std: [] };
  // U: upper bound of each candidate's score. It depends on the incumbent, so it is recomputed
  // only when a fantasy raises the incumbent; exactly evaluated candidates are rescored per pick.
  const U = new Float64Array(m);
  let boundsFor = NaN;
  for (let k = 0; k < q; k++) {
    if (incumbent !== boundsFor) {
      for (let i = 0; i < m; i++) U[i] = picked[i] ? -Infinity : upper(mean[i], ubStd[i], incumbent);
      boundsFor = incumbent;
    }
    // Exact scores of candidates already solved (their variance shrank with each fantasy).
    let bestI = -1;
    let bestV = -Infinity;
    const consider = (i: number, val: number) => {
      if (bestI < 0 || val > bestV || (val === bestV && i < bestI)) {
        bestI = i;
        bestV = val;
      }
    };
    for (const c of cache) {
      const i = c.poolIndex;
      if (i < 0 || picked[i]) continue;
      consider(i, score(mean[i], c.std(factor, v), incumbent));
    }
    if (bestI < 0) {
      // Nothing solved yet: start from the largest bound.
      let top = -1;
      for (let i = 0; i < m; i++) if (!picked[i] && (top < 0 || U[i] > U[top])) top = i;
      consider(
        top,
        score(mean[top], acquisition.kind === 'greedy' ? 0 : solveFor(top).std(factor, v), incumbent),
      );
    }
    // Only candidates whose bound reaches the best exact score can win: solve those, best bound first.
    const open: number[] = [];
    for (let i = 0; i < m; i++) if (!picked[i] && slot[i] < 0 && U[i] >= bestV) open.push(i);
    open.sort((a, b) => U[b] - U[a] || a - b);
    for (let r = 0; r < open.length; r++) {
      const i = open[r];
      if (U[i] < bestV) break;
      if (acquisition.kind !== 'greedy' && slot[i] < 0) {
        // Solve the next few candidates in bound order together (a few may turn out unneeded).
        const next: number[] = [];
        for (let t = r; t < open.length && next.length < SOLVE_BATCH && U[open[t]] >= bestV; t++)
          next.push(open[t]);
        solveMany(next);
      }
      const sd = acquisition.kind === 'greedy' ? 0 : solveFor(i).std(factor, v);
      consider(i, score(mean[i], sd, incumbent));
    }
    const c = solveFor(bestI);
    picked[bestI] = 1;
    U[bestI] = -Infinity;
    out.indices.push(bestI);
    out.scores.push(bestV);
    out.mean.push(mean[bestI]);
    out.std.push(c.std(factor, v, firstRows));
    if (k + 1 < q) {
      factor.append(c);
      incumbent = Math.max(incumbent, mean[bestI]);
    }
  }
  if (stats) stats.pool = m;
  return out;
}

function scaled(X: readonly (readonly number[])[], v: GpPosteriorView): Float64Array {
  const Z = applyColumnScaling(X, v.xScaling);
  const l = v.hyper.lengthscales;
  for (let i = 0; i < X.length; i++) for (let j = 0; j < v.d; j++) Z[i * v.d + j] /= l[j];
  return Z;
}

function predictMeanOne(v: GpPosteriorView, z: Float64Array): number {
  const k = matern52Cross(z, 1, v.Z, v.n, v.d, v.hyper.signalVariance);
  let mu = 0;
  for (let j = 0; j < v.n; j++) mu += k[j] * v.alpha[j];
  return mu * v.yScaling.scale + v.yScaling.mean;
}

/**
 * The GP's Cholesky factor plus appended rows for fantasized points: row r (r ≥ n) holds
 * L[r, 0..r) and its diagonal, i.e. the factor of K + (noise + jitter) I over training rows
 * followed by the fantasies, built by rank-1 extension.
 */
class ExtendedFactor {
  rows: number;
  readonly extraRows: Float64Array[] = [];
  readonly extraDiag: number[] = [];
  readonly extraZ: Float64Array[] = [];
  constructor(
    readonly v: GpPosteriorView,
    readonly capacity: number,
  ) {
    this.rows = v.n;
  }

  append(c: CachedSolve): void {
    c.extend(this);
    const { hyper, jitter } = this.v;
    const ss = c.sumSquares(this.rows);
    const diag2 = hyper.signalVariance + hyper.noiseVariance + jitter - ss;
    this.extraRows.push(c.values.slice(0, this.rows));
    this.extraDiag.push(Math.sqrt(Math.max(diag2, 1e-12 * hyper.signalVariance)));
    this.extraZ.push(c.z);
    this.rows++;
  }
}

/** L⁻¹ k(x) for one candidate, grown as the factor gains rows. */
class CachedSolve {
  readonly values: Float64Array;
  private length = 0;
  constructor(
    readonly z: Float64Array,
    f: ExtendedFactor,
    /** Pool row, or -1 for a pending point. */
    readonly poolIndex = -1,
    /** L⁻¹ k(x) over the training rows when already solved (solveMany). */
    solved?: Float64Array,
  ) {
    const { n, d, L, Z, hyper } = f.v;
    this.values = new Float64Array(n + f.capacity);
    if (solved) this.values.set(solved);
    else {
      const k = matern52Cross(z, 1, Z, n, d, hyper.signalVariance);
      solveLowerRowsInPlace(L, n, k, 1, n);
      this.values.set(k);
    }
    this.length = n;
  }

  extend(f: ExtendedFactor): void {
    const { n, d, hyper } = f.v;
    for (let r = this.length; r < f.rows; r++) {
      const row = f.extraRows[r - n];
      const kz = matern52Cross(this.z, 1, f.extraZ[r - n], 1, d, hyper.signalVariance)[0];
      let s = kz;
      for (let t = 0; t < r; t++) s -= row[t] * this.values[t];
      this.values[r] = s / f.extraDiag[r - n];
    }
    this.length = f.rows;
  }

  sumSquares(upTo: number): number {
    let ss = 0;
    for (let t = 0; t < upTo; t++) ss += this.values[t] * this.values[t];
    return ss;
  }

  /** Latent std (target units) given the factor's first `rows` rows (default all). */
  std(f: ExtendedFactor, v: GpPosteriorView, rows = f.rows): number {
    this.extend(f);
    return Math.sqrt(Math.max(0, v.hyper.signalVariance - this.sumSquares(rows))) * v.yScaling.scale;
  }
}
