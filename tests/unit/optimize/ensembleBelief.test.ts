import fs from 'node:fs';
import path from 'node:path';
import type { EnsemblePrediction } from '../../../models/surrogate';
import { EnsembleBelief } from '../../../optimize/ensembleBelief';
import { selectFromPrediction } from '../../../optimize/predictionBatch';
import { createRng } from '../../../optimize/rng';
import { runPython } from '../../helpers/python';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/models/ensemble_belief_reference.py'),
  'utf8',
);

// A 4-member ensemble over 9 candidates. The members disagree in one pattern on 0–2 (alike
// crystals: the same members over- and under-predict them), in another on 3–5, and anyhow on
// 6–8. 0–2 have the best means. Candidates 5–7 have their own predicted variance too.
const rng = createRng(11);
const patterns = [
  [1, -1, 0.5, -0.5],
  [0.79, 0.79, -0.79, -0.79], // as large as the first and uncorrelated with it
];
const patternOf = (i: number) => (i < 3 ? patterns[0] : i < 6 ? patterns[1] : patterns.map(() => 0));
const deviations = [0, 1, 2, 3].map((k) =>
  Float64Array.from({ length: 9 }, (_, i) =>
    i < 6 ? 0.3 * patternOf(i)[k] + 0.02 * (rng.next() - 0.5) : 0.3 * (rng.next() - 0.5),
  ),
);
const spread = (i: number) => deviations.reduce((s, d) => s + d[i] ** 2, 0);
const own = [0, 0, 0, 0, 0, 0.01, 0.04, 0.05, 0];
const prediction: EnsemblePrediction = {
  mean: Float64Array.from([1.2, 1.19, 1.18, 1.17, 1.16, 1.15, 0.7, 0.6, 0.5]),
  std: Float64Array.from({ length: 9 }, (_, i) => Math.sqrt(spread(i) + own[i])),
  deviations,
};
// Two experiments still at the lab, one alike 3–5, the other unlike anything.
const pending = {
  deviations: [0, 1, 2, 3].map((k) => [0.3 * patterns[1][k], 0.1 * (k - 1.5)]),
  std: [0.5, 0.3],
};
const incumbent = 1.0;

function reference(shrinkage: number, withPending: boolean, q: number) {
  return runPython<{ picks: number[]; scores: number[]; stds: number[][]; cov_after_pending: number[][] }>(
    REFERENCE,
    {
      shrinkage,
      deviations: deviations.map((d) => Array.from(d)),
      std: Array.from(prediction.std),
      mean: Array.from(prediction.mean),
      pending_deviations: withPending ? pending.deviations : [],
      pending_std: withPending ? pending.std : [],
      incumbent,
      q,
    },
  );
}

function believerBatch(shrinkage: number, withPending: boolean, q: number) {
  const belief = new EnsembleBelief(prediction, shrinkage);
  if (withPending)
    pending.std.forEach((s, p) =>
      belief.fantasizeOther(
        pending.deviations.map((d) => d[p]),
        s,
      ),
    );
  const stds = [Array.from(belief.std())];
  const batch = selectFromPrediction(
    prediction,
    q,
    { kind: 'ei' },
    incumbent,
    createRng(1),
    undefined,
    belief,
  );
  return { batch, stds, after: Array.from(belief.std()) };
}

