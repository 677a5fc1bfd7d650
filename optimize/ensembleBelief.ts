/**
 * Kriging-believer batches for a deep ensemble, which cannot be refitted on a fantasy.
 *
 * The members' predictions are joint draws over the candidates, so the ensemble carries a
 * covariance as well as a std: candidates on which the members disagree in the same pattern
 * are ones the ensemble judges alike. As a Gaussian (the ensemble Kalman filter's view,
 * Evensen 1994):
 *
 *   f = μ + √(1−λ)·L·w + u,   w ~ N(0, I_M),   u_i ~ N(0, λ·e_i),   y_i = f_i + ε_i,  ε_i ~ N(0, a_i)
 *
 * L's column k is member k's (calibrated) deviation from the mean over √M, so e_i = Σ_k L_ik² is
 * the members' spread and a_i the rest of the predicted variance (the members' own variance
 * heads; 0 for MSE members). M members give a rank M−1 covariance, which a handful of fantasies
 * would exhaust (every σ → 0 after M−1 picks); λ shrinks it toward its diagonal (covariance
 * localization, Hamill et al. 2001), so each candidate keeps λ·e_i + a_i whatever is picked.
 *
 * Fantasizing a pick at its mean (Kriging believer, Ginsbourger et al. 2010) leaves every mean
 * as it was and shrinks the std of the candidates that share its disagreement pattern; the next
 * pick goes elsewhere. Pending experiments are conditioned on the same way before the first pick.
 * The state is w's M×M covariance S: each fantasy is a rank-one update, each std O(M²).
 */
import type { EnsemblePrediction } from '../models/surrogate';
import { choleskyAt } from '../models/linalg';
import type { Rng } from './rng';

/** λ: the share of the members' spread that is treated as independent per candidate. */
export const DEFAULT_ENSEMBLE_SHRINKAGE = 0.5;

export class EnsembleBelief {
  private readonly members: number;
  /** Covariance of w (M×M, row-major), I before any fantasy. */
  private readonly S: Float64Array;
  /** Per candidate, the variance no fantasy of another candidate touches: λ·e_i + a_i. */
  private readonly independent: Float64Array;

  constructor(
    private readonly prediction: EnsemblePrediction,
    readonly shrinkage = DEFAULT_ENSEMBLE_SHRINKAGE,
  ) {
    const { deviations, mean, std } = prediction;
    if (!(shrinkage >= 0 && shrinkage <= 1)) throw new Error(`shrinkage must be in [0, 1], got ${shrinkage}`);
    if (deviations.length < 2)
      throw new Error(`an ensemble belief needs 2 or more members, got ${deviations.length}`);
    for (const d of deviations)
      if (d.length !== mean.length || std.length !== mean.length)
        throw new Error(
          `ensemble prediction shape mismatch: ${mean.length} means, ${std.length} stds, ${d.length} deviations`,
        );
    this.members = deviations.length;
    this.S = new Float64Array(this.members * this.members);
    for (let k = 0; k < this.members; k++) this.S[k * this.members + k] = 1;
    this.independent = Float64Array.from(std, (s, i) =>
      this.independentVariance(
        deviations.map((d) => d[i]),
        s * s,
      ),
    );
  }

  /** Candidates the belief is over. */
  get size(): number {
    return this.prediction.mean.length;
  }

  /** Current predictive std of every candidate (as `prediction.std` before any fantasy). */
  std(): Float64Array {
    const n = this.prediction.mean.length;
    const out = new Float64Array(n);
    const l = new Float64Array(this.members);
    const c = 1 - this.shrinkage;
    for (let i = 0; i < n; i++)
      out[i] = Math.sqrt(Math.max(c * this.quad(this.row(i, l)) + this.independent[i], 0));
    return out;
  }

  /**
   * One joint draw of y over every candidate from the current belief: μ + √(1−λ)·L·w + √(λ·e + a)·z
   * with w ~ N(0, S) and z ~ N(0, I) (a Thompson sample that keeps the members' correlations).
   */
  sample(rng: Rng): Float64Array {
    const M = this.members;
    // w = C·g with C the Cholesky factor of S (I before any fantasy; fantasies can make it
    // singular when λ = 0, hence the tiny jitter: S's eigenvalues lie in [0, 1]).
    let chol: Float64Array | null = null;
    for (const jitter of [1e-12, 1e-9, 1e-6]) if (!chol) chol = choleskyAt(this.S, M, jitter);
    if (!chol)
      throw new Error("EnsembleBelief: the members' weight covariance is not positive semi-definite");
    const g = Array.from({ length: M }, () => rng.normal());
    const w = new Float64Array(M);
    for (let a = 0; a < M; a++) for (let b = 0; b <= a; b++) w[a] += chol[a * M + b] * g[b];
    const { mean, deviations } = this.prediction;
    const c = Math.sqrt(1 - this.shrinkage);
    const out = new Float64Array(mean.length);
    for (let i = 0; i < mean.length; i++) {
      let shared = 0;
      for (let k = 0; k < M; k++) shared += deviations[k][i] * w[k];
      out[i] = mean[i] + c * shared + Math.sqrt(this.independent[i]) * rng.normal();
    }
    return out;
  }

  /** Fantasizes candidate i of the prediction at its mean. */
  fantasize(i: number): void {
    this.condition(this.row(i, new Float64Array(this.members)), this.independent[i]);
  }

  /**
   * Fantasizes a candidate outside the prediction (a pending experiment) from its members'
   * deviations and its total predictive variance, from the same ensemble.
   */
  fantasizeOther(deviations: readonly number[], std: number): void {
    if (deviations.length !== this.members)
      throw new Error(`${deviations.length} member deviations for a ${this.members}-member ensemble`);
    this.condition(Float64Array.from(deviations), this.independentVariance(deviations, std * std));
  }

  private row(i: number, l: Float64Array): Float64Array {
    for (let k = 0; k < this.members; k++) l[k] = this.prediction.deviations[k][i];
    return l;
  }

  /** l·S·lᵀ for the row l. */
  private quad(l: Float64Array): number {
    const M = this.members;
    let s = 0;
    for (let a = 0; a < M; a++) {
      let r = 0;
      for (let b = 0; b < M; b++) r += this.S[a * M + b] * l[b];
      s += l[a] * r;
    }
    return s;
  }

  /** λ·e + a for a candidate with member deviations l and total predictive variance `total`. */
  private independentVariance(l: ArrayLike<number>, total: number): number {
    let spread = 0;
    for (let k = 0; k < this.members; k++) spread += l[k] * l[k];
    return this.shrinkage * spread + Math.max(total - spread, 0);
  }

  /** Observes y = f + ε at a candidate with row l, whose independent variance (λ·e + a) is `own`. */
  private condition(l: Float64Array, own: number): void {
    const M = this.members;
    const c = 1 - this.shrinkage;
    const denominator = c * this.quad(l) + own;
    if (!(denominator > 1e-300) || c === 0) return; // the members agree there: nothing to learn
    // g = √c·S·lᵀ (covariance of w with the observation); S ← S − g·gᵀ / denominator.
    const g = new Float64Array(M);
    for (let a = 0; a < M; a++) {
      let r = 0;
      for (let b = 0; b < M; b++) r += this.S[a * M + b] * l[b];
      g[a] = Math.sqrt(c) * r;
    }
    for (let a = 0; a < M; a++) for (let b = 0; b < M; b++) this.S[a * M + b] -= (g[a] * g[b]) / denominator;
  }
}
