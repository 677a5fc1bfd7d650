/**
 * Gradient-boosted regression trees (Friedman 2001; squared loss, shrinkage, depth-limited CART
 * trees from regressionTree.ts) as a bootstrap ensemble for uncertainty: `members` boosted
 * models, each fitted to its own bootstrap sample with its own seed; `mean` is the members'
 * average and `std` their population standard deviation (an ensemble spread like the forest's,
 * not a calibrated posterior). With members = 1 and bootstrap off, a member fits the training rows
 * exactly as scikit-learn's GradientBoostingRegressor(max_features=None, subsample=1.0) does
 * (tested); between training points they can differ where two splits partition the training
 * rows identically with equal gain and the feature order picks a different one.
 */
import { createRng } from '../optimize/rng';
import { FlatTree, featureRanks, growRegressionTree, predictTree } from './regressionTree';
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
}

interface Member {
  init: number;
  trees: FlatTree[];
}

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
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): void {
    const { rows: n, cols: d } = checkTrainingData(X, y);
    const flat = new Float64Array(n * d);
    X.forEach((row, i) => flat.set(row, i * d));
    const rng = createRng(this.seed);
    const ranks = featureRanks(flat, n, d);
    const o = this.options;
    const members: Member[] = [];
    for (let e = 0; e < o.members; e++) {
      const sample = new Int32Array(n);
      for (let i = 0; i < n; i++) sample[i] = o.bootstrap ? rng.int(n) : i;
      let init = 0;
      for (let i = 0; i < n; i++) init += y[sample[i]];
      init /= n;
      const F = new Float64Array(n).fill(init);
      const residual = new Float64Array(n);
      const trees: FlatTree[] = [];
      for (let s = 0; s < o.stages; s++) {
        for (let i = 0; i < n; i++) residual[i] = y[i] - F[i];
        const tree = growRegressionTree(
          flat,
          d,
          residual,
          sample,
          { featuresPerSplit: d, minSamplesLeaf: o.minSamplesLeaf, maxDepth: o.maxDepth },
          rng,
          ranks,
        );
        for (let i = 0; i < n; i++)
          F[i] += o.learningRate * predictTree(tree, flat.subarray(i * d, (i + 1) * d));
        trees.push(tree);
      }
      members.push({ init, trees });
    }
    this.members = members;
    this.inputDimension = d;
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
    return ensembleMoments(this.predictMembers(X), X.length);
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
