/**
 * k-means (Lloyd) with greedy k-means++ seeding (Arthur & Vassilvitskii 2007; the greedy
 * variant with 2 + ⌊ln k⌋ local trials is scikit-learn's default) and several seeded
 * initializations, keeping the lowest inertia.
 */
import type { Rng } from './rng';

export interface KMeansResult {
  /** k x d centroids, row-major. */
  centroids: Float64Array;
  labels: Int32Array;
  /** Sum of squared distances of points to their centroid. */
  inertia: number;
  iterations: number;
}

export interface KMeansOptions {
  /** Independent k-means++ initializations (default 4). */
  initializations?: number;
  maxIterations?: number;
}

/** X is n x d row-major (already scaled as the caller wants distances measured). */
export function kMeans(
  X: Float64Array,
  n: number,
  d: number,
  k: number,
  rng: Rng,
  opts: KMeansOptions = {},
): KMeansResult {
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new Error(`k-means: k must be an integer in [1, ${n}], got ${k}`);
  let best: KMeansResult | null = null;
  for (let run = 0; run < (opts.initializations ?? 4); run++) {
    const r = lloyd(X, n, d, kMeansPlusPlus(X, n, d, k, rng), k, opts.maxIterations ?? 300);
    if (!best || r.inertia < best.inertia) best = r;
  }
  return best as KMeansResult;
}

export function kMeansPlusPlus(X: Float64Array, n: number, d: number, k: number, rng: Rng): Float64Array {
  const C = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  let first = rng.int(n);
  C.set(X.subarray(first * d, first * d + d), 0);
  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = sqDist(X, i, X, first, d);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += closest[i];
    let bestCandidate = -1;
    let bestPotential = Infinity;
    let bestDist: Float64Array | null = null;
    for (let t = 0; t < trials; t++) {
      // Sample proportional to D²; when every point coincides with a centre, any point will do.
      let cand = n - 1;
      if (total > 0) {
        let u = rng.next() * total;
        for (let i = 0; i < n; i++) {
          u -= closest[i];
          if (u < 0) {
            cand = i;
            break;
          }
        }
      } else cand = rng.int(n);
      const dist = new Float64Array(n);
      let potential = 0;
      for (let i = 0; i < n; i++) {
        dist[i] = Math.min(closest[i], sqDist(X, i, X, cand, d));
        potential += dist[i];
      }
      if (potential < bestPotential) {
        bestPotential = potential;
        bestCandidate = cand;
        bestDist = dist;
      }
    }
    first = bestCandidate;
    C.set(X.subarray(first * d, first * d + d), c * d);
    closest.set(bestDist as Float64Array);
  }
  return C;
}

function lloyd(
  X: Float64Array,
  n: number,
  d: number,
  C: Float64Array,
  k: number,
  maxIterations: number,
): KMeansResult {
  const labels = new Int32Array(n).fill(-1);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      const l = nearest(X, i, C, k, d).index;
      if (l !== labels[i]) {
        labels[i] = l;
        changed = true;
      }
    }
    if (!changed) break;
    const sums = new Float64Array(k * d);
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      counts[labels[i]]++;
      for (let j = 0; j < d; j++) sums[labels[i] * d + j] += X[i * d + j];
    }
    for (let c = 0; c < k; c++) {
      // An emptied cluster keeps its centroid (rare with k-means++ seeding).
      if (counts[c] === 0) continue;
      for (let j = 0; j < d; j++) C[c * d + j] = sums[c * d + j] / counts[c];
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += sqDist(X, i, C, labels[i], d);
  return { centroids: C, labels, inertia, iterations };
}

export function nearest(
  X: Float64Array,
  i: number,
  C: Float64Array,
  k: number,
  d: number,
): { index: number; distance2: number } {
  let index = 0;
  let distance2 = Infinity;
  for (let c = 0; c < k; c++) {
    const s = sqDist(X, i, C, c, d);
    if (s < distance2) {
      distance2 = s;
      index = c;
    }
  }
  return { index, distance2 };
}

function sqDist(A: Float64Array, i: number, B: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const v = A[i * d + t] - B[j * d + t];
    s += v * v;
  }
  return s;
}
