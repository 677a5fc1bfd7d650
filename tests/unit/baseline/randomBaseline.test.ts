import { countAtLeastAsGood, expectedRandomDrawsToFirstHit } from '../../../optimize/randomBaseline';
import { runPython } from '../../helpers/python';

describe('expectedRandomDrawsToFirstHit', () => {
  it('equals 1 + the negative hypergeometric mean of failures before the first success (scipy)', () => {
    const cases = [
      [599, 1],
      [599, 30],
      [100, 5],
      [10, 10],
      [7, 3],
    ];
    // scipy.stats.nhypergeom(M, n, r).mean(): failures before the r-th success, with n "failure" items.
    const ref = runPython<number[]>(
      'import json,sys\nfrom scipy.stats import nhypergeom\n' +
        'print(json.dumps([1 + float(nhypergeom(N, N - K, 1).mean()) for N, K in json.load(sys.stdin)]))',
      cases,
    );
    cases.forEach(([n, k], i) => expect(expectedRandomDrawsToFirstHit(n, k)).toBeCloseTo(ref[i], 10));
  });

  it('refuses impossible pools', () => {
    expect(() => expectedRandomDrawsToFirstHit(10, 0)).toThrow(/goodCount/);
    expect(() => expectedRandomDrawsToFirstHit(0, 1)).toThrow(/poolSize/);
  });

  it('counts candidates at least as good in either direction', () => {
    expect(countAtLeastAsGood([1, 2, 3, 3], 3, 'maximize')).toBe(2);
    expect(countAtLeastAsGood([1, 2, 3, 3], 2, 'minimize')).toBe(2);
  });
});
