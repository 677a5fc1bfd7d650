import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  accelerationFactor,
  curveBand,
  discoveryYieldCurve,
  enhancementFactorCurve,
  experimentsToFraction,
  hitsForFraction,
  randomExperimentsToFraction,
  randomTopFraction,
  topCandidates,
  topFractionCurve,
} from '../../../optimize/discoveryMetrics';
import { runPython } from '../../helpers/python';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/bench/discovery_metrics_reference.py'),
  'utf8',
);

describe('random-search expectations vs scipy hypergeom / nhypergeom and Monte Carlo', () => {
  // OBELiX's sizes: N = 599 candidates, K = 30 in the top 5 %.
  const N = 599;
  const K = 30;
  const draws = [1, 10, 30, 100, 300, 599];
  const hits = [1, hitsForFraction(0.5, K), hitsForFraction(0.8, K), K];
  const ref = runPython<{
    hypergeom_mean_fraction: number[];
    nhypergeom_draws: number[];
    mc_fraction: number[];
    mc_draws: number[];
  }>(REFERENCE, { N, K, draws, hits, trials: 20000, seed: 7 });

  it('E[Top%(i)] = i/N is the hypergeometric mean over K', () => {
    draws.forEach((i, k) => {
      expect(randomTopFraction(i, N)).toBeCloseTo(ref.hypergeom_mean_fraction[k], 12);
      expect(Math.abs(randomTopFraction(i, N) - ref.mc_fraction[k])).toBeLessThan(0.01);
    });
  });

  it('expected draws to the r-th top candidate, r(N+1)/(K+1), is the negative-hypergeometric mean', () => {
    hits.forEach((r, k) => {
      const ours = randomExperimentsToFraction(r / K, N, K);
      expect(ours).toBeCloseTo(ref.nhypergeom_draws[k], 9);
      expect(Math.abs(ours - ref.mc_draws[k]) / ours).toBeLessThan(0.02);
    });
  });
});

describe('discovery metrics on hand-checked campaigns', () => {
  const y = [5, 1, 9, 3, 9, 0, 2, 7, 4, 6];

  it('topCandidates keeps every tie at the threshold', () => {
    expect([...topCandidates(y, 0.1)].sort()).toEqual([2, 4]); // ⌈0.1·10⌉ = 1, but 9 is tied
    expect([...topCandidates(y, 0.3)].sort()).toEqual([2, 4, 7]);
    expect(() => topCandidates([], 0.05)).toThrow(/empty/);
    expect(() => topCandidates([1, NaN], 0.05)).toThrow(/not finite/);
  });

  it('Top%, EF, experiments-to-f, AF and yield', () => {
    const top = new Set([2, 4, 7, 9]);
    const order = [0, 2, 1, 4, 7, 3, 9];
    const curve = topFractionCurve(order, top);
    expect(curve).toEqual([0, 0.25, 0.25, 0.5, 0.75, 0.75, 1]);
    expect(enhancementFactorCurve(curve, 10)[3]).toBeCloseTo(0.5 / (4 / 10), 12);
    expect(experimentsToFraction(curve, 0.5, 4)).toBe(4);
    expect(experimentsToFraction(curve, 0.8, 4)).toBe(7); // ⌈0.8·4⌉ = 4 hits
    expect(experimentsToFraction(curve.slice(0, 3), 0.5, 4)).toBeNull();
    expect(hitsForFraction(0.5, 30)).toBe(15);
    expect(accelerationFactor(4, 0.5, 10, 4)).toBeCloseTo((2 * 11) / 5 / 4, 12);
    expect(accelerationFactor(null, 0.5, 10, 4)).toBeNull();
    expect(discoveryYieldCurve(curve, 4)[6]).toBeCloseTo(4 / 7, 12);
    expect(() => topFractionCurve([1, 1], top)).toThrow(/twice/);
  });

  it('curveBand gives the pointwise mean and population std', () => {
    const band = curveBand([
      [0, 0.5, 1],
      [0, 1, 1],
    ]);
    expect(band.mean).toEqual([0, 0.75, 1]);
    expect(band.std).toEqual([0, 0.25, 0]);
  });
});
