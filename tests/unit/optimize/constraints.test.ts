import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  logProbabilityOfFeasibility,
  probabilityOfFeasibility,
  weightByFeasibility,
} from '../../../optimize/constraints';
import { runPython } from '../../helpers/python';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/models/feasibility_reference.py'),
  'utf8',
);

// [mean, std, lower, upper]; null = unbounded side
const CASES: [number, number, number | null, number | null][] = [
  [0, 1, null, 0.5],
  [0, 1, -1, 1],
  [2, 0.5, null, 0],
  [0, 1, 30, null],
  [0, 1, null, -40],
  [0, 1, 8, 9],
  [0, 1, -9, -8],
  [0.3, 2, 0.1, 0.2],
  [100, 1, 0, null],
];

describe('probability of feasibility vs high-precision mpmath', () => {
  const ref = runPython<[number, number][]>(REFERENCE, { cases: CASES });

  it('matches P and log P, including far tails', () => {
    CASES.forEach(([m, s, lo, hi], i) => {
      const c = { lower: lo ?? undefined, upper: hi ?? undefined };
      const p = probabilityOfFeasibility(m, s, c);
      const lp = logProbabilityOfFeasibility(m, s, c);
      if (ref[i][0] > 1e-300) expect(Math.abs(p - ref[i][0]) / ref[i][0]).toBeLessThan(1e-12);
      expect(Math.abs(lp - ref[i][1]) / Math.max(1, Math.abs(ref[i][1]))).toBeLessThan(1e-10);
    });
  });

  it('weights scores multiplicatively or in log space, or ranks by PoF alone', () => {
    // P(g ≤ 0) for g ~ N(0, 1) is 0.5: log PoF = log 0.5 for both points.
    const logPof = [0, 0].map(() => logProbabilityOfFeasibility(0, 1, { upper: 0 }));
    expect(Array.from(weightByFeasibility(Float64Array.from([1, 2]), logPof, false, false))).toEqual([
      0.5, 1,
    ]);
    const logged = weightByFeasibility(Float64Array.from([0, 0]), logPof, true, false);
    expect(logged[0]).toBeCloseTo(Math.log(0.5), 14);
    expect(
      Array.from(weightByFeasibility(Float64Array.from([7, 9]), [Math.log(0.2), 0], false, true)),
    ).toEqual([0.2, 1]);
    expect(() => weightByFeasibility(Float64Array.from([1, 2]), [0], false, false)).toThrow(
      /feasibility for 1 points, scores for 2/,
    );
  });

  it('zero std and bad bounds', () => {
    expect(probabilityOfFeasibility(1, 0, { upper: 2 })).toBe(1);
    expect(probabilityOfFeasibility(3, 0, { upper: 2 })).toBe(0);
    expect(() => probabilityOfFeasibility(0, 1, { lower: 2, upper: 1 })).toThrow(/lower <= upper/);
    expect(() => probabilityOfFeasibility(0, 1, {})).toThrow(/neither lower nor upper/);
    expect(() => probabilityOfFeasibility(0, -1, { upper: 1 })).toThrow(/std must be finite/);
  });
});
