/**
 * ARD Matérn-5/2 kernel, k(x, x') = s2 (1 + √5 r + 5/3 r²) exp(−√5 r) with
 * r² = Σ_d ((x_d − x'_d) / ℓ_d)², the default for Bayesian optimization over materials
 * descriptors (twice differentiable, less smooth than RBF). Inputs are row-major Float64Arrays.
 */

const SQRT5 = Math.sqrt(5);

export function matern52FromDistance(r: number, signalVariance: number): number {
  return signalVariance * (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
}

/** Rows divided by their length scales, so distances below are plain Euclidean. */
export function scaleByLengthscales(
  X: Float64Array,
  rows: number,
  lengthscales: ArrayLike<number>,
): Float64Array {
  const d = lengthscales.length;
  const out = new Float64Array(rows * d);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) out[i * d + j] = X[i * d + j] / lengthscales[j];
  return out;
}

/** Symmetric Gram matrix K(X, X) (n x n) from length-scaled rows. */
export function matern52Gram(Z: Float64Array, n: number, d: number, signalVariance: number): Float64Array {
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    K[i * n + i] = signalVariance;
    for (let j = 0; j < i; j++) {
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const t = Z[i * d + k] - Z[j * d + k];
        r2 += t * t;
      }
      const v = matern52FromDistance(Math.sqrt(r2), signalVariance);
      K[i * n + j] = v;
      K[j * n + i] = v;
    }
  }
  return K;
}

/**
 * Cross-covariance K(A, B) (m x n) from length-scaled rows. Four columns of B per pass over a
 * row of A (differences, not the |a|² + |b|² − 2a·b expansion, so r = 0 stays exact).
 */
export function matern52Cross(
  A: Float64Array,
  m: number,
  B: Float64Array,
  n: number,
  d: number,
  signalVariance: number,
): Float64Array {
  const K = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const a = i * d;
    const o = i * n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = j * d;
      const b1 = b0 + d;
      const b2 = b1 + d;
      const b3 = b2 + d;
      let r0 = 0;
      let r1 = 0;
      let r2 = 0;
      let r3 = 0;
      for (let k = 0; k < d; k++) {
        const x = A[a + k];
        const t0 = x - B[b0 + k];
        const t1 = x - B[b1 + k];
        const t2 = x - B[b2 + k];
        const t3 = x - B[b3 + k];
        r0 += t0 * t0;
        r1 += t1 * t1;
        r2 += t2 * t2;
        r3 += t3 * t3;
      }
      K[o + j] = matern52FromDistance(Math.sqrt(r0), signalVariance);
      K[o + j + 1] = matern52FromDistance(Math.sqrt(r1), signalVariance);
      K[o + j + 2] = matern52FromDistance(Math.sqrt(r2), signalVariance);
      K[o + j + 3] = matern52FromDistance(Math.sqrt(r3), signalVariance);
    }
    for (; j < n; j++) {
      const b = j * d;
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const t = A[a + k] - B[b + k];
        r2 += t * t;
      }
      K[o + j] = matern52FromDistance(Math.sqrt(r2), signalVariance);
    }
  }
  return K;
}

/**
 * Σ_ij W_ij ∂K_ij/∂log ℓ_d for every d, without materializing the n x n x d derivative tensor:
 * ∂k/∂log ℓ_d = s2 · 5/3 (1 + √5 r) exp(−√5 r) · ((x_d − x'_d)/ℓ_d)² (no 1/r, so r = 0 is safe).
 * W must be symmetric; the diagonal contributes nothing.
 */
export function matern52LengthscaleContractions(
  Z: Float64Array,
  n: number,
  d: number,
  signalVariance: number,
  W: Float64Array,
): Float64Array {
  const out = new Float64Array(d);
  const diff = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const t = Z[i * d + k] - Z[j * d + k];
        diff[k] = t * t;
        r2 += t * t;
      }
      const r = Math.sqrt(r2);
      // factor 2: (i, j) and (j, i)
      const c = 2 * W[i * n + j] * signalVariance * (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
      for (let k = 0; k < d; k++) out[k] += c * diff[k];
    }
  }
  return out;
}

/**
 * Squared coordinate differences (x_ik − x_jk)² for every pair j < i (pair-major, d contiguous).
 * They do not depend on the hyperparameters, so the likelihood search computes them once and
 * each evaluation is then a matrix-vector product: r²_p = Σ_k D2[p,k] / ℓ_k².
 */
export function pairwiseSquaredDifferences(X: Float64Array, n: number, d: number): Float64Array {
  const D2 = new Float64Array(((n * (n - 1)) / 2) * d);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++, p += d) {
      for (let k = 0; k < d; k++) {
        const t = X[i * d + k] - X[j * d + k];
        D2[p + k] = t * t;
      }
    }
  }
  return D2;
}

/** Gram matrix from precomputed pair differences; also returns r per pair for the gradient. */
export function matern52GramFromPairs(
  D2: Float64Array,
  n: number,
  d: number,
  inverseSquaredLengthscales: Float64Array,
  signalVariance: number,
): { K: Float64Array; r: Float64Array } {
  const K = new Float64Array(n * n);
  const r = new Float64Array((n * (n - 1)) / 2);
  const w = inverseSquaredLengthscales;
  let p = 0;
  for (let i = 0; i < n; i++) {
    K[i * n + i] = signalVariance;
    for (let j = 0; j < i; j++, p++) {
      const o = p * d;
      let r2 = 0;
      for (let k = 0; k < d; k++) r2 += D2[o + k] * w[k];
      const rr = Math.sqrt(r2);
      r[p] = rr;
      const v = matern52FromDistance(rr, signalVariance);
      K[i * n + j] = v;
      K[j * n + i] = v;
    }
  }
  return { K, r };
}

/** Same result as matern52LengthscaleContractions, from precomputed pair differences. */
export function matern52ContractionsFromPairs(
  D2: Float64Array,
  r: Float64Array,
  n: number,
  d: number,
  inverseSquaredLengthscales: Float64Array,
  signalVariance: number,
  W: Float64Array,
): Float64Array {
  const acc = new Float64Array(d);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++, p++) {
      const rr = r[p];
      const c = 2 * W[i * n + j] * signalVariance * (5 / 3) * (1 + SQRT5 * rr) * Math.exp(-SQRT5 * rr);
      const o = p * d;
      for (let k = 0; k < d; k++) acc[k] += c * D2[o + k];
    }
  }
  for (let k = 0; k < d; k++) acc[k] *= inverseSquaredLengthscales[k];
  return acc;
}
