/**
 * Target normalization as CGCNN's Normalizer: train on (y − mean) / std, report in the
 * original units. std is the unbiased sample std (torch.std), 1 when it is 0 or undefined.
 */
export interface Normalizer {
  mean: number;
  std: number;
}

export function fitNormalizer(targets: ArrayLike<number>): Normalizer {
  const n = targets.length;
  if (n === 0) throw new Error('fitNormalizer: no targets');
  let mean = 0;
  for (let i = 0; i < n; i += 1) mean += targets[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i += 1) ss += (targets[i] - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  return { mean, std: std > 0 ? std : 1 };
}

export function normalize(n: Normalizer, y: ArrayLike<number>): Float32Array {
  return Float32Array.from(y as ArrayLike<number>, (v) => (v - n.mean) / n.std);
}

export function denormalize(n: Normalizer, z: ArrayLike<number>): Float64Array {
  return Float64Array.from(z as ArrayLike<number>, (v) => v * n.std + n.mean);
}
