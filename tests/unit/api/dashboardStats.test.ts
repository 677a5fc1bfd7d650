// The dashboard's numbers, checked without a browser or servers (pure code; it lives here only
// because tests/browser is this feature's folder: it may move to tests/unit/api).
import {
  bestSoFarTrace,
  calibrationCurve,
  expectedBestOfRandom,
  normalCdf,
} from '../../../api/dashboard/stats';

/** Every k-subset of 0..n−1, for the brute-force reference. */
function* subsets(n: number, k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) {
    yield acc;
    return;
  }
  for (let i = start; i < n; i++) yield* subsets(n, k, i + 1, [...acc, i]);
}

describe('dashboard stats', () => {
  it('best-so-far skips failed experiments and follows the direction', () => {
    expect(bestSoFarTrace([null, 1, 3, 2, null, 5], 'maximize')).toEqual([null, 1, 3, 3, 3, 5]);
    expect(bestSoFarTrace([2, 3, 1], 'minimize')).toEqual([2, 2, 1]);
  });

  it('expected best of k random picks equals the mean over every k-subset', () => {
    const labels = [0.3, -1.2, 2.5, 0.3, 1.1, -0.4, 0.9];
    for (const direction of ['maximize', 'minimize'] as const) {
      const curve = expectedBestOfRandom(labels, 10, direction);
      expect(curve).toHaveLength(labels.length); // k cannot exceed the pool
      for (let k = 1; k <= labels.length; k++) {
        let sum = 0;
        let count = 0;
        for (const s of subsets(labels.length, k)) {
          const vals = s.map((i) => labels[i]);
          sum += direction === 'maximize' ? Math.max(...vals) : Math.min(...vals);
          count++;
        }
        expect(curve[k - 1]).toBeCloseTo(sum / count, 10);
      }
    }
  });

  it('stays finite and monotone for a large pool', () => {
    const labels = Array.from({ length: 20_000 }, (_, i) => Math.sin(i) * 3);
    const curve = expectedBestOfRandom(labels, 200, 'maximize');
    expect(curve.every(Number.isFinite)).toBe(true);
    for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeGreaterThanOrEqual(curve[i - 1] - 1e-9);
    expect(curve[199]).toBeLessThanOrEqual(3);
  });

  it('calibration compares |z| ≤ k with a Gaussian', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    const curve = calibrationCurve([0.5, -1.5, 2.5, Number.NaN], [0, 1, 2, 3]);
    expect(curve.map((p) => p.observed)).toEqual([0, 1 / 3, 2 / 3, 1]);
    expect(curve[1].expected).toBeCloseTo(0.682689, 5);
  });
});
