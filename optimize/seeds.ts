/**
 * Which candidates to measure before any model exists. 'random' is the unbiased baseline;
 * 'kmeans' spreads the seeds over feature space: k-means on standardized features, then the
 * pool point nearest each centroid (so every seed is a real candidate).
 */
import { checkMatrix } from '../models/validate';
import { applyColumnScaling, fitColumnScaling } from '../models/standardize';
import { kMeans } from './kmeans';
import { createRng, shuffled } from './rng';

export function chooseSeedIndices(
  X: number[][],
  count: number,
  seed: number,
  method: 'random' | 'kmeans',
): number[] {
  const { rows: n, cols: d } = checkMatrix(X, 'X');
  if (!Number.isInteger(count) || count < 0 || count > n)
    throw new Error(`seed count must be an integer in [0, ${n}], got ${count}`);
  if (count === 0) return [];
  const rng = createRng(seed);
  if (method === 'random')
    return shuffled(
      Array.from({ length: n }, (_, i) => i),
      rng,
    ).slice(0, count);
  if (method !== 'kmeans') throw new Error(`unknown seed method: ${String(method)}`);
  const Xs = applyColumnScaling(X, fitColumnScaling(X));
  const { centroids } = kMeans(Xs, n, d, count, rng);
  return nearestDistinct(Xs, n, d, centroids, count);
}

/** For each centroid in turn, the closest pool row not already taken (duplicates in X are fine). */
function nearestDistinct(Xs: Float64Array, n: number, d: number, C: Float64Array, k: number): number[] {
  const taken = new Uint8Array(n);
  const picks: number[] = [];
  for (let c = 0; c < k; c++) {
    let best = -1;
    let bestDist = Infinity;
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += (Xs[i * d + j] - C[c * d + j]) ** 2;
      if (s < bestDist) {
        bestDist = s;
        best = i;
      }
    }
    taken[best] = 1;
    picks.push(best);
  }
  return picks;
}
