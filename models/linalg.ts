/**
 * Dense symmetric-positive-definite linear algebra on row-major Float64Arrays. The GP's
 * hyperparameter search factorizes an n x n matrix hundreds of times; ml-matrix's
 * CholeskyDecomposition + solve takes ~435 ms at n = 400 where these flat loops take ~15 ms
 * (measured in Node 20), so the hot path lives here and tests check it against ml-matrix.
 */

/** Lower Cholesky factor of a (row-major, n x n); null if a is not numerically positive definite. */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = a[rj + j];
    for (let k = 0; k < j; k++) s -= L[rj + k] * L[rj + k];
    if (!(s > 0)) return null;
    const djj = Math.sqrt(s);
    L[rj + j] = djj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = a[ri + j];
      for (let k = 0; k < j; k++) t -= L[ri + k] * L[rj + k];
      L[ri + j] = t / djj;
    }
  }
  return L;
}

/**
 * Cholesky of a + jitter*I, trying jitter 0 first and then growing it (relative to the mean
 * diagonal) until the factorization succeeds; the jitter used is returned so it is reproducible.
 */
export function choleskyWithJitter(
  a: Float64Array,
  n: number,
  maxRelativeJitter = 1e-2,
): { L: Float64Array; jitter: number } {
  const first = cholesky(a, n);
  if (first) return { L: first, jitter: 0 };
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += a[i * n + i];
  meanDiag /= n;
  for (let rel = 1e-10; rel <= maxRelativeJitter; rel *= 10) {
    const jitter = rel * meanDiag;
    const L = choleskyAt(a, n, jitter);
    if (L) return { L, jitter };
  }
  throw new Error(
    `Cholesky failed: matrix (${n}x${n}) is not positive definite even with jitter ${maxRelativeJitter} x mean diagonal`,
  );
}

export function choleskyAt(a: Float64Array, n: number, jitter: number): Float64Array | null {
  if (jitter === 0) return cholesky(a, n);
  const b = a.slice();
  for (let i = 0; i < n; i++) b[i * n + i] += jitter;
  return cholesky(b, n);
}

/** Solves L x = b (forward substitution). */
export function solveLower(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * x[k];
    x[i] = s / L[ri + i];
  }
  return x;
}

/**
 * Solves L x_r = b_r for `rows` right-hand sides stored as the rows of B (row stride `stride`,
 * first n entries of each row), overwriting them with the solutions. Four rows share each pass
 * over L, which is the memory traffic that bounds a one-at-a-time forward substitution.
 */
export function solveLowerRowsInPlace(
  L: Float64Array,
  n: number,
  B: Float64Array,
  rows: number,
  stride: number,
): void {
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const o0 = r * stride;
    const o1 = o0 + stride;
    const o2 = o1 + stride;
    const o3 = o2 + stride;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      let s0 = B[o0 + i];
      let s1 = B[o1 + i];
      let s2 = B[o2 + i];
      let s3 = B[o3 + i];
      for (let k = 0; k < i; k++) {
        const l = L[ri + k];
        s0 -= l * B[o0 + k];
        s1 -= l * B[o1 + k];
        s2 -= l * B[o2 + k];
        s3 -= l * B[o3 + k];
      }
      const inv = L[ri + i];
      B[o0 + i] = s0 / inv;
      B[o1 + i] = s1 / inv;
      B[o2 + i] = s2 / inv;
      B[o3 + i] = s3 / inv;
    }
  }
  for (; r < rows; r++) {
    const o = r * stride;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      let s = B[o + i];
      for (let k = 0; k < i; k++) s -= L[ri + k] * B[o + k];
      B[o + i] = s / L[ri + i];
    }
  }
}

/** Solves L^T x = b (back substitution with the lower factor). */
export function solveUpperT(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/** Solves (L L^T) x = b. */
export function choleskySolve(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return solveUpperT(L, n, solveLower(L, n, b));
}

/** (L L^T)^{-1} as a full symmetric row-major matrix. */
export function inverseFromCholesky(L: Float64Array, n: number): Float64Array {
  // Row j of T holds column j of L^{-1} (forward substitution on e_j); both inner loops then
  // read memory contiguously, which is ~3x faster than the textbook column-wise form.
  const T = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    T[rj + j] = 1 / L[j * n + j];
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let k = j; k < i; k++) s -= L[ri + k] * T[rj + k];
      T[rj + i] = s / L[ri + i];
    }
  }
  // A^{-1}_{ij} = sum_k Linv_{ki} Linv_{kj} = T_i . T_j over k >= max(i, j).
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = i; k < n; k++) s += T[ri + k] * T[rj + k];
      inv[ri + j] = s;
      inv[rj + i] = s;
    }
  }
  return inv;
}

/** log det (L L^T) = 2 sum log diag L. */
export function logDetFromCholesky(L: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]);
  return 2 * s;
}
