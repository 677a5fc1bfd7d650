/**
 * Seeded pseudo-random numbers for weight initialization, shuffling and splits, so that a
 * training run (and a resumed one) is reproducible from its seed alone.
 */
import { createRng } from '../optimize/rng';

/** Uniform [0, 1) draws from the project's seeded generator (mulberry32, optimize/rng.ts). */
export function seededRandom(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

/** Fisher–Yates permutation of 0..n-1 drawn from `random`. */
export function permutation(n: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** Derives an independent seed for a named stream (epoch shuffles, ensemble member k, ...). */
export function deriveSeed(seed: number, stream: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(stream + 1, 0xc2b2ae35)) >>> 0;
}
