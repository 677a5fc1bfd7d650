/**
 * Per-column standardization learned from training data, so kernel length scales and
 * hyperparameter bounds mean the same thing whatever the units of a feature or target.
 */

export interface Scaling {
  mean: number[];
  /** Population std (ddof = 0, as numpy and scikit-learn); 1 where a column is constant. */
  scale: number[];
}

export function fitColumnScaling(X: readonly (readonly number[])[]): Scaling {
  const n = X.length;
  const d = X[0].length;
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (const row of X) for (let j = 0; j < d; j++) mean[j] += row[j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (const row of X) for (let j = 0; j < d; j++) scale[j] += (row[j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) scale[j] = safeScale(Math.sqrt(scale[j] / n), mean[j]);
  return { mean, scale };
}

export function fitTargetScaling(y: readonly number[]): { mean: number; scale: number } {
  const s = fitColumnScaling(y.map((v) => [v]));
  return { mean: s.mean[0], scale: s.scale[0] };
}

/** Standardized rows as one row-major Float64Array (the layout the numeric kernels use). */
export function applyColumnScaling(X: readonly (readonly number[])[], s: Scaling): Float64Array {
  const d = s.mean.length;
  const out = new Float64Array(X.length * d);
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    for (let j = 0; j < d; j++) out[i * d + j] = (row[j] - s.mean[j]) / s.scale[j];
  }
  return out;
}

// A constant column (std 0, or only rounding noise) carries no information: scale 1 maps it
// to zeros instead of dividing by ~0 and amplifying noise.
function safeScale(std: number, mean: number): number {
  return std > 1e-12 * Math.max(1, Math.abs(mean)) ? std : 1;
}
