import * as fs from 'node:fs';
import * as path from 'node:path';
import { parEgoScalarize, PAREGO_RHO, sampleSimplexWeights } from '../../../optimize/parego';
import { createRng } from '../../../optimize/rng';
import { runPython } from '../../helpers/python';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/models/parego_reference.py'),
  'utf8',
);

describe('ParEGO', () => {
  it('augmented Chebyshev scalarization equals the numpy implementation of Knowles (2006) eq. 2', () => {
    const rng = createRng(3);
    const Y = Array.from({ length: 30 }, () => [rng.normal(), rng.normal() * 10, 5]);
    const weights = sampleSimplexWeights(3, rng);
    const ref = runPython<{ scalar: number[] }>(REFERENCE, { Y, weights, rho: PAREGO_RHO });
    parEgoScalarize(Y, weights).forEach((v, i) => expect(v).toBeCloseTo(ref.scalar[i], 12));
  });

  it('a point best in every objective scores 0, the maximum', () => {
    const s = parEgoScalarize(
      [
        [1, 1],
        [0, 0.5],
        [0.5, 0],
      ],
      [0.5, 0.5],
    );
    expect(s[0]).toBeCloseTo(0, 15);
    expect(Math.max(...s)).toBe(s[0]);
  });

  it('weights lie on the simplex and are seeded', () => {
    const w = sampleSimplexWeights(4, createRng(1));
    expect(w.reduce((a, b) => a + b)).toBeCloseTo(1, 14);
    expect(w.every((v) => v >= 0)).toBe(true);
    expect(sampleSimplexWeights(4, createRng(1))).toEqual(w);
  });

  it('rejects mismatched rows', () => {
    expect(() => parEgoScalarize([[1, 2], [1]], [0.5, 0.5])).toThrow(
      /row 1 has 1 objectives, weights have 2/,
    );
    expect(() => parEgoScalarize([[1, NaN]], [0.5, 0.5])).toThrow(/row 0, column 1/);
  });
});
