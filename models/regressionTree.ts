/**
 * CART regression tree (squared-error splits, random feature subset per split), stored as flat
 * arrays so a forest serializes to plain JSON and predicts without object chasing.
 */
import type { Rng } from '../optimize/rng';

export interface FlatTree {
  /** Split feature per node; -1 marks a leaf. */
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Leaf value (mean of the node's targets; also kept on internal nodes). */
  value: number[];
  /** Training rows (with bootstrap multiplicity) that reached the node. */
  count: number[];
}

export interface TreeOptions {
  /** Features tried per split (mtry). */
  featuresPerSplit: number;
  minSamplesLeaf: number;
  maxDepth: number;
}

/**
 * Per feature, every row's rank in the order (value, row id): sorting a node's rows by rank is
 * sorting them by value with ties broken by row id, done with a native numeric sort instead of a
 * comparator (several times faster). Computed once per fit and shared by every tree.
 */
export interface FeatureRanks {
  /** rank[f * n + row]. */
  rank: Uint32Array;
  /** order[f * n + rank] = row. */
  order: Int32Array;
  n: number;
}

export function featureRanks(X: Float64Array, n: number, d: number): FeatureRanks {
  const rank = new Uint32Array(n * d);
  const order = new Int32Array(n * d);
  const rows = new Int32Array(n);
  const keys = new Float64Array(n);
  for (let f = 0; f < d; f++) {
    for (let i = 0; i < n; i++) {
      rows[i] = i;
      keys[i] = X[i * d + f];
    }
    rows.sort((a, b) => keys[a] - keys[b] || a - b);
    for (let r = 0; r < n; r++) {
      order[f * n + r] = rows[r];
      rank[f * n + rows[r]] = r;
    }
  }
  return { rank, order, n };
}

/**
 * Grows one tree on rows `sample` (indices into the row-major X, duplicates allowed for
 * bootstrap). If no sampled feature gives a valid split, the remaining features are tried too,
 * as scikit-learn does, so mtry never forces a premature leaf.
 */
export function growRegressionTree(
  X: Float64Array,
  d: number,
  y: Float64Array,
  sample: Int32Array,
  opts: TreeOptions,
  rng: Rng,
  ranks: FeatureRanks = featureRanks(X, X.length / d, d),
): FlatTree {
  const tree: FlatTree = { feature: [], threshold: [], left: [], right: [], value: [], count: [] };
  const order = Array.from({ length: d }, (_, i) => i);
  const grow = (idx: Int32Array, depth: number): number => {
    const node = tree.feature.length;
    let sum = 0;
    for (let i = 0; i < idx.length; i++) sum += y[idx[i]];
    const mean = sum / idx.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(mean);
    tree.count.push(idx.length);
    if (idx.length < 2 * opts.minSamplesLeaf || depth >= opts.maxDepth) return node;
    let pure = true;
    for (let i = 1; i < idx.length && pure; i++) pure = y[idx[i]] === y[idx[0]];
    if (pure) return node;

    // Partial Fisher–Yates: features are visited in a random order, mtry of them at least.
    let bestGain = 0;
    let bestFeature = -1;
    let bestThreshold = 0;
    const parentScore = (sum * sum) / idx.length;
    for (let t = 0; t < d; t++) {
      if (t >= opts.featuresPerSplit && bestFeature >= 0) break;
      const pick = t + rng.int(d - t);
      [order[t], order[pick]] = [order[pick], order[t]];
      const f = order[t];
      const sorted = sortBy(idx, f, ranks);
      let leftSum = 0;
      for (let i = 0; i < sorted.length - 1; i++) {
        leftSum += y[sorted[i]];
        const nl = i + 1;
        const nr = sorted.length - nl;
        if (nl < opts.minSamplesLeaf || nr < opts.minSamplesLeaf) continue;
        const a = X[sorted[i] * d + f];
        const b = X[sorted[i + 1] * d + f];
        if (a === b) continue;
        const rightSum = sum - leftSum;
        const gain = (leftSum * leftSum) / nl + (rightSum * rightSum) / nr - parentScore;
        if (gain > bestGain + 1e-12 * Math.abs(parentScore)) {
          bestGain = gain;
          bestFeature = f;
          bestThreshold = a + (b - a) / 2;
          // Midpoint can round up to b when a and b are adjacent doubles; keep a < threshold test valid.
          if (bestThreshold >= b) bestThreshold = a;
        }
      }
    }
    if (bestFeature < 0) return node;
    let nl = 0;
    for (let i = 0; i < idx.length; i++) if (X[idx[i] * d + bestFeature] <= bestThreshold) nl++;
    const L = new Int32Array(nl);
    const R = new Int32Array(idx.length - nl);
    let li = 0;
    let ri = 0;
    for (let i = 0; i < idx.length; i++) {
      if (X[idx[i] * d + bestFeature] <= bestThreshold) L[li++] = idx[i];
      else R[ri++] = idx[i];
    }
    tree.feature[node] = bestFeature;
    tree.threshold[node] = bestThreshold;
    const l = grow(L, depth + 1);
    const r = grow(R, depth + 1);
    tree.left[node] = l;
    tree.right[node] = r;
    return node;
  };
  grow(sample, 0);
  return tree;
}

export function predictTree(tree: FlatTree, row: ArrayLike<number>): number {
  return tree.value[leafOf(tree, row)];
}

export function leafOf(tree: FlatTree, row: ArrayLike<number>): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    node = row[tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
  }
  return node;
}

/**
 * A copy of the tree that has also seen (row, y) in the leaf the row falls into, without
 * regrowing: the leaf mean becomes (count·mean + y)/(count + 1).
 */
export function withObservation(tree: FlatTree, row: ArrayLike<number>, y: number): FlatTree {
  const out: FlatTree = { ...tree, value: tree.value.slice(), count: tree.count.slice() };
  const leaf = leafOf(tree, row);
  out.value[leaf] = (out.value[leaf] * out.count[leaf] + y) / (out.count[leaf] + 1);
  out.count[leaf] += 1;
  return out;
}

/** The node's rows (duplicates kept) ordered by (value of feature f, row id). */
function sortBy(idx: Int32Array, f: number, ranks: FeatureRanks): Int32Array {
  const { rank, order, n } = ranks;
  const o = f * n;
  const r = new Uint32Array(idx.length);
  for (let i = 0; i < idx.length; i++) r[i] = rank[o + idx[i]];
  r.sort();
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = order[o + r[i]];
  return out;
}
