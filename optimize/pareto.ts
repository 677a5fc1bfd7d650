/**
 * Pareto front of measured points: the points no other point dominates. A point dominates
 * another when it is at least as good in every objective and strictly better in one (the
 * definition BoTorch's botorch.utils.multi_objective.pareto.is_non_dominated implements, with
 * which tests/unit/optimize/pareto.test.ts checks this). Duplicates of a front point are all kept.
 */

/** Indices of the non-dominated rows of Y, each row already oriented so larger is better. */
export function nonDominatedIndices(Y: readonly (readonly number[])[]): number[] {
  const k = Y[0]?.length ?? 0;
  Y.forEach((row, i) => {
    if (row.length !== k) throw new Error(`pareto: row ${i} has ${row.length} objectives, row 0 has ${k}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new Error(`pareto: non-finite objective in row ${i}, column ${j}`);
    });
  });
  // O(n² k): campaigns measure hundreds of points, not millions.
  const dominates = (a: readonly number[], b: readonly number[]) => {
    let strictly = false;
    for (let j = 0; j < k; j++) {
      if (a[j] < b[j]) return false;
      if (a[j] > b[j]) strictly = true;
    }
    return strictly;
  };
  return Y.flatMap((row, i) => (Y.some((other) => dominates(other, row)) ? [] : [i]));
}
