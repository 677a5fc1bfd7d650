import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  expectedImprovement,
  logExpectedImprovement,
  logH,
  logProbabilityOfImprovement,
  orientTargets,
  probabilityOfImprovement,
  scoreAcquisition,
  upperConfidenceBound,
} from '../../../optimize/acquisition';
import { normalCdf, normalLogCdf } from '../../../optimize/normal';
import { createRng } from '../../../optimize/rng';
import { runPython } from '../../helpers/python';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/models/acquisition_reference.py'),
  'utf8',
);

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// [mean, std, best, xi]: z from +8 down to -1e9 (EI underflows to 0 below z ≈ -38).
const CASES: [number, number, number, number][] = [
  [1.3, 0.4, 0.2, 0],
  [0.5, 1, 0.5, 0],
  [0.2, 0.7, 0.5, 0.05],
  [-1, 2, 0.5, 0.01],
  [0, 1, 3.5, 0],
  [0, 0.3, 3, 0],
  [4, 0.5, 0, 0],
  [0, 1, 10, 0],
  [0, 1, 25, 0],
  [0, 0.1, 3.7, 0],
  [0, 1, 40, 0],
  [0, 1e-3, 1, 0],
  [-5, 1e-4, 5, 0],
  [0, 1, 1e9, 0],
];
const ZS = [5, 1, 0, -0.5, -0.999, -1, -1.001, -3, -10, -38, -40, -100, -1e4, -6.7e7, -6.8e7, -1e10];

describe('acquisition functions vs scipy / mpmath', () => {
  const ref = runPython<{ ei: number[]; pi: number[]; log_pi: number[]; log_ei: number[]; log_h: number[] }>(
    REFERENCE,
    { cases: CASES, zs: ZS },
  );

  it('EI and PI equal the scipy.stats.norm closed forms (and EI the 60-digit value)', () => {
    CASES.forEach(([m, s, b, xi], i) => {
      const ei = expectedImprovement(m, s, b, xi);
      // scipy's closed form itself loses digits to cancellation for negative z; mpmath does not.
      if (ref.ei[i] > 1e-250) expect(relErr(ei, ref.ei[i])).toBeLessThan(1e-9);
      else expect(ei).toBeLessThan(1e-250);
      if (ref.log_ei[i] > -700) expect(relErr(ei, Math.exp(ref.log_ei[i]))).toBeLessThan(1e-12);
      const pi = probabilityOfImprovement(m, s, b, xi);
      if (ref.pi[i] > 1e-300) expect(relErr(pi, ref.pi[i])).toBeLessThan(1e-12);
      expect(relErr(logProbabilityOfImprovement(m, s, b, xi), ref.log_pi[i])).toBeLessThan(1e-12);
    });
  });

  it('log EI matches 60-digit mpmath, including where EI underflows to 0', () => {
    CASES.forEach(([m, s, b, xi], i) => {
      const v = logExpectedImprovement(m, s, b, xi);
      expect(Number.isFinite(v)).toBe(true);
      expect(relErr(v, ref.log_ei[i])).toBeLessThan(1e-8);
    });
    expect(expectedImprovement(0, 1, 40)).toBe(0); // the case log EI exists for
    ZS.forEach((z, i) => expect(relErr(logH(z), ref.log_h[i])).toBeLessThan(1e-8));
  });

  it('log EI is smooth across the branch switches at z = -1 and z = -1/sqrt(eps)', () => {
    const eps = 1e-9;
    for (const z of [-1, -1 / Math.sqrt(Number.EPSILON)]) {
      expect(relErr(logH(z * (1 + eps)), logH(z * (1 - eps)))).toBeLessThan(1e-6);
    }
  });

  it('normal CDF helpers are consistent', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalLogCdf(-40)).toBeCloseTo(ref.log_pi[10], 9); // case 10 is z = -40
    expect(Math.exp(normalLogCdf(1.5))).toBeCloseTo(normalCdf(1.5), 15);
  });

  it('UCB is mean + sqrt(beta) * std (BoTorch convention)', () => {
    expect(upperConfidenceBound(1, 0.5, 4)).toBe(2);
    expect(upperConfidenceBound(1, 0.5, 0)).toBe(1);
    expect(() => upperConfidenceBound(1, 0.5, -1)).toThrow(/beta/);
  });

  it('zero std gives the deterministic limits', () => {
    expect(expectedImprovement(2, 0, 1)).toBe(1);
    expect(expectedImprovement(0, 0, 1)).toBe(0);
    expect(logExpectedImprovement(0, 0, 1)).toBe(-Infinity);
    expect(probabilityOfImprovement(2, 0, 1)).toBe(1);
  });

  it('rejects NaN and negative std', () => {
    expect(() => expectedImprovement(NaN, 1, 0)).toThrow(/mean must be finite/);
    expect(() => expectedImprovement(0, -1, 0)).toThrow(/std must be finite and >= 0/);
    expect(() => probabilityOfImprovement(0, 1, NaN)).toThrow(/best is NaN/);
  });
});

describe('orientTargets and scoreAcquisition', () => {
  it('orients minimization by negation', () => {
    expect(orientTargets([1, -2], 'minimize')).toEqual([-1, 2]);
    expect(orientTargets([1, -2], 'maximize')).toEqual([1, -2]);
    expect(() => orientTargets([1], 'up' as never)).toThrow(/direction/);
  });

  it('scores each point with the chosen function', () => {
    const pred = { mean: Float64Array.from([0, 1, 2]), std: Float64Array.from([1, 0.5, 0]) };
    const rng = createRng(1);
    expect(Array.from(scoreAcquisition({ kind: 'ei' }, pred, 1, rng))).toEqual(
      [0, 1, 2].map((i) => expectedImprovement(pred.mean[i], pred.std[i], 1)),
    );
    expect(Array.from(scoreAcquisition({ kind: 'ucb', beta: 9 }, pred, 1, rng))).toEqual([3, 2.5, 2]);
    expect(Array.from(scoreAcquisition({ kind: 'greedy' }, pred, 1, rng))).toEqual([0, 1, 2]);
    const th = scoreAcquisition({ kind: 'thompson' }, pred, 1, createRng(2));
    expect(th[2]).toBe(2); // zero std: the sample is the mean
    expect(scoreAcquisition({ kind: 'random' }, pred, 1, createRng(3))).toEqual(
      scoreAcquisition({ kind: 'random' }, pred, 1, createRng(3)),
    );
    expect(() => scoreAcquisition({ kind: 'ei' }, pred, -Infinity, rng)).toThrow(
      /best \(incumbent\) must be finite/,
    );
    expect(() => scoreAcquisition({ kind: 'foo' } as never, pred, 0, rng)).toThrow(
      /unknown acquisition kind: foo/,
    );
    expect(() =>
      scoreAcquisition({ kind: 'ei' }, { mean: pred.mean, std: new Float64Array(2) }, 0, rng),
    ).toThrow(/shape mismatch/);
  });
});
