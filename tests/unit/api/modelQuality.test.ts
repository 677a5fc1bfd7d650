import { modelQualityByProperty, summarizeModelQuality } from '../../../api/modelQuality';
import { CampaignSpec, type Measurement } from '../../../schemas';
import type { BatchDoc } from '../../../store/batches';
import { csvSpec } from '../../helpers/specs';

const batch = (iteration: number, ids: string[], over: Partial<BatchDoc> = {}): BatchDoc => ({
  _id: `c/iter-${iteration}`,
  campaign_id: 'c',
  iteration,
  candidate_ids: ids,
  scores: ids.map(() => null),
  predicted_mean: ids.map(() => null),
  predicted_std: ids.map(() => null),
  method: 'random',
  train_size: 0,
  created_at: '2026-11-27T00:00:00Z',
  ...over,
});

const measurement = (
  candidate: string,
  iteration: number,
  value: number | null,
  over: Partial<Measurement> = {},
): Measurement => ({
  experiment_id: `e-${candidate}`,
  campaign_id: 'c',
  candidate_id: candidate,
  iteration,
  property: 'y',
  status: value === null ? 'failed' : 'succeeded',
  value,
  uncertainty: null,
  lab_id: 'sim',
  measured_at: '2026-11-27T00:00:00Z',
  recorded_at: '2026-11-27T00:00:00Z',
  ...over,
});

describe('model quality of a plain campaign', () => {
  const spec = CampaignSpec.parse(csvSpec('/nowhere.csv'));
  // Seeds (iteration 0) have no prediction; iteration 1 predicted a, b, c, d at 1 ± 1 each.
  const batches = [
    batch(0, ['s1', 's2']),
    batch(1, ['a', 'b', 'c', 'd', 'f'], {
      predicted_mean: [1, 1, 1, 1, 1],
      predicted_std: [1, 1, 1, 1, 1],
    }),
  ];
  const measurements = [
    measurement('s1', 0, 5),
    measurement('a', 1, 1.5), // |e| 0.5: inside ±σ
    measurement('b', 1, -0.5), // 1.5: inside ±1.96σ only
    measurement('c', 1, 4), // 3: outside both
    measurement('d', 1, 1.8, { uncertainty: Math.sqrt(3) }), // 0.8 / √(1 + 3) = 0.4: inside ±σ
    measurement('f', 1, null), // failed: not a point
  ];

  it('pairs each measurement with the prediction made when its candidate was picked', () => {
    const [y] = modelQualityByProperty(spec, measurements, batches);
    expect(y.property).toBe('y');
    expect(y.parity.map((p) => [p.candidate_id, p.predicted, p.measured])).toEqual([
      ['a', 1, 1.5],
      ['b', 1, -0.5],
      ['c', 1, 4],
      ['d', 1, 1.8],
    ]);
    expect(y.calibration.n).toBe(4);
  });

  it('summarizes MAE, RMSE and interval coverage with the lab uncertainty folded into σ', () => {
    const s = summarizeModelQuality(modelQualityByProperty(spec, measurements, batches)[0]);
    // Errors 0.5, 1.5, 3, 0.8 (worked by hand): MAE 5.8/4, RMSE √(12.14/4).
    expect(s).toEqual({
      property: 'y',
      role: 'objective',
      n: 4,
      mae: 1.45,
      rmse: Math.round(Math.sqrt(12.14 / 4) * 1e4) / 1e4,
      coverage_68: 0.5,
      coverage_95: 0.75,
      mean_std: 1,
    });
  });

  it('reports n 0 and nulls before any prediction was measured', () => {
    const s = summarizeModelQuality(modelQualityByProperty(spec, [measurement('s1', 0, 5)], batches)[0]);
    expect(s).toEqual({
      property: 'y',
      role: 'objective',
      n: 0,
      mae: null,
      rmse: null,
      coverage_68: null,
      coverage_95: null,
      mean_std: null,
    });
  });
});

describe('model quality of a constrained campaign', () => {
  it("scores a constraint property from the batch's per-property predictions, without the lab's σ", () => {
    const spec = CampaignSpec.parse(
      csvSpec('/nowhere.csv', {
        source: {
          kind: 'csv',
          path: '/nowhere.csv',
          id_column: 'id',
          target_column: 'y',
          property_columns: { c: 'c' },
        },
        constraints: [{ kind: 'outcome', property: 'c', max: 1 }],
      }),
    );
    const batches = [
      batch(1, ['a', 'b'], {
        predicted_mean: [0, 0],
        predicted_std: [1, 1],
        property_predictions: {
          y: { mean: [0, 0], std: [1, 1] },
          c: { mean: [2, null], std: [0.5, null] },
        },
      }),
    ];
    const measurements = [
      measurement('a', 1, 0.2, { values: { c: 2.4 }, uncertainty: 10 }),
      measurement('b', 1, 0.1, { values: { c: 7 } }),
    ];
    const [y, c] = modelQualityByProperty(spec, measurements, batches).map(summarizeModelQuality);
    expect(y).toMatchObject({ property: 'y', role: 'objective', n: 2, mae: 0.15 });
    // b had no model of c yet; a: |2.4 − 2| = 0.4 ≤ 0.5 (the lab's uncertainty is of y only).
    expect(c).toEqual({
      property: 'c',
      role: 'constraint',
      n: 1,
      mae: 0.4,
      rmse: 0.4,
      coverage_68: 1,
      coverage_95: 1,
      mean_std: 0.5,
    });
  });
});
