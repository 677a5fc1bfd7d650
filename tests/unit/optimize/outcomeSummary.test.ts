import { summarizeOutcomes } from '../../../optimize/outcomeSummary';
import { CampaignSpec, Measurement, parseOrThrow } from '../../../schemas';
import { csvSpec } from '../../helpers/specs';

const spec = parseOrThrow(
  CampaignSpec,
  csvSpec('pool.csv', {
    source: {
      kind: 'csv',
      path: 'pool.csv',
      id_column: 'id',
      target_column: 'y',
      formula_column: 'f',
      property_columns: { z: 'z', c: 'c' },
    },
    multi_objective: { method: 'parego', additional_objectives: [{ property: 'z', direction: 'minimize' }] },
    constraints: [
      { kind: 'outcome', property: 'c', max: 1 },
      { kind: 'exclude_elements', elements: ['Ge'] },
    ],
  } as never),
  'spec',
);

const m = (id: string, y: number | null, values?: Record<string, number>): Measurement => ({
  experiment_id: `e-${id}`,
  campaign_id: 'k',
  candidate_id: id,
  iteration: 1,
  property: 'y',
  status: y === null ? 'failed' : 'succeeded',
  value: y,
  ...(values ? { values } : {}),
  uncertainty: null,
  lab_id: 'simulated-lab',
  measured_at: '2026-11-27T10:00:00Z',
  recorded_at: '2026-11-27T10:00:01Z',
});

describe('summarizeOutcomes', () => {
  it('reports the feasible Pareto front (y max, z min) and constraint counts', () => {
    const s = summarizeOutcomes(spec, [
      m('a', 3, { z: 3, c: 0.5 }), // front
      m('b', 2, { z: 1, c: 0.9 }), // front
      m('c', 2, { z: 2, c: 0.1 }), // dominated by b
      m('d', 9, { z: 0, c: 1.5 }), // would dominate all, but infeasible
      m('e', 1, { z: 0.5, c: 1 }), // front (c = max is feasible)
      m('f', null), // failed: not counted
      m('g', 5, { c: 0.2 }), // second objective missing: not on the front
    ]);
    expect(s?.pareto_front.map((p) => p.candidate_id)).toEqual(['a', 'b', 'e']);
    expect(s?.pareto_front[0]).toEqual({
      candidate_id: 'a',
      experiment_id: 'e-a',
      values: { y: 3, z: 3, c: 0.5 },
      feasible: true,
    });
    expect(s).toMatchObject({
      measured: 5,
      feasible: 4,
      excluded_elements: ['Ge'],
      constraints: [{ property: 'c', min: null, max: 1, measured: 6, satisfied: 5 }],
    });
  });

  it('is null for a plain single-objective spec', () => {
    expect(summarizeOutcomes(parseOrThrow(CampaignSpec, csvSpec('p.csv'), 'spec'), [m('a', 1)])).toBeNull();
  });

  it("reports the feasible front's hypervolume above an inferred or the spec's reference point", () => {
    const measured = [
      m('a', 3, { z: 3, c: 0.5 }),
      m('b', 2, { z: 1, c: 0.9 }),
      m('d', 9, { z: 0, c: 1.5 }), // infeasible: not in the volume
      m('e', 1, { z: 0.5, c: 1 }),
    ];
    // Oriented front (y, −z): (3, −3), (2, −1), (1, −0.5). BoTorch's inferred reference: nadir
    // (1, −3) minus 10 % of the range (2, 2.5) = (0.8, −3.25), i.e. y 0.8, z 3.25. By hand:
    // 1·0.25 + 1·2.25 + 0.2·2.75 = 3.05.
    const inferred = summarizeOutcomes(spec, measured)?.hypervolume;
    expect(inferred?.reference).toBe('inferred');
    expect(inferred?.reference_point[0]).toBeCloseTo(0.8, 12);
    expect(inferred?.reference_point[1]).toBeCloseTo(3.25, 12);
    expect(inferred?.value).toBeCloseTo(3.05, 12);
    // The spec's point (y 0, z 4): 1·1 + 1·3 + 1·3.5 = 7.5.
    const fixed = parseOrThrow(
      CampaignSpec,
      { ...spec, multi_objective: { ...spec.multi_objective, reference_point: [0, 4] } },
      'spec',
    );
    expect(summarizeOutcomes(fixed, measured)?.hypervolume).toEqual({
      value: 7.5,
      reference_point: [0, 4],
      reference: 'spec',
    });
    // Nothing feasible yet: no volume.
    expect(summarizeOutcomes(spec, [m('d', 9, { z: 0, c: 1.5 })])?.hypervolume).toBeNull();
  });
});
