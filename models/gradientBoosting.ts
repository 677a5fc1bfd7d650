/**
 * Gradient-boosted regression trees (Friedman 2001; squared loss, shrinkage, depth-limited CART
 * trees from regressionTree.ts) as a bootstrap ensemble for uncertainty: `members` boosted
 * models, each fitted to its own bootstrap sample with its own seed; `mean` is the members'
 * average and `std` their population standard deviation (an ensemble spread like the forest's,
 * not a calibrated posterior). With members = 1 and bootstrap off, a member fits the training rows
 * exactly as scikit-learn's GradientBoostingRegressor(max_features=None, subsample=1.0) does
 * (tested); between training points they can differ where two splits partition the training
 * rows identically with equal gain and the feature order picks a different one.
 *
 * `uncertainty: 'quantile'` replaces the bootstrap spread with quantile regression (Meinshausen-
 * style intervals from boosting, as scikit-learn's GradientBoostingRegressor(loss='quantile')
 * fits them): one squared-loss model for the mean and two pinball-loss models for the 5 % and
 * 95 % quantiles, all on every training row; std = (q95 − q05) / (2 Φ⁻¹(0.95)), the std of the
 * normal with those quantiles. Boosting's ensemble spread shrinks to zero where the members
 * agree, whatever the noise; the quantile width does not (it is the conditional spread of y).
 */
import { createRng } from '../optimize/rng';
import { FlatTree, featureRanks, growRegressionTree, leafOf, predictTree } from './regressionTree';
import type { Prediction, Surrogate } from './surrogate';
import { checkMatrix, checkTrainingData } from './validate';

export interface GradientBoostingOptions {
  /** Boosted models in the ensemble (default 8). */
  members?: number;
  /** Boosting stages per member (default 100). */
  stages?: number;
  learningRate?: number;
  maxDepth?: number;
  minSamplesLeaf?: number;
  /** Bootstrap resample per member (default true; needed for a non-zero spread). */
  bootstrap?: boolean;
  /** 'ensemble' (default): bootstrap members' spread; 'quantile': 5 %/95 % quantile models. */
  uncertainty?: 'ensemble' | 'quantile';
}

interface Member {
  init: number;
  trees: FlatTree[];
  /** Pinball-loss quantile this member was fitted for; absent: squared loss (the mean). */
  quantile?: number;
}

/** The quantiles the 'quantile' mode fits, and Φ⁻¹(0.95) (scipy.stats.norm.ppf(0.95)). */
const LOWER = 0.05;
const UPPER = 0.95;
const Z_UPPER = 1.6448536269514722;

export interface GradientBoostingJson {
  kind: 'gradient_boosting';
  version: 1;
  seed: number;
  options: Required<GradientBoostingOptions>;
  inputDimension: number;
  members: Member[];
}

const DEFAULTS: Required<GradientBoostingOptions> = {
  members: 8,
  stages: 100,
  learningRate: 0.1,
  maxDepth: 3,
  minSamplesLeaf: 1,
  bootstrap: true,
  uncertainty: 'ensemble',
};

export class GradientBoosting implements Surrogate {
  readonly kind = 'gradient_boosting';
  private readonly options: Required<GradientBoostingOptions>;
  private members: Member[] = [];
  private inputDimension = 0;

  constructor(
    options: GradientBoostingOptions = {},
    private readonly seed = 0,
  ) {
    this.options = {
      ...DEFAULTS,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    };
    const o = this.options;
    for (const k of ['members', 'stages', 'maxDepth', 'minSamplesLeaf'] as const)
      if (!Number.isInteger(o[k]) || o[k] < 1)
        throw new Error(`gradient boosting: ${k} must be a positive integer, got ${o[k]}`);
    if (!(o.learningRate > 0 && o.learningRate <= 1))
      throw new Error(`gradient boosting: learningRate must be in (0, 1], got ${o.learningRate}`);
    if (o.uncertainty !== 'ensemble' && o.uncertainty !== 'quantile')
      throw new Error(
        `gradient boosting: uncertainty must be ensemble or quantile, got ${String(o.uncertainty)}`,
      );
    // The quantile mode fits its three models on every row: members/bootstrap would be ignored.
    if (o.uncertainty === 'quantile' && (o.members !== 1 || o.bootstrap))
      throw new Error('gradient boosting: uncertainty "quantile" takes members: 1 and bootstrap: false');
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): void {
    const { rows: n, cols: d } = checkTrainingData(X, y);
    const flat = new Float64Array(n * d);
    X.forEach((row, i) => flat.set(row, i * d));
    const rng = createRng(this.seed);
    const ranks = featureRanks(flat, n, d);
    const o = this.options;
    const members: Member[] = [];
    if (o.uncertainty === 'quantile') {
      const all = Int32Array.from({ length: n }, (_, i) => i);
      for (const quantile of [undefined, LOWER, UPPER])
        members.push(this.fitMember(flat, n, d, y, all, rng, ranks, quantile));
    } else {
      for (let e = 0; e < o.members; e++) {
        const sample = new Int32Array(n);
        for (let i = 0; i < n; i++) sample[i] = o.bootstrap ? rng.int(n) : i;
        members.push(this.fitMember(flat, n, d, y, sample, rng, ranks, undefined));
      }
    }
    this.members = members;
    this.inputDimension = d;
  }

