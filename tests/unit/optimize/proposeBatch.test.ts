import { createSurrogate } from '../../../models/index';
import { fitColumnScaling } from '../../../models/standardize';
import { AcquisitionSpec, expectedImprovement } from '../../../optimize/acquisition';
import { proposeBatch } from '../../../optimize/proposeBatch';
import { createRng } from '../../../optimize/rng';

/** A multimodal 1-D objective on a dense grid: top-q EI without batching picks neighbours. */
const f = (x: number) => Math.sin(10 * x) * x + 0.3 * Math.cos(25 * x);
const grid = Array.from({ length: 201 }, (_, i) => i / 200);
const trainX = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85];
const base = {
  X_train: trainX.map((x) => [x]),
  y_train: trainX.map(f),
  X_pool: grid.filter((x) => !trainX.includes(x)).map((x) => [x]),
  surrogate: { kind: 'gp' as const },
  seed: 1,
};

/** proposeBatch scales GP inputs by every candidate (training rows + pool). */
const poolContext = { inputScaling: fitColumnScaling([...base.X_train, ...base.X_pool]) };

function meanPairwiseDistance(xs: number[]): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) for (let j = 0; j < i; j++) s += Math.abs(xs[i] - xs[j]);
  return s / ((xs.length * (xs.length - 1)) / 2);
}

describe('proposeBatch', () => {
  it('q = 1 is the argmax of EI under the fitted GP', () => {
    const p = proposeBatch({ ...base, q: 1, acquisition: { kind: 'ei' } });
    const gp = createSurrogate({ kind: 'gp' }, 1, poolContext);
    gp.fit(base.X_train, base.y_train);
    const pred = gp.predict(base.X_pool);
    const best = Math.max(...base.y_train);
    const ei = Array.from(pred.mean, (m, i) => expectedImprovement(m, pred.std[i], best));
    expect(p.indices).toEqual([ei.indexOf(Math.max(...ei))]);
    expect(p.scores[0]).toBeCloseTo(Math.max(...ei), 12);
    expect(p.mean[0]).toBe(pred.mean[p.indices[0]]);
    expect(p.std[0]).toBe(pred.std[p.indices[0]]);
  });

  it('Kriging-believer batches are more spread than naive top-q EI', () => {
    const q = 5;
    const p = proposeBatch({ ...base, q, acquisition: { kind: 'ei' } });
    const gp = createSurrogate({ kind: 'gp' }, 1, poolContext);
    gp.fit(base.X_train, base.y_train);
    const pred = gp.predict(base.X_pool);
    const best = Math.max(...base.y_train);
    const ei = Array.from(pred.mean, (m, i) => ({ i, v: expectedImprovement(m, pred.std[i], best) }));
    const naive = ei
      .sort((a, b) => b.v - a.v)
      .slice(0, q)
      .map((e) => base.X_pool[e.i][0]);
    const kb = p.indices.map((i) => base.X_pool[i][0]);
    const [spreadKb, spreadNaive] = [meanPairwiseDistance(kb), meanPairwiseDistance(naive)];
    console.log(
      `mean pairwise distance: Kriging believer ${spreadKb.toFixed(3)} [${kb}], naive top-q ${spreadNaive.toFixed(3)} [${naive}]`,
    );
    expect(spreadKb).toBeGreaterThan(2 * spreadNaive);
    expect(p.indices[0]).toBe(ei[0].i);
  });

  it.each<[AcquisitionSpec['kind'], 'gp' | 'random_forest']>([
    ['ei', 'gp'],
    ['log_ei', 'gp'],
    ['pi', 'gp'],
    ['ucb', 'gp'],
    ['greedy', 'gp'],
    ['random', 'gp'],
    ['thompson', 'gp'],
    ['ei', 'random_forest'],
    ['thompson', 'random_forest'],
  ])('%s with %s: q distinct indices, deterministic by seed', (kind, surrogate) => {
    const input = {
      ...base,
      q: 6,
      acquisition: { kind },
      surrogate: surrogate === 'gp' ? { kind: 'gp' as const } : { kind: 'random_forest' as const, trees: 30 },
    };
    const p = proposeBatch(input);
    expect(p.indices).toHaveLength(6);
    expect(new Set(p.indices).size).toBe(6);
    for (const i of p.indices) expect(i >= 0 && i < base.X_pool.length).toBe(true);
    expect([p.scores, p.mean, p.std].map((a) => a.length)).toEqual([6, 6, 6]);
    expect(proposeBatch(input)).toEqual(p);
  });

  it('pending candidates are fantasized like in-batch picks: pending = pick 1 gives pick 2 next', () => {
    const acquisition = { kind: 'ei' as const };
    const batch = proposeBatch({ ...base, q: 2, acquisition });
    const [x0, x1] = batch.indices.map((i) => base.X_pool[i][0]);
    const pool = base.X_pool.filter((_, i) => i !== batch.indices[0]);
    const next = proposeBatch({ ...base, X_pool: pool, X_pending: [[x0]], q: 1, acquisition });
    expect(pool[next.indices[0]][0]).toBe(x1);
    expect(next.scores[0]).toBeCloseTo(batch.scores[1], 10);
  });

  it('works in 2-D with a larger pool', () => {
    const rng = createRng(4);
    const X = Array.from({ length: 400 }, () => [rng.next(), rng.next()]);
    const g = (x: number[]) => -((x[0] - 0.3) ** 2) - (x[1] - 0.7) ** 2;
    const p = proposeBatch({
      X_train: X.slice(0, 20),
      y_train: X.slice(0, 20).map(g),
      X_pool: X.slice(20),
      q: 4,
      surrogate: { kind: 'gp' },
      acquisition: { kind: 'log_ei' },
      seed: 0,
    });
    expect(new Set(p.indices).size).toBe(4);
    // the first pick is close to the optimum
    const x = X[20 + p.indices[0]];
    expect(Math.hypot(x[0] - 0.3, x[1] - 0.7)).toBeLessThan(0.2);
  });

  it('rejects bad input with errors naming the field', () => {
    const acq = { kind: 'ei' as const };
    expect(() => proposeBatch({ ...base, q: 0, acquisition: acq })).toThrow(
      /q must be an integer in \[1, 195\]/,
    );
    expect(() => proposeBatch({ ...base, q: 500, acquisition: acq })).toThrow(/q must be/);
    expect(() => proposeBatch({ ...base, X_pool: [[1, 2]], q: 1, acquisition: acq })).toThrow(
      /X_pool shape mismatch/,
    );
    expect(() => proposeBatch({ ...base, y_train: [1, 2], q: 1, acquisition: acq })).toThrow(
      /y_train length mismatch/,
    );
    expect(() => proposeBatch({ ...base, X_pending: [[NaN]], q: 1, acquisition: acq })).toThrow(
      /X_pending has a non-finite value/,
    );
  });
});
