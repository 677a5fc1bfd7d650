import {
  isFeasible,
  MeasuredPoint,
  parEgoWeights,
  proposeCampaignBatch,
} from '../../../optimize/campaignProposal';
import { allowedRows, excludedElementsOf } from '../../../optimize/compositionConstraints';
import { parEgoScalarize, sampleSimplexWeights } from '../../../optimize/parego';
import { proposeBatch } from '../../../optimize/proposeBatch';
import { createRng } from '../../../optimize/rng';

/**
 * A 2-D pool whose objective y = −(x1 − 0.9)² − (x2 − 0.9)² peaks in the corner (0.9, 0.9) that
 * the constraint c = x1 + x2 ≤ 1 cuts off: the unconstrained optimum is infeasible, the feasible
 * one lies on the line x1 + x2 = 1.
 */
function constrainedProblem(seed: number) {
  const rng = createRng(seed);
  const X = Array.from({ length: 240 }, () => [rng.next(), rng.next()]);
  const y = (x: number[]) => -((x[0] - 0.9) ** 2) - (x[1] - 0.9) ** 2;
  const c = (x: number[]) => x[0] + x[1];
  const train = X.slice(0, 15);
  const pool = X.slice(15);
  const measured: MeasuredPoint[] = train.map((x) => ({ x, values: { y: y(x), c: c(x) } }));
  return { pool, measured, y, c };
}

describe('proposeCampaignBatch: outcome constraints (probability of feasibility)', () => {
  for (const kind of ['ei', 'log_ei'] as const) {
    it(`a constraint surrogate steers ${kind} picks into the feasible region`, () => {
      const { pool, measured, c, y } = constrainedProblem(7);
      const incumbent = Math.max(...measured.filter((p) => p.values.c <= 1).map((p) => p.values.y));
      const common = {
        measured,
        X_pool: pool,
        X_pending: [],
        q: 5,
        seed: 11,
        objectives: [{ property: 'y', direction: 'maximize' as const }],
        surrogate: { kind: 'gp' as const },
        acquisition: { kind },
      };
      const constrained = proposeCampaignBatch({
        ...common,
        constraints: [{ property: 'c', max: 1, surrogate: { kind: 'gp' } }],
      });
      const free = proposeCampaignBatch({ ...common, constraints: [] });
      const picks = (p: { indices: number[] }) => p.indices.map((i) => pool[i]);
      // Without the constraint the batch chases the infeasible corner; with it, it hugs the
      // boundary from inside: the first picks are feasible and improve on the feasible incumbent.
      expect(picks(free).filter((x) => c(x) > 1).length).toBeGreaterThanOrEqual(4);
      expect(picks(constrained).filter((x) => c(x) > 1).length).toBeLessThanOrEqual(1);
      for (const x of picks(constrained).slice(0, 2)) {
        expect(c(x)).toBeLessThanOrEqual(1);
        expect(y(x)).toBeGreaterThan(incumbent);
      }
      expect(constrained.feasibility).toHaveLength(5);
      expect(constrained.feasibility?.[0]).toBeGreaterThan(0.5);
      expect(constrained.scalarized).toBe(false);
    });
  }

  it('with no feasible measurement yet, the first pick is the most probably feasible candidate', () => {
    const { pool, measured } = constrainedProblem(3);
    // Shifted so that no measurement is feasible (c ≤ 0.3 holds nowhere in the training set).
    const allInfeasible = measured.filter((p) => p.values.c > 0.3);
    const p = proposeCampaignBatch({
      measured: allInfeasible,
      X_pool: pool,
      X_pending: [],
      q: 1,
      seed: 2,
      objectives: [{ property: 'y', direction: 'maximize' }],
      constraints: [{ property: 'c', max: 0.3, surrogate: { kind: 'gp' } }],
      surrogate: { kind: 'gp' },
      acquisition: { kind: 'ei' },
    });
    // PoF alone decides: the pick is the candidate most surely inside c ≤ 0.3 (true c far below).
    expect(p.feasibility?.[0]).toBeGreaterThan(0.99);
    expect(pool[p.indices[0]][0] + pool[p.indices[0]][1]).toBeLessThan(0.3);
  });

  it("stores each pick's objective and constraint predictions in the properties' own units", () => {
    const { pool, measured, c } = constrainedProblem(7);
    const p = proposeCampaignBatch({
      measured,
      X_pool: pool,
      X_pending: [],
      q: 5,
      seed: 11,
      objectives: [{ property: 'y', direction: 'minimize' }],
      constraints: [
        { property: 'c', max: 1, surrogate: { kind: 'gp' } },
        { property: 'never_measured', min: 0, surrogate: { kind: 'gp' } },
      ],
      surrogate: { kind: 'gp' },
      acquisition: { kind: 'ei' },
    });
    expect(Object.keys(p.predictions).sort()).toEqual(['c', 'never_measured', 'y']);
    // One objective: the proposal's own mean/std, turned back from the minimized orientation.
    expect(p.predictions.y.mean).toEqual(p.mean.map((m) => -m));
    expect(p.predictions.y.std).toEqual(p.std);
    // The constraint surrogate's prediction at each pick: c = x1 + x2 is linear, so a GP on 15
    // points gets it nearly right, with a small σ.
    p.indices.forEach((i, k) => {
      expect(Math.abs((p.predictions.c.mean[k] as number) - c(pool[i]))).toBeLessThan(0.05);
      expect(p.predictions.c.std[k]).toBeGreaterThan(0);
      expect(p.predictions.c.std[k]).toBeLessThan(0.1);
    });
    // No measurement of a property yet: no model of it, so no prediction.
    expect(p.predictions.never_measured).toEqual({ mean: Array(5).fill(null), std: Array(5).fill(null) });
  });

  it('isFeasible needs every constraint measured and within bounds', () => {
    const cs = [
      { property: 'c', max: 1, surrogate: { kind: 'gp' as const } },
      { property: 'd', min: 0, max: 2, surrogate: { kind: 'gp' as const } },
    ];
    expect(isFeasible({ c: 1, d: 0 }, cs)).toBe(true);
    expect(isFeasible({ c: 1.01, d: 0 }, cs)).toBe(false);
    expect(isFeasible({ c: 0, d: 2.5 }, cs)).toBe(false);
    expect(isFeasible({ c: 0 }, cs)).toBe(false);
  });
});

