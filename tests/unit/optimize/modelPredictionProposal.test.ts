import { fitColumnScaling } from '../../../models/standardize';
import { fitConstraintModels, parEgoWeights, type MeasuredPoint } from '../../../optimize/campaignProposal';
import { proposeFromModelPredictions } from '../../../optimize/modelPredictionProposal';
import { EnsembleBelief } from '../../../optimize/ensembleBelief';
import { parEgoSampledAcquisition } from '../../../optimize/parego';
import { selectFromPrediction, topScores } from '../../../optimize/predictionBatch';
import { createRng } from '../../../optimize/rng';

// Predictions of 40 candidates as two trained models (y maximized, z minimized) would give them,
// 12 measured candidates, and a constraint c = x0 + x1 ≤ 1 a feature GP learns.
const rng = createRng(5);
const X = Array.from({ length: 52 }, () => [rng.next(), rng.next()]);
const y = (x: number[]) => -((x[0] - 0.7) ** 2) - (x[1] - 0.2) ** 2;
const z = (x: number[]) => (x[0] - 0.3) ** 2 + (x[1] - 0.5) ** 2;
const c = (x: number[]) => x[0] + x[1];
const measured: MeasuredPoint[] = X.slice(0, 12).map((x) => ({ x, values: { y: y(x), z: z(x), c: c(x) } }));
const pool = X.slice(12);
const model = (f: (x: number[]) => number, noise: number) => ({
  mean: Float64Array.from(pool, (x) => f(x) + noise * Math.sin(7 * x[0])),
  std: Float64Array.from(pool, (x) => 0.05 + 0.1 * x[1]),
});
const yPred = model(y, 0.01);
const zPred = model(z, 0.02);
const base = {
  X_pool: pool,
  measured,
  q: 4,
  seed: 77,
  acquisition: { kind: 'ei' as const },
  context: { inputScaling: fitColumnScaling(X) },
};
const maximizeY = { property: 'y', direction: 'maximize' as const };
const minimizeZ = { property: 'z', direction: 'minimize' as const };