  /**
   * One boosted model on rows `sample`. Squared loss: each tree fits the residuals and keeps its
   * leaf means. Pinball loss at quantile α (scikit-learn's recipe): the start is the α-percentile
   * of y (linear interpolation, np.percentile), each tree is grown on the negative gradient (α
   * where y ≥ F, α − 1 below) and each leaf's value is then replaced by the α-quantile
   * (inverted CDF) of the residuals y − F of the rows in it, the loss's exact line search.
   */
  private fitMember(
    flat: Float64Array,
    n: number,
    d: number,
    y: readonly number[],
    sample: Int32Array,
    rng: ReturnType<typeof createRng>,
    ranks: ReturnType<typeof featureRanks>,
    quantile: number | undefined,
  ): Member {
    const o = this.options;
    const ys = Array.from(sample, (i) => y[i]);
    const init = quantile === undefined ? ys.reduce((s, v) => s + v, 0) / n : linearPercentile(ys, quantile);
    const F = new Float64Array(n).fill(init);
    const target = new Float64Array(n);
    const trees: FlatTree[] = [];
    for (let s = 0; s < o.stages; s++) {
      for (let i = 0; i < n; i++)
        target[i] = quantile === undefined ? y[i] - F[i] : y[i] >= F[i] ? quantile : quantile - 1;
      const tree = growRegressionTree(
        flat,
        d,
        target,
        sample,
        { featuresPerSplit: d, minSamplesLeaf: o.minSamplesLeaf, maxDepth: o.maxDepth },
        rng,
        ranks,
      );
      if (quantile !== undefined) {
        const residuals = new Map<number, number[]>();
        for (const i of sample) {
          const leaf = leafOf(tree, flat.subarray(i * d, (i + 1) * d));
          const r = residuals.get(leaf);
          if (r) r.push(y[i] - F[i]);
          else residuals.set(leaf, [y[i] - F[i]]);
        }
        for (const [leaf, r] of residuals) tree.value[leaf] = invertedCdfQuantile(r, quantile);
      }
      for (let i = 0; i < n; i++)
        F[i] += o.learningRate * predictTree(tree, flat.subarray(i * d, (i + 1) * d));
      trees.push(tree);
    }
    return quantile === undefined ? { init, trees } : { init, trees, quantile };
  }

  /** Per-member predictions (members x rows). */
  predictMembers(X: readonly (readonly number[])[]): Float64Array[] {
    if (this.members.length === 0) throw new Error('gradient boosting is not fitted: call fit() first');
    checkMatrix(X, 'X', this.inputDimension);
    const lr = this.options.learningRate;
    return this.members.map((m) =>
      Float64Array.from(X, (row) => {
        let v = m.init;
        for (const t of m.trees) v += lr * predictTree(t, row);
        return v;
      }),
    );
  }

  predict(X: readonly (readonly number[])[]): Prediction {
    const P = this.predictMembers(X);
    if (this.options.uncertainty === 'ensemble') return ensembleMoments(P, X.length);
    const [mean, lower, upper] = P;
    // Separately fitted quantiles can cross; a crossed interval says "no spread", not negative.
    const std = Float64Array.from(mean, (_, i) => Math.max(0, upper[i] - lower[i]) / (2 * Z_UPPER));
    return { mean, std };
  }

  toJSON(): GradientBoostingJson {
    if (this.members.length === 0) throw new Error('gradient boosting is not fitted: call fit() first');
    return {
      kind: 'gradient_boosting',
      version: 1,
      seed: this.seed,
      options: { ...this.options },
      inputDimension: this.inputDimension,
      members: structuredClone(this.members),
    };
  }

  static fromJSON(json: GradientBoostingJson): GradientBoosting {
    if (json?.kind !== 'gradient_boosting' || json.version !== 1 || !Array.isArray(json.members))
      throw new Error('not a serialized gradient boosting model');
    const g = new GradientBoosting(json.options, json.seed);
    g.members = structuredClone(json.members);
    g.inputDimension = json.inputDimension;
    return g;
  }
}

/** Mean and population std across ensemble members (members x rows). */
export function ensembleMoments(P: Float64Array[], m: number): Prediction {
  const mean = new Float64Array(m);
  const std = new Float64Array(m);
  const E = P.length;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (const p of P) s += p[i];
    const mu = s / E;
    let v = 0;
    for (const p of P) v += (p[i] - mu) ** 2;
    mean[i] = mu;
    std[i] = Math.sqrt(v / E);
  }
  return { mean, std };
}

/** np.percentile(values, 100 q) with numpy's default linear interpolation. */
export function linearPercentile(values: readonly number[], q: number): number {
  const v = Float64Array.from(values).sort();
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  if (lo >= v.length - 1) return v[v.length - 1];
  return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

/**
 * The q-quantile by the inverted CDF (the smallest value whose share of rows at or below it
 * reaches q), as scikit-learn's _weighted_percentile with unit weights computes it.
 */
export function invertedCdfQuantile(values: readonly number[], q: number): number {
  const v = Float64Array.from(values).sort();
  const rank = ((100 * q) / 100) * v.length; // the same float operations as scikit-learn's
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(rank) - 1))];
}
