import { GaussianProcess } from '../../../models/gaussianProcess';
import { matern52Cross, matern52FromDistance } from '../../../models/matern52';
import { RandomForest } from '../../../models/randomForest';
import { AcquisitionSpec, ucbBetaSchedule } from '../../../optimize/acquisition';
import { gpBelieverBatch, LazyStats } from '../../../optimize/gpBatch';
import { BatchProposal, proposeBatch } from '../../../optimize/proposeBatch';
import { createRng } from '../../../optimize/rng';

/** A clustered pool (so variances differ a lot) with a smooth multimodal target. */
function problem(seed: number, n: number, m: number, d: number) {
  const rng = createRng(seed);
  const centers = Array.from({ length: 6 }, () => Array.from({ length: d }, () => rng.normal() * 2));
  const point = () => {
    const c = centers[rng.int(centers.length)];
    return c.map((v) => v + 0.5 * rng.normal());
  };
  const f = (x: number[]) => Math.sin(x[0]) + 0.5 * Math.cos(x[1] * 1.3) - 0.1 * x[2] * x[2];
  const X = Array.from({ length: n }, point);
  const pool = Array.from({ length: m }, point);
  return { X, y: X.map((x) => f(x) + 0.05 * rng.normal()), pool };
}

function expectSamePicks(fast: BatchProposal, slow: BatchProposal) {
  expect(fast.indices).toEqual(slow.indices);
  fast.scores.forEach((s, k) =>
    expect(Math.abs(s - slow.scores[k])).toBeLessThan(1e-9 * Math.max(1, Math.abs(s))),
  );
  fast.mean.forEach((s, k) => expect(Math.abs(s - slow.mean[k])).toBeLessThan(1e-9));
  fast.std.forEach((s, k) => expect(Math.abs(s - slow.std[k])).toBeLessThan(1e-9));
}

describe('GP fast Kriging believer (lazy bounds + rank-1 fantasies)', () => {
  const { X, y, pool } = problem(3, 120, 600, 5);
  const gp = new GaussianProcess(
    { hyperparameters: { lengthscales: [1.2, 0.9, 2, 3, 3], signalVariance: 1.3, noiseVariance: 0.01 } },
    0,
  );
  gp.fit(X, y);
  const pending = pool.slice(0, 3);
  const rest = pool.slice(3);

  it.each<[AcquisitionSpec, boolean]>([
    [{ kind: 'ei' }, false],
    [{ kind: 'log_ei' }, false],
    [{ kind: 'pi', xi: 0.01 }, false],
    [{ kind: 'ucb', beta: 4 }, false],
    [{ kind: 'greedy' }, false],
    [{ kind: 'ei' }, true],
    [{ kind: 'ucb', beta: 9 }, true],
  ])('%j (pending: %s) picks exactly what conditionOn + predict picks', (acquisition, withPending) => {
    const input = {
      X_train: X,
      y_train: y,
      X_pool: rest,
      X_pending: withPending ? pending : [],
      q: 8,
      surrogate: { kind: 'gp' as const },
      acquisition,
      seed: 1,
      model: gp,
    };
    expectSamePicks(proposeBatch(input), proposeBatch({ ...input, fastPaths: false }));
  });

  it('evaluates exact variances for only part of the pool', () => {
    const stats: LazyStats = { exactEvaluations: 0, pool: 0 };
    gpBelieverBatch(gp, rest, [], 8, { kind: 'ei' }, stats);
    expect(stats.pool).toBe(rest.length);
    expect(stats.exactEvaluations).toBeGreaterThanOrEqual(8);
    expect(stats.exactEvaluations).toBeLessThan(rest.length / 2);
  });
});

describe('forest fast Kriging believer (incremental leaf sums)', () => {
  const { X, y, pool } = problem(5, 80, 400, 4);
  const rf = new RandomForest({ trees: 40 }, 2);
  rf.fit(X, y);
  it.each<[AcquisitionSpec, boolean]>([
    [{ kind: 'ei' }, false],
    [{ kind: 'ucb' }, true],
    [{ kind: 'greedy' }, true],
    [{ kind: 'log_ei' }, false],
  ])('%j (pending: %s) picks exactly what conditionOn + predict picks', (acquisition, withPending) => {
    const input = {
      X_train: X,
      y_train: y,
      X_pool: pool.slice(4),
      X_pending: withPending ? pool.slice(0, 4) : [],
      q: 7,
      surrogate: { kind: 'random_forest' as const },
      acquisition,
      seed: 4,
      model: rf,
    };
    expectSamePicks(proposeBatch(input), proposeBatch({ ...input, fastPaths: false }));
  });
});

describe('UCB beta schedule (Srinivas et al. 2010)', () => {
  it('is scale * 2 log(|D| t² π² / 6δ), growing with t, and proposeBatch resolves it from the data', () => {
    const b = ucbBetaSchedule({ kind: 'srinivas', delta: 0.1, scale: 0.2 }, 10, 600);
    expect(b).toBeCloseTo(0.2 * 2 * Math.log((600 * 100 * Math.PI ** 2) / 0.6), 12);
    expect(ucbBetaSchedule({ kind: 'srinivas' }, 50, 600)).toBeGreaterThan(
      ucbBetaSchedule({ kind: 'srinivas' }, 10, 600),
    );
    expect(() => ucbBetaSchedule({ kind: 'srinivas', delta: 2 }, 10, 600)).toThrow(/delta/);
    const { X, y, pool } = problem(9, 40, 200, 3);
    const base = { X_train: X, y_train: y, X_pool: pool, q: 4, surrogate: { kind: 'gp' as const }, seed: 3 };
    const sched = proposeBatch({ ...base, acquisition: { kind: 'ucb', betaSchedule: { kind: 'srinivas' } } });
    const fixed = proposeBatch({
      ...base,
      acquisition: { kind: 'ucb', beta: ucbBetaSchedule({ kind: 'srinivas' }, X.length, pool.length) },
    });
    expect(sched).toEqual(fixed);
  });
});

describe('matern52Cross (blocked |a|² + |b|² − 2a·b)', () => {
  it('equals the kernel from coordinate differences, also at r = 0 and for odd shapes', () => {
    const rng = createRng(17);
    const d = 7;
    const A = Float64Array.from({ length: 5 * d }, () => rng.normal() * 3);
    const B = Float64Array.from({ length: 6 * d }, () => rng.normal() * 3);
    B.set(A.subarray(0, d), 2 * d); // a shared row: r = 0
    const K = matern52Cross(A, 5, B, 6, d, 1.7);
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 6; j++) {
        let r2 = 0;
        for (let k = 0; k < d; k++) r2 += (A[i * d + k] - B[j * d + k]) ** 2;
        const want = matern52FromDistance(Math.sqrt(r2), 1.7);
        expect(Math.abs(K[i * 6 + j] - want)).toBeLessThan(1e-13 * 1.7);
      }
    }
    expect(K[0 * 6 + 2]).toBeCloseTo(1.7, 13);
  });
});