describe('proposeFromModelPredictions', () => {
  it("one objective: the acquisition's q best, as selectFromPrediction picks them", () => {
    const p = proposeFromModelPredictions({
      ...base,
      predictions: [yPred],
      objectives: [maximizeY],
      constraints: [],
    });
    const direct = selectFromPrediction(
      yPred,
      4,
      { kind: 'ei' },
      Math.max(...measured.map((m) => m.values.y)),
      createRng((77 ^ 0x5bd1e995) >>> 0),
    );
    expect(p.indices).toEqual(direct.indices);
    expect(p.weights).toBeUndefined();
    expect(p.predictions.y.mean).toEqual(p.indices.map((i) => yPred.mean[i]));
  });

  // Members that disagree along x0: alike candidates (near in x0) share a pattern.
  const members = [-1.5, -0.5, 0.5, 1.5];
  const withMembers = (p: { mean: Float64Array; std: Float64Array }) => ({
    ...p,
    deviations: members.map((w) => Float64Array.from(pool, (x) => 0.04 * w * Math.cos(4 * x[0]))),
  });

  it('one objective with its members kept: a Kriging-believer batch, pending experiments fantasized first', () => {
    const joint = withMembers(yPred);
    const pending = {
      mean: Float64Array.of(0),
      std: Float64Array.of(0.2),
      deviations: members.map((w) => Float64Array.of(0.04 * w)),
    };
    const p = proposeFromModelPredictions({
      ...base,
      predictions: [joint],
      pending: [pending],
      objectives: [maximizeY],
      constraints: [],
    });
    const belief = new EnsembleBelief(joint);
    belief.fantasizeOther(
      members.map((w) => 0.04 * w),
      0.2,
    );
    const direct = selectFromPrediction(
      yPred,
      4,
      { kind: 'ei' },
      Math.max(...measured.map((m) => m.values.y)),
      createRng((77 ^ 0x5bd1e995) >>> 0),
      undefined,
      belief,
    );
    expect(p.batchRule).toBe('believer');
    expect(p.indices).toEqual(direct.indices);
    expect(p.scores).toEqual(direct.scores);
    const plain = proposeFromModelPredictions({
      ...base,
      predictions: [yPred],
      objectives: [maximizeY],
      constraints: [],
    });
    expect(plain.batchRule).toBe('top_q');
    expect(p.indices).not.toEqual(plain.indices);
  });

  it('Thompson with members kept: q joint draws from the belief, distinct picks', () => {
    const p = proposeFromModelPredictions({
      ...base,
      acquisition: { kind: 'thompson' },
      predictions: [withMembers(yPred)],
      objectives: [maximizeY],
      constraints: [],
    });
    expect(p.batchRule).toBe('joint_thompson');
    expect(new Set(p.indices).size).toBe(4);
    const belief = new EnsembleBelief(withMembers(yPred));
    const rng = createRng((77 ^ 0x5bd1e995) >>> 0);
    const first = belief.sample(rng);
    expect(p.indices[0]).toBe(topScores(first, 1)[0]);
    expect(p.scores[0]).toBe(first[p.indices[0]]);
  });

  it('two objectives with members kept: each pick is fantasized in both beliefs before the next is scored', () => {
    const p = proposeFromModelPredictions({
      ...base,
      predictions: [withMembers(yPred), withMembers(zPred)],
      objectives: [maximizeY, minimizeZ],
      constraints: [],
    });
    const weights = parEgoWeights(2, 77);
    const beliefs = [new EnsembleBelief(withMembers(yPred)), new EnsembleBelief(withMembers(zPred))];
    const rng = createRng((77 ^ 0x5bd1e995) >>> 0);
    const picks: number[] = [];
    for (let k = 0; k < 4; k++) {
      const { scores } = parEgoSampledAcquisition(
        [
          { mean: yPred.mean, std: beliefs[0].std() },
          { mean: zPred.mean.map((v) => -v), std: beliefs[1].std() },
        ],
        measured.map((m) => [m.values.y, -m.values.z]),
        weights,
        'ei',
        rng,
      );
      const best = topScores(scores, 40).find((i) => !picks.includes(i)) as number;
      picks.push(best);
      beliefs.forEach((b) => b.fantasize(best));
    }
    expect(p.batchRule).toBe('believer');
    expect(p.indices).toEqual(picks);
    // The first pick is the plain ParEGO batch's first (same draws, nothing fantasized yet).
    const plain = proposeFromModelPredictions({
      ...base,
      predictions: [yPred, zPred],
      objectives: [maximizeY, minimizeZ],
      constraints: [],
    });
    expect(plain.batchRule).toBe('top_q');
    expect(p.indices[0]).toBe(plain.indices[0]);
  });

  it("two objectives: ParEGO on sampled scalarizations with the iteration's weights; predictions in own units", () => {
    const p = proposeFromModelPredictions({
      ...base,
      predictions: [yPred, zPred],
      objectives: [maximizeY, minimizeZ],
      constraints: [],
    });
    const weights = parEgoWeights(2, 77);
    expect(p.weights).toEqual(weights);
    const { scores } = parEgoSampledAcquisition(
      [yPred, { mean: zPred.mean.map((v) => -v), std: zPred.std }],
      measured.map((m) => [m.values.y, -m.values.z]),
      weights,
      'ei',
      createRng((77 ^ 0x5bd1e995) >>> 0),
    );
    expect(p.indices).toEqual(topScores(scores, 4));
    // z is minimized: stored as the model predicted it, not negated.
    expect(p.predictions.z.mean).toEqual(p.indices.map((i) => zPred.mean[i]));
    expect(p.train_size).toBe(12);
  });

  it('weights by the feasibility of a constraint model fitted on the feature rows', () => {
    const constraints = [{ property: 'c', max: 1, surrogate: { kind: 'gp' as const } }];
    const p = proposeFromModelPredictions({
      ...base,
      predictions: [yPred, zPred],
      objectives: [maximizeY, minimizeZ],
      constraints,
    });
    const fitted = fitConstraintModels(measured, pool, constraints, 77, base.context);
    p.indices.forEach((i, k) =>
      expect(p.feasibility?.[k]).toBeCloseTo(Math.exp(fitted?.logPof[i] as number), 12),
    );
    expect(p.predictions.c.mean).toEqual(p.indices.map((i) => fitted?.predictions.get('c')?.mean[i]));
    // The picks avoid candidates the constraint model thinks infeasible.
    expect(Math.min(...(p.feasibility ?? []))).toBeGreaterThan(0.5);
  });

  it('refuses mismatched predictions and an acquisition ParEGO cannot sample', () => {
    expect(() =>
      proposeFromModelPredictions({
        ...base,
        predictions: [yPred],
        objectives: [maximizeY, minimizeZ],
        constraints: [],
      }),
    ).toThrow(/1 predictions for 2 objectives/);
    expect(() =>
      proposeFromModelPredictions({
        ...base,
        acquisition: { kind: 'ucb' },
        predictions: [yPred, zPred],
        objectives: [maximizeY, minimizeZ],
        constraints: [],
      }),
    ).toThrow(/needs ei, log_ei, pi or greedy, not ucb/);
  });
});