describe('EnsembleBelief (Kriging believer on a deep ensemble)', () => {
  it('before any fantasy gives the prediction its own std', () => {
    const belief = new EnsembleBelief(prediction);
    belief.std().forEach((s, i) => expect(s).toBeCloseTo(prediction.std[i], 14));
  });

  it.each([
    [0.5, true],
    [0.5, false],
    [0, true],
    [1, true],
  ])(
    'λ %s, pending %s: stds and EI picks equal numpy full-matrix Gaussian conditioning (Evensen 1994; Ginsbourger et al. 2010)',
    (shrinkage, withPending) => {
      const ref = reference(shrinkage, withPending, 4);
      const { batch, stds } = believerBatch(shrinkage, withPending, 4);
      stds[0].forEach((s, i) => expect(s).toBeCloseTo(ref.stds[0][i], 10));
      expect(batch.indices).toEqual(ref.picks);
      batch.scores.forEach((s, k) => expect(s).toBeCloseTo(ref.scores[k], 10));
      // The stored std of a pick is the prediction's own, not the fantasy-shrunk one.
      expect(batch.std).toEqual(batch.indices.map((i) => prediction.std[i]));
    },
  );

  it.each([0.5, 0])(
    'λ %s: joint Thompson draws have the mean and the covariance numpy conditions on the pending experiments',
    (shrinkage) => {
      const ref = reference(shrinkage, true, 1);
      const belief = new EnsembleBelief(prediction, shrinkage);
      pending.std.forEach((s, p) =>
        belief.fantasizeOther(
          pending.deviations.map((d) => d[p]),
          s,
        ),
      );
      const n = prediction.mean.length;
      const draws = 40_000;
      const sum = new Float64Array(n);
      const cross = new Float64Array(n * n);
      const draw = createRng(3);
      for (let t = 0; t < draws; t++) {
        const f = belief.sample(draw);
        for (let i = 0; i < n; i++) {
          const di = f[i] - prediction.mean[i];
          sum[i] += di;
          for (let j = 0; j < n; j++) cross[i * n + j] += di * (f[j] - prediction.mean[j]);
        }
      }
      // Standard errors at 40,000 draws: ~0.005 × σ for the mean, ~0.007 × σᵢσⱼ for a covariance.
      for (let i = 0; i < n; i++) {
        const si = Math.sqrt(ref.cov_after_pending[i][i]);
        expect(Math.abs(sum[i] / draws)).toBeLessThan(0.025 * si);
        for (let j = 0; j < n; j++) {
          const sj = Math.sqrt(ref.cov_after_pending[j][j]);
          expect(Math.abs(cross[i * n + j] / draws - ref.cov_after_pending[i][j])).toBeLessThan(
            0.035 * si * sj,
          );
        }
      }
    },
  );

  it('spreads the batch over crystals the ensemble judges unlike, where the q best EI take one cluster', () => {
    const topQ = selectFromPrediction(prediction, 3, { kind: 'ei' }, incumbent, createRng(1));
    expect(topQ.indices).toEqual([0, 1, 2]);
    const { batch } = believerBatch(0.5, false, 3);
    // After 0 is fantasized, 1 and 2 (its pattern) lose σ; 3 (the other pattern) keeps it.
    expect(batch.indices).toEqual([0, 3, 1]);
  });

  it('fantasies never lower a std below the independent share λ·e + a, and λ = 1 changes nothing', () => {
    const { after } = believerBatch(0.5, true, 4);
    after.forEach((s, i) => expect(s * s).toBeGreaterThanOrEqual(0.5 * spread(i) + own[i] - 1e-12));
    const independent = believerBatch(1, true, 4);
    independent.after.forEach((s, i) => expect(s).toBeCloseTo(prediction.std[i], 14));
  });

  it('refuses a wrong shape, one member or a shrinkage outside [0, 1], naming it', () => {
    expect(() => new EnsembleBelief({ ...prediction, deviations: [deviations[0]] })).toThrow(
      /2 or more members/,
    );
    expect(() => new EnsembleBelief(prediction, 1.5)).toThrow(/shrinkage must be in \[0, 1\]/);
    expect(
      () => new EnsembleBelief({ ...prediction, deviations: deviations.map((d) => d.subarray(1)) }),
    ).toThrow(/shape mismatch/);
    expect(() => new EnsembleBelief(prediction).fantasizeOther([0, 0], 1)).toThrow(
      /2 member deviations for a 4-member/,
    );
    const small = new EnsembleBelief({ ...prediction, mean: prediction.mean.subarray(0, 9) });
    expect(() =>
      selectFromPrediction(
        { mean: prediction.mean.subarray(0, 5), std: prediction.std.subarray(0, 5) },
        2,
        { kind: 'ei' },
        incumbent,
        createRng(1),
        undefined,
        small,
      ),
    ).toThrow(/belief over 9 candidates for a prediction of 5/);
  });
});
