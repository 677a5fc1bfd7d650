import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyColumnScaling, fitColumnScaling } from '../../../models/standardize';
import { kMeans } from '../../../optimize/kmeans';
import { createRng } from '../../../optimize/rng';
import { chooseSeedIndices } from '../../../optimize/seeds';
import { runPython } from '../../helpers/python';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/models/kmeans_reference.py'),
  'utf8',
);

/** 4 Gaussian blobs in 6-D with features in different units. */
function blobs(n: number, seed: number): number[][] {
  const rng = createRng(seed);
  const centres = Array.from({ length: 4 }, () => Array.from({ length: 6 }, () => rng.normal() * 3));
  return Array.from({ length: n }, (_, i) =>
    centres[i % 4].map((c, j) => (c + rng.normal()) * (j === 0 ? 1000 : 1)),
  );
}

describe('chooseSeedIndices', () => {
  const X = blobs(300, 1);

  it('k-means inertia is within 3% of sklearn KMeans (n_init=10) on the same standardized data', () => {
    const ks = [4, 10, 25];
    const ref = runPython<{ inertia: number[] }>(REFERENCE, { X, ks });
    const Xs = applyColumnScaling(X, fitColumnScaling(X));
    ks.forEach((k, i) => {
      const ours = kMeans(Xs, X.length, 6, k, createRng(k)).inertia;
      console.log(`k=${k}: inertia ours ${ours.toFixed(3)}, sklearn ${ref.inertia[i].toFixed(3)}`);
      expect(ours).toBeLessThan(ref.inertia[i] * 1.03);
    });
  });

  it('kmeans picks are distinct real rows, deterministic by seed, and cover every blob', () => {
    const picks = chooseSeedIndices(X, 8, 3, 'kmeans');
    expect(new Set(picks).size).toBe(8);
    expect(chooseSeedIndices(X, 8, 3, 'kmeans')).toEqual(picks);
    expect(new Set(picks.map((i) => i % 4)).size).toBe(4);
  });

  it('kmeans stays distinct with duplicate rows and count = pool size', () => {
    const dup = [
      [1, 2],
      [1, 2],
      [1, 2],
      [3, 4],
    ];
    expect(chooseSeedIndices(dup, 4, 0, 'kmeans').sort()).toEqual([0, 1, 2, 3]);
  });

  it('random picks are distinct and seeded', () => {
    const a = chooseSeedIndices(X, 20, 5, 'random');
    expect(new Set(a).size).toBe(20);
    expect(chooseSeedIndices(X, 20, 5, 'random')).toEqual(a);
    expect(chooseSeedIndices(X, 20, 6, 'random')).not.toEqual(a);
    expect(chooseSeedIndices(X, 0, 6, 'random')).toEqual([]);
  });

  it('rejects bad counts, methods and rows', () => {
    expect(() => chooseSeedIndices(X, 301, 0, 'random')).toThrow(
      /seed count must be an integer in \[0, 300\]/,
    );
    expect(() => chooseSeedIndices(X, 2, 0, 'grid' as never)).toThrow(/unknown seed method: grid/);
    expect(() => chooseSeedIndices([[1], [NaN]], 1, 0, 'kmeans')).toThrow(/row 1/);
  });
});
