import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import {
  cholesky,
  choleskySolve,
  choleskyWithJitter,
  inverseFromCholesky,
  logDetFromCholesky,
} from '../../../models/linalg';
import { createRng } from '../../../optimize/rng';
import { maxRelativeError } from './synthetic';

// Reference: ml-matrix's CholeskyDecomposition (an independent implementation).
function spd(n: number, seed: number): { flat: Float64Array; m: Matrix } {
  const rng = createRng(seed);
  const A = Matrix.from1DArray(
    n,
    n,
    Array.from({ length: n * n }, () => rng.normal()),
  );
  const m = A.mmul(A.transpose()).add(Matrix.eye(n).mul(0.5));
  return { flat: Float64Array.from(m.to1DArray()), m };
}

describe('linalg (flat Cholesky)', () => {
  const n = 40;
  const { flat, m } = spd(n, 7);
  const ref = new CholeskyDecomposition(m);
  const L = cholesky(flat, n) as Float64Array;

  it('factor equals ml-matrix CholeskyDecomposition', () => {
    expect(L).not.toBeNull();
    expect(maxRelativeError(L, Float64Array.from(ref.lowerTriangularMatrix.to1DArray()), 1e-8)).toBeLessThan(
      1e-10,
    );
  });

  it('solve, inverse and log-determinant match ml-matrix', () => {
    const b = Array.from({ length: n }, (_, i) => Math.sin(i));
    const x = choleskySolve(L, n, b);
    const xr = ref.solve(Matrix.columnVector(b)).to1DArray();
    expect(maxRelativeError(x, xr, 1e-8)).toBeLessThan(1e-9);
    const inv = inverseFromCholesky(L, n);
    expect(maxRelativeError(inv, Float64Array.from(ref.solve(Matrix.eye(n)).to1DArray()), 1e-6)).toBeLessThan(
      1e-9,
    );
    const lowerDiag = ref.lowerTriangularMatrix.diag();
    expect(logDetFromCholesky(L, n)).toBeCloseTo(2 * lowerDiag.reduce((s, v) => s + Math.log(v), 0), 10);
  });

  it('returns null for an indefinite matrix and recovers with jitter for a singular one', () => {
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBeNull();
    const singular = Float64Array.from([1, 1, 1, 1]);
    const r = choleskyWithJitter(singular, 2);
    expect(r.jitter).toBeGreaterThan(0);
    expect(() => choleskyWithJitter(Float64Array.from([1, 0, 0, -5]), 2)).toThrow(/not positive definite/);
  });
});
