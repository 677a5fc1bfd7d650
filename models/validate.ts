/** Input checks shared by the models: a bad call fails with an error naming what is wrong. */

export function checkMatrix(
  X: readonly (readonly number[])[],
  name: string,
  cols?: number,
): { rows: number; cols: number } {
  if (!Array.isArray(X)) throw new Error(`${name} must be an array of rows`);
  if (X.length === 0) throw new Error(`${name} has no rows`);
  const width = cols ?? X[0]?.length;
  if (width === undefined || width === 0) throw new Error(`${name} row 0 has no columns`);
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    if (!Array.isArray(row)) throw new Error(`${name} row ${i} is not an array`);
    if (row.length !== width) {
      throw new Error(`${name} shape mismatch: row ${i} has ${row.length} columns, expected ${width}`);
    }
    for (let j = 0; j < width; j++) {
      if (!Number.isFinite(row[j]))
        throw new Error(`${name} has a non-finite value (${row[j]}) in row ${i}, column ${j}`);
    }
  }
  return { rows: X.length, cols: width };
}

export function checkVector(y: readonly number[], name: string, length?: number): void {
  if (!Array.isArray(y)) throw new Error(`${name} must be an array of numbers`);
  if (length !== undefined && y.length !== length) {
    throw new Error(`${name} length mismatch: ${y.length} values for ${length} rows`);
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) throw new Error(`${name} has a non-finite value (${y[i]}) at index ${i}`);
  }
}

/** Training data for a regression model: at least one row, X and y agree, all finite. */
export function checkTrainingData(
  X: readonly (readonly number[])[],
  y: readonly number[],
): { rows: number; cols: number } {
  const shape = checkMatrix(X, 'X');
  checkVector(y, 'y', shape.rows);
  return shape;
}
