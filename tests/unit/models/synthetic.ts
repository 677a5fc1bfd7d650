import { createRng } from '../../../optimize/rng';

/** Seeded uniform [0, 1) design matrix. */
export function uniformMatrix(n: number, d: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.next()));
}

/** Friedman #1 (Friedman 1991), the usual regression benchmark: uses the first 5 of d ≥ 5 inputs. */
export function friedman1(X: number[][], noise: number, seed: number): number[] {
  const rng = createRng(seed);
  return X.map(
    (x) =>
      10 * Math.sin(Math.PI * x[0] * x[1]) +
      20 * (x[2] - 0.5) ** 2 +
      10 * x[3] +
      5 * x[4] +
      noise * rng.normal(),
  );
}

export function rSquared(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i] - pred[i]) ** 2;
    ssTot += (y[i] - mean) ** 2;
  }
  return 1 - ssRes / ssTot;
}

export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return worst;
}
