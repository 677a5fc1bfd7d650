/**
 * Kriging-believer batches for the random forest without copying trees or re-predicting the
 * pool per pick. RandomForest.conditionOn adds a fantasy to the one leaf it falls into in each
 * tree; only candidates sharing that leaf change their prediction. So: every candidate's leaf
 * in every tree is found once (trees x pool, Int32), per-candidate sums of tree predictions are
 * kept, and a fantasy updates the sums of the candidates in the touched leaves — the same
 * numbers the generic loop computes (up to summation order), in O(trees x pool) per pick
 * instead of a full re-prediction.
 */
import type { RandomForest } from '../models/randomForest';
import type { FlatTree } from '../models/regressionTree';
import { AcquisitionSpec, scoreAcquisition } from './acquisition';
import type { BatchProposal } from './proposeBatch';
import type { Rng } from './rng';

interface CompiledTree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  count: Float64Array;
}

function compile(t: FlatTree): CompiledTree {
  return {
    feature: Int32Array.from(t.feature),
    threshold: Float64Array.from(t.threshold),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    value: Float64Array.from(t.value),
    count: Float64Array.from(t.count),
  };
}

function leafIndex(t: CompiledTree, X: Float64Array, o: number): number {
  let node = 0;
  while (t.feature[node] >= 0)
    node = X[o + t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
  return node;
}

export function forestBelieverBatch(
  rf: RandomForest,
  X_pool: readonly (readonly number[])[],
  X_pending: readonly (readonly number[])[],
  q: number,
  acquisition: AcquisitionSpec,
  trainMax: number,
  rng: Rng,
): BatchProposal {
  const { trees: flat, inputDimension: d } = rf.treesView();
  const trees = flat.map(compile);
  const T = trees.length;
  const m = X_pool.length;
  const X = new Float64Array(m * d);
  X_pool.forEach((row, i) => X.set(row, i * d));
  const leaves = new Int32Array(T * m); // tree-major: a fantasy scans one contiguous stripe
  const sum = new Float64Array(m);
  const sum2 = new Float64Array(m);
  for (let t = 0; t < T; t++) {
    const tree = trees[t];
    const o = t * m;
    for (let i = 0; i < m; i++) {
      const leaf = leafIndex(tree, X, i * d);
      leaves[o + i] = leaf;
      const v = tree.value[leaf];
      sum[i] += v;
      sum2[i] += v * v;
    }
  }
  const mean = new Float64Array(m);
  const std = new Float64Array(m);
  const refresh = () => {
    for (let i = 0; i < m; i++) {
      const mu = sum[i] / T;
      mean[i] = mu;
      std[i] = Math.sqrt(Math.max(0, sum2[i] / T - mu * mu));
    }
  };
  /** One fantasized observation y at the point whose leaf in tree t is leafOf(t). */
  const observe = (leafOf: (t: number) => number, y: number) => {
    for (let t = 0; t < T; t++) {
      const tree = trees[t];
      const leaf = leafOf(t);
      const old = tree.value[leaf];
      const next = (old * tree.count[leaf] + y) / (tree.count[leaf] + 1);
      tree.value[leaf] = next;
      tree.count[leaf] += 1;
      const dv = next - old;
      const dv2 = next * next - old * old;
      const o = t * m;
      for (let i = 0; i < m; i++) {
        if (leaves[o + i] === leaf) {
          sum[i] += dv;
          sum2[i] += dv2;
        }
      }
    }
  };

  // Pending: fantasized at the forest's mean before the first pick (as proposeBatch does).
  let incumbent = trainMax;
  if (X_pending.length > 0) {
    const Xq = new Float64Array(X_pending.length * d);
    X_pending.forEach((row, i) => Xq.set(row, i * d));
    const pendingLeaves = X_pending.map((_, p) => trees.map((t) => leafIndex(t, Xq, p * d)));
    const fantasies = pendingLeaves.map((ls) => ls.reduce((s, leaf, t) => s + trees[t].value[leaf], 0) / T);
    fantasies.forEach((y, p) => observe((t) => pendingLeaves[p][t], y));
    incumbent = Math.max(incumbent, ...fantasies);
  }
  refresh();
  const first = { mean: mean.slice(), std: std.slice() };

  const picked = new Uint8Array(m);
  const out: BatchProposal = { indices: [], scores: [], mean: [], std: [] };
  for (let k = 0; k < q; k++) {
    const scores = scoreAcquisition(acquisition, { mean, std }, incumbent, rng);
    let bestI = -1;
    let bestV = -Infinity;
    for (let i = 0; i < m; i++) {
      if (picked[i]) continue;
      if (bestI < 0 || scores[i] > bestV) {
        bestI = i;
        bestV = scores[i];
      }
    }
    picked[bestI] = 1;
    out.indices.push(bestI);
    out.scores.push(bestV);
    out.mean.push(first.mean[bestI]);
    out.std.push(first.std[bestI]);
    if (k + 1 < q) {
      const fantasy = mean[bestI];
      const p = bestI;
      observe((t) => leaves[t * m + p], fantasy);
      incumbent = Math.max(incumbent, fantasy);
      refresh();
    }
  }
  return out;
}
