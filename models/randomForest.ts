/**
 * Random-forest regression (Breiman 2001): bootstrap samples, a random subset of features per
 * split, averaged trees. `std` is the population standard deviation of the per-tree
 * predictions — an ensemble spread, not a calibrated posterior (it ignores leaf noise).
 *
 * `conditionOn` (used for Kriging-believer batches) adds fantasized observations to the leaf
 * they fall into in every tree instead of regrowing the forest: ~100x cheaper, and it pulls
 * the trees together (smaller std) around the fantasized point, which is what batch
 * diversification needs.
 */
import { createRng } from '../optimize/rng';
import { FlatTree, featureRanks, growRegressionTree, predictTree, withObservation } from './regressionTree';
import type { Conditionable, Prediction } from './surrogate';
import { checkMatrix, checkTrainingData } from './validate';

export interface RandomForestOptions {
  /** Number of trees (default 200). */
  trees?: number;
  /** Fraction of features tried per split (default 1/3, the usual regression mtry = p/3). */
  featureFraction?: number;
  /** Minimum training rows per leaf (default 1, scikit-learn's default). */
  minSamplesLeaf?: number;
  maxDepth?: number;
  /** Bootstrap resampling per tree (default true). */
  bootstrap?: boolean;
}

export interface RandomForestJson {
  kind: 'random_forest';
  version: 1;
  seed: number;
  options: Required<RandomForestOptions>;
  inputDimension: number;
  trees: FlatTree[];
}

const DEFAULTS: Required<RandomForestOptions> = {
  trees: 200,
  featureFraction: 1 / 3,
  minSamplesLeaf: 1,
  maxDepth: 64,
  bootstrap: true,
};

export class RandomForest implements Conditionable {
  readonly kind = 'random_forest';
  private readonly options: Required<RandomForestOptions>;
  private trees: FlatTree[] = [];
  private inputDimension = 0;

  constructor(
    options: RandomForestOptions = {},
    private readonly seed = 0,
  ) {
    this.options = { ...DEFAULTS, ...stripUndefined(options) };
    const o = this.options;
    if (!Number.isInteger(o.trees) || o.trees < 1)
      throw new Error(`random forest: trees must be a positive integer, got ${o.trees}`);
    if (!(o.featureFraction > 0 && o.featureFraction <= 1))
      throw new Error(`random forest: featureFraction must be in (0, 1], got ${o.featureFraction}`);
    if (!Number.isInteger(o.minSamplesLeaf) || o.minSamplesLeaf < 1)
      throw new Error(`random forest: minSamplesLeaf must be a positive integer, got ${o.minSamplesLeaf}`);
    if (!Number.isInteger(o.maxDepth) || o.maxDepth < 1)
      throw new Error(`random forest: maxDepth must be a positive integer, got ${o.maxDepth}`);
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): void {
    const { rows: n, cols: d } = checkTrainingData(X, y);
    const flat = new Float64Array(n * d);
    X.forEach((row, i) => flat.set(row, i * d));
    const yy = Float64Array.from(y);
    const rng = createRng(this.seed);
    const ranks = featureRanks(flat, n, d);
    const featuresPerSplit = Math.max(1, Math.round(this.options.featureFraction * d));
    const trees: FlatTree[] = [];
    for (let t = 0; t < this.options.trees; t++) {
      const sample = new Int32Array(n);
      for (let i = 0; i < n; i++) sample[i] = this.options.bootstrap ? rng.int(n) : i;
      trees.push(
        growRegressionTree(
          flat,
          d,
          yy,
          sample,
          { featuresPerSplit, minSamplesLeaf: this.options.minSamplesLeaf, maxDepth: this.options.maxDepth },
          rng,
          ranks,
        ),
      );
    }
    this.trees = trees;
    this.inputDimension = d;
  }

  predict(X: readonly (readonly number[])[]): Prediction {
    if (this.trees.length === 0) throw new Error('random forest is not fitted: call fit() first');
    const { rows: m } = checkMatrix(X, 'X', this.inputDimension);
    const mean = new Float64Array(m);
    const std = new Float64Array(m);
    const T = this.trees.length;
    for (let i = 0; i < m; i++) {
      let s = 0;
      let s2 = 0;
      for (const tree of this.trees) {
        const v = predictTree(tree, X[i]);
        s += v;
        s2 += v * v;
      }
      const mu = s / T;
      mean[i] = mu;
      std[i] = Math.sqrt(Math.max(0, s2 / T - mu * mu));
    }
    return { mean, std };
  }

  /** Per-tree predictions (trees x rows), for Thompson-style sampling of one tree. */
  predictTrees(X: readonly (readonly number[])[]): Float64Array[] {
    if (this.trees.length === 0) throw new Error('random forest is not fitted: call fit() first');
    checkMatrix(X, 'X', this.inputDimension);
    return this.trees.map((tree) => Float64Array.from(X, (row) => predictTree(tree, row)));
  }

  /** @internal The fitted trees, read only (optimize/forestBatch.ts). */
  treesView(): { trees: readonly FlatTree[]; inputDimension: number } {
    if (this.trees.length === 0) throw new Error('random forest is not fitted: call fit() first');
    return { trees: this.trees, inputDimension: this.inputDimension };
  }

  conditionOn(X: readonly (readonly number[])[], y: readonly number[]): RandomForest {
    if (this.trees.length === 0) throw new Error('random forest is not fitted: call fit() first');
    checkMatrix(X, 'X', this.inputDimension);
    checkTrainingData(X, y);
    const rf = new RandomForest(this.options, this.seed);
    rf.inputDimension = this.inputDimension;
    rf.trees = this.trees.map((tree) => X.reduce((t, row, i) => withObservation(t, row, y[i]), tree));
    return rf;
  }

  toJSON(): RandomForestJson {
    if (this.trees.length === 0) throw new Error('random forest is not fitted: call fit() first');
    return {
      kind: 'random_forest',
      version: 1,
      seed: this.seed,
      options: { ...this.options },
      inputDimension: this.inputDimension,
      trees: structuredClone(this.trees),
    };
  }

  static fromJSON(json: RandomForestJson): RandomForest {
    if (json?.kind !== 'random_forest' || json.version !== 1)
      throw new Error('not a serialized random forest (expected kind "random_forest", version 1)');
    if (!Array.isArray(json.trees) || json.trees.length === 0)
      throw new Error('serialized random forest has no trees');
    json.trees.forEach((t, i) => {
      const n = t?.feature?.length;
      if (
        !n ||
        [t.threshold, t.left, t.right, t.value, t.count].some((a) => !Array.isArray(a) || a.length !== n)
      ) {
        throw new Error(
          `serialized random forest: tree ${i} is malformed (node arrays missing or of unequal length)`,
        );
      }
    });
    const rf = new RandomForest(json.options, json.seed);
    rf.trees = structuredClone(json.trees);
    rf.inputDimension = json.inputDimension;
    return rf;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
