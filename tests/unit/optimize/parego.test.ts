import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectedImprovement } from '../../../optimize/acquisition';
import {
  parEgoSampledAcquisition,
  parEgoScalarize,
  PAREGO_RHO,
  sampleSimplexWeights,
} from '../../../optimize/parego';
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

describe('ParEGO on posterior samples of per-objective models', () => {
  const measured = [
    [0.2, 1.0],
    [0.8, 0.1],
    [0.5, 0.6],
    [0.1, 0.3],
  ];
  const weights = [0.3, 0.7];
  const candidates = {
    mean: [
      [0.9, 0.9],
      [0.4, 0.4],
      [0.7, 0.2],
    ],
    std: [
      [0.2, 0.3],
      [0.05, 0.1],
      [0.4, 0.4],
    ],
  };
  const asPredictions = (means: number[][], stds: number[][]) =>
    weights.map((_, j) => ({ mean: means.map((r) => r[j]), std: stds.map((r) => r[j]) }));
  const REFERENCE = fs.readFileSync(
    path.resolve(__dirname, '../../reference/models/parego_sampled_reference.py'),
    'utf8',
  );

  it('EI and PI of the scalar equal a 2,000,000-draw numpy Monte Carlo (two objectives)', () => {
    const ref = runPython<{ incumbent: number; ei: number[]; pi: number[] }>(REFERENCE, {
      measured,
      weights,
      rho: PAREGO_RHO,
      ...candidates,
    });
    const preds = asPredictions(candidates.mean, candidates.std);
    const opts = { samples: 200_000 };
    const ei = parEgoSampledAcquisition(preds, measured, weights, 'ei', createRng(4), opts);
    const pi = parEgoSampledAcquisition(preds, measured, weights, 'pi', createRng(4), opts);
    expect(ei.incumbent).toBeCloseTo(ref.incumbent, 12);
    ref.ei.forEach((v, i) => expect(Math.abs(ei.scores[i] - v)).toBeLessThan(0.02 * v + 1e-4));
    ref.pi.forEach((v, i) => expect(Math.abs(pi.scores[i] - v)).toBeLessThan(0.01));
    const logEi = parEgoSampledAcquisition(preds, measured, weights, 'log_ei', createRng(4), opts);
    logEi.scores.forEach((v, i) => expect(v).toBeCloseTo(Math.log(ei.scores[i]), 12));
  });

  it('with one objective, EI of the scalar is the closed-form EI scaled by the normalization (Jones et al. 1998)', () => {
    // s = −(1 + ρ)(hi − f)/(hi − lo): linear in f, so E[max(s − s*, 0)] = (1 + ρ)/(hi − lo) · EI(f; hi).
    const y = [[0.5], [2.0], [1.0]];
    const p = [{ mean: [1.8, 2.3], std: [0.5, 0.2] }];
    const { scores } = parEgoSampledAcquisition(p, y, [1], 'ei', createRng(9), { samples: 400_000 });
    const a = (1 + PAREGO_RHO) / (2.0 - 0.5);
    p[0].mean.forEach((mu, i) => {
      const exact = a * expectedImprovement(mu, p[0].std[i], 2.0);
      expect(Math.abs(scores[i] - exact)).toBeLessThan(0.01 * exact);
    });
  });

  it("greedy scores the posterior means with the measured rows' normalization", () => {
    // A candidate predicted exactly at a measured row (σ 0) scores that row's scalar.
    const preds = asPredictions(
      [measured[2], measured[0]],
      [
        [0, 0],
        [0, 0],
      ],
    );
    const { scores, incumbent } = parEgoSampledAcquisition(preds, measured, weights, 'greedy', createRng(1));
    const scalars = parEgoScalarize(measured, weights);
    expect(scores[0]).toBeCloseTo(scalars[2], 14);
    expect(scores[1]).toBeCloseTo(scalars[0], 14);
    expect(incumbent).toBe(Math.max(...scalars));
    expect(() => parEgoSampledAcquisition(preds, [], weights, 'ei', createRng(1))).toThrow(/no measured row/);
    expect(() => parEgoSampledAcquisition(preds.slice(1), measured, weights, 'ei', createRng(1))).toThrow(
      /1 predictions for 2 weights/,
    );
  });
});