describe('proposeCampaignBatch: ParEGO', () => {
  const rng = createRng(21);
  const X = Array.from({ length: 150 }, () => [rng.next(), rng.next(), rng.next()]);
  const f1 = (x: number[]) => -((x[0] - 0.2) ** 2) - (x[1] - 0.8) ** 2;
  const f2 = (x: number[]) => (x[0] - 0.8) ** 2 + (x[1] - 0.2) ** 2 + 0.1 * x[2]; // minimized
  const measured = X.slice(0, 25).map((x) => ({ x, values: { a: f1(x), b: f2(x) } }));
  const input = {
    measured,
    X_pool: X.slice(25),
    X_pending: X.slice(25, 27),
    q: 4,
    objectives: [
      { property: 'a', direction: 'maximize' as const },
      { property: 'b', direction: 'minimize' as const },
    ],
    constraints: [],
    surrogate: { kind: 'gp' as const },
    acquisition: { kind: 'ei' as const },
  };

  /** The batch one GP of the augmented-Chebyshev scalar of the oriented objectives `Y` proposes. */
  const scalarProposal = (Y: number[][], weights: number[], seed: number) =>
    proposeBatch({
      X_train: measured.map((p) => p.x),
      y_train: parEgoScalarize(Y, weights),
      X_pool: input.X_pool,
      X_pending: input.X_pending,
      q: 4,
      surrogate: { kind: 'gp' },
      acquisition: { kind: 'ei' },
      seed,
    });

  it('is deterministic for a seed: the same weights and the same batch', () => {
    const first = proposeCampaignBatch({ ...input, seed: 42 });
    const again = proposeCampaignBatch({ ...input, seed: 42 });
    expect(again.indices).toEqual(first.indices);
    expect(again.weights).toEqual(first.weights);
    expect(first.scalarized).toBe(true);
    // The weights come from their own stream of the seed and lie on the simplex.
    expect(first.weights).toEqual(sampleSimplexWeights(2, createRng((42 ^ 0x9e3779b9) >>> 0)));
    expect(parEgoWeights(2, 43)).not.toEqual(first.weights);
  });

  it('fits one surrogate to the augmented-Chebyshev scalar of the oriented objectives', () => {
    const seed = 42;
    const w = parEgoWeights(2, seed);
    const direct = scalarProposal(
      measured.map((p) => [p.values.a, -p.values.b]),
      w,
      seed,
    );
    expect(proposeCampaignBatch({ ...input, seed }).indices).toEqual(direct.indices);
  });

  it("predicts every objective at each pick with a model of its own, in the objective's units", () => {
    // The scalar's mean/std say nothing about a or b; each objective's own surrogate does.
    const partial = [...measured, { x: X[30], values: { a: f1(X[30]) } }];
    const p = proposeCampaignBatch({ ...input, measured: partial, seed: 42 });
    expect(Object.keys(p.predictions).sort()).toEqual(['a', 'b']);
    p.indices.forEach((i, k) => {
      const x = input.X_pool[i];
      // b is minimized: predicted as measured (positive), not negated as the oriented scalar is.
      expect(Math.abs((p.predictions.a.mean[k] as number) - f1(x))).toBeLessThan(0.05);
      expect(Math.abs((p.predictions.b.mean[k] as number) - f2(x))).toBeLessThan(0.05);
      expect(p.predictions.a.std[k]).toBeGreaterThan(0);
      expect(p.predictions.b.std[k]).toBeGreaterThan(0);
    });
    expect(p.predictions.a.mean).not.toEqual(p.mean);
    // a's model also learns from the measurement that lacks b (the scalar cannot use it).
    expect(p.train_size).toBe(25);
    const without = proposeCampaignBatch({ ...input, seed: 42 });
    expect(without.indices).toEqual(p.indices);
    expect(without.predictions.a.mean).not.toEqual(p.predictions.a.mean);
    expect(without.predictions.b.mean).toEqual(p.predictions.b.mean);
  });

  it('takes a third objective: the scalar of all three, and a prediction of each', () => {
    const f3 = (x: number[]) => x[2] - x[0]; // maximized
    const three = {
      ...input,
      measured: measured.map((p) => ({ x: p.x, values: { ...p.values, c: f3(p.x) } })),
      objectives: [...input.objectives, { property: 'c', direction: 'maximize' as const }],
    };
    const seed = 7;
    const w = parEgoWeights(3, seed);
    expect(w).toHaveLength(3);
    const direct = scalarProposal(
      measured.map((p) => [p.values.a, -p.values.b, f3(p.x)]),
      w,
      seed,
    );
    const p = proposeCampaignBatch({ ...three, seed });
    expect(p.weights).toEqual(w);
    expect(p.indices).toEqual(direct.indices);
    expect(Object.keys(p.predictions).sort()).toEqual(['a', 'b', 'c']);
    p.indices.forEach((i, k) => {
      expect(Math.abs((p.predictions.c.mean[k] as number) - f3(input.X_pool[i]))).toBeLessThan(0.05);
    });
  });

  it('learns only from measurements that have every objective', () => {
    const partial = [...measured, { x: X[30], values: { a: 1 } }];
    expect(proposeCampaignBatch({ ...input, measured: partial, seed: 1 }).train_size).toBe(25);
    expect(() =>
      proposeCampaignBatch({ ...input, measured: [{ x: X[0], values: { a: 1 } }], seed: 1 }),
    ).toThrow(/no measurement has every objective/);
  });
});

describe('exclude_elements', () => {
  const ids = ['a', 'b', 'c', 'd'];
  const formulas = ['Li10GeP2S12', 'Li6PS5Cl', 'Li7La3Zr2O12', 'Li3.25Ge0.25P0.75S4'];

  it('allows exactly the formulas without the excluded elements', () => {
    expect([...allowedRows(formulas, ids, new Set(['Ge']))]).toEqual([1, 2]);
    expect(excludedElementsOf(formulas, ids, new Set(['Ge', 'La']))).toEqual([['Ge'], [], ['La'], ['Ge']]);
  });

  it('refuses to judge a candidate without a readable formula, naming it', () => {
    expect(() => allowedRows(['Li6PS5Cl', null], ['a', 'b'], new Set(['Ge']))).toThrow(
      /candidate b has no formula/,
    );
    expect(() => allowedRows(['Li6PS5Xx'], ['a'], new Set(['Ge']))).toThrow(/candidate a/);
  });
});
