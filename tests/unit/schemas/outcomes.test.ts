import { ELEMENTS } from '../../../materials/elements';
import {
  CampaignSpec,
  ELEMENT_SYMBOLS,
  LabResult,
  ValidationError,
  parseOrThrow,
  requiredProperties,
} from '../../../schemas';
import { csvSpec } from '../../helpers/specs';

const source = {
  kind: 'csv',
  path: 'pool.csv',
  id_column: 'id',
  target_column: 'y',
  formula_column: 'formula',
  property_columns: { z: 'z', c: 'c' },
};
/** Two objectives (y max, z min), one outcome constraint (c ≤ 1), no germanium. */
const good = () =>
  csvSpec('pool.csv', {
    source,
    multi_objective: { method: 'parego', additional_objectives: [{ property: 'z', direction: 'minimize' }] },
    constraints: [
      { kind: 'exclude_elements', elements: ['Ge'] },
      { kind: 'outcome', property: 'c', max: 1 },
    ],
  } as never);

const messageOf = (spec: unknown) => {
  try {
    parseOrThrow(CampaignSpec, spec, 'campaign spec');
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  throw new Error('spec was accepted');
};

describe('CampaignSpec objectives and constraints', () => {
  it('accepts two objectives with an outcome and a composition constraint', () => {
    const spec = parseOrThrow(CampaignSpec, good(), 'campaign spec');
    expect(spec.multi_objective?.rho).toBe(0.05);
    expect(requiredProperties(spec)).toEqual(['y', 'z', 'c']);
    expect(requiredProperties(parseOrThrow(CampaignSpec, csvSpec('p.csv'), 'spec'))).toEqual(['y']);
  });

  it('accepts up to four objectives, each needing its hidden column for the simulated lab', () => {
    const four = {
      ...good(),
      source: { ...source, property_columns: { z: 'z', c: 'c', w: 'w', v: 'v' } },
      multi_objective: {
        method: 'parego',
        additional_objectives: [
          { property: 'z', direction: 'minimize' },
          { property: 'w', direction: 'maximize' },
          { property: 'v', direction: 'minimize' },
        ],
      },
    };
    expect(requiredProperties(parseOrThrow(CampaignSpec, four, 'campaign spec'))).toEqual([
      'y',
      'z',
      'w',
      'v',
      'c',
    ]);
    const missing = messageOf({ ...four, source });
    expect(missing).toContain('the simulated lab needs a hidden column for property "w"');
    expect(missing).toContain('the simulated lab needs a hidden column for property "v"');
  });

  it('accepts a cgcnn campaign with two objectives and an outcome constraint', () => {
    const spec = parseOrThrow(CampaignSpec, { ...good(), surrogate: { kind: 'cgcnn' } }, 'campaign spec');
    expect(spec.multi_objective?.additional_objectives).toEqual([{ property: 'z', direction: 'minimize' }]);
  });

  it('accepts a cgcnn objective with an outcome constraint (modelled on features)', () => {
    const { multi_objective: _none, ...single } = good();
    const spec = parseOrThrow(CampaignSpec, { ...single, surrogate: { kind: 'cgcnn' } }, 'campaign spec');
    expect(spec.constraints?.find((c) => c.kind === 'outcome')).toMatchObject({ property: 'c', max: 1 });
  });

  const withConstraints = (constraints: unknown[]) => ({ ...good(), constraints });
  it.each([
    [
      'a constraint on the objective property',
      withConstraints([{ kind: 'outcome', property: 'y', max: 1 }]),
      'constraints[0].property: property "y" is already used by objective.property',
    ],
    [
      'a constraint on the second objective',
      withConstraints([{ kind: 'outcome', property: 'z', min: 0 }]),
      'constraints[0].property: property "z" is already used by multi_objective.additional_objectives[0].property',
    ],
    [
      'two constraints on one property',
      withConstraints([
        { kind: 'outcome', property: 'c', max: 1 },
        { kind: 'outcome', property: 'c', min: 0 },
      ]),
      'constraints[1].property: property "c" is already used by constraints[0].property',
    ],
    [
      'a second objective equal to the first',
      {
        ...good(),
        multi_objective: {
          method: 'parego',
          additional_objectives: [{ property: 'y', direction: 'minimize' }],
        },
      },
      'multi_objective.additional_objectives[0].property: property "y" is already used by objective.property',
    ],
    [
      'min > max',
      withConstraints([{ kind: 'outcome', property: 'c', min: 2, max: 1 }]),
      'constraints[0].min: min 2 is greater than max 1',
    ],
    [
      'no bound',
      withConstraints([{ kind: 'outcome', property: 'c' }]),
      'constraints[0]: an outcome constraint needs min, max or both',
    ],
    [
      'an unknown element symbol',
      withConstraints([{ kind: 'exclude_elements', elements: ['Ge', 'Xx'] }]),
      'constraints[0].elements[1]: unknown element symbol "Xx"',
    ],
    [
      'a lower-case symbol',
      withConstraints([{ kind: 'exclude_elements', elements: ['ge'] }]),
      'constraints[0].elements[0]',
    ],
    ['an unknown constraint kind', withConstraints([{ kind: 'price', max: 3 }]), 'constraints[0].kind'],
    [
      'a constraint with UCB (scores can be negative)',
      { ...good(), acquisition: { kind: 'ucb', batch_size: 3 } },
      'acquisition.kind: outcome constraints weight the acquisition',
    ],
    [
      'a cgcnn constraint surrogate',
      withConstraints([{ kind: 'outcome', property: 'c', max: 1, surrogate: { kind: 'cgcnn' } }]),
      'constraints[0].surrogate.kind',
    ],
    [
      'a reference point of the wrong length',
      { ...good(), multi_objective: { ...good().multi_objective, reference_point: [1, 2, 3] } },
      'multi_objective.reference_point: needs one value per objective (2, primary first), got 3',
    ],
    [
      'a cgcnn campaign with two objectives and UCB',
      {
        ...good(),
        constraints: [],
        surrogate: { kind: 'cgcnn' },
        acquisition: { kind: 'ucb', batch_size: 3 },
      },
      'acquisition.kind: multi_objective with the cgcnn surrogate needs ei, log_ei, pi, greedy (got ucb)',
    ],
    [
      'exclude_elements on a CSV without formulas',
      { ...good(), source: { ...source, formula_column: undefined } },
      'source.formula_column',
    ],
    [
      'a property the simulated lab has no hidden column for',
      { ...good(), source: { ...source, property_columns: { z: 'z' } } },
      'source.property_columns: the simulated lab needs a hidden column for property "c"',
    ],
    [
      'the primary objective as a property column',
      { ...good(), source: { ...source, property_columns: { z: 'z', c: 'c', y: 'y2' } } },
      'source.property_columns.y',
    ],
    [
      'further properties from OBELiX with the simulated lab',
      { ...good(), source: { kind: 'obelix' } },
      'source.kind: the simulated lab on OBELiX measures only its conductivity, not z, c',
    ],
    [
      'five objectives',
      {
        ...good(),
        multi_objective: {
          method: 'parego',
          additional_objectives: ['z', 'w', 'v', 'u'].map((property) => ({
            property,
            direction: 'minimize',
          })),
        },
      },
      'multi_objective.additional_objectives: ParEGO takes at most 4 objectives in all (3 besides `objective`)',
    ],
    [
      'a target on an additional objective',
      {
        ...good(),
        multi_objective: {
          method: 'parego',
          additional_objectives: [{ property: 'z', direction: 'minimize', target: 1 }],
        },
      },
      'multi_objective.additional_objectives[0]',
    ],
    [
      'an unknown multi-objective method',
      { ...good(), multi_objective: { method: 'nsga2', additional_objectives: [] } },
      'multi_objective.method',
    ],
  ])('refuses %s, naming the field', (_what, spec, expected) => {
    expect(messageOf(spec)).toContain(expected);
  });

  it('a remote lab needs no hidden columns', () => {
    const spec = {
      ...good(),
      source: { ...source, property_columns: undefined },
      lab: { kind: 'remote', lab_id: 'robot-1' },
    };
    expect(() => parseOrThrow(CampaignSpec, spec, 'campaign spec')).not.toThrow();
  });

  it("the element list equals materials/ table's symbols", () => {
    expect(ELEMENT_SYMBOLS).toEqual(ELEMENTS.map((e) => e.symbol));
  });
});

describe('LabResult values', () => {
  const base = {
    experiment_id: 'e1',
    candidate_id: 'c1',
    property: 'y',
    status: 'succeeded',
    value: 1,
    lab_id: 'robot-1',
    measured_at: '2026-11-27T10:00:00Z',
  };
  const message = (r: unknown) => {
    try {
      parseOrThrow(LabResult, r, 'lab result');
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  it('accepts further properties by name', () => {
    expect(parseOrThrow(LabResult, { ...base, values: { z: 2, c: 0.5 } }, 'lab result').values).toEqual({
      z: 2,
      c: 0.5,
    });
  });
  it.each([
    [
      'the primary property in values',
      { ...base, values: { y: 1 } },
      'values.y: "y" is the primary property',
    ],
    ['a non-finite value', { ...base, values: { z: 'x' } }, 'values.z'],
    ['a key that is not a property name', { ...base, values: { $gt: 1 } }, 'values.$gt'],
    [
      'values on a failure',
      { ...base, status: 'failed', value: undefined, failure_reason: 'x', values: { z: 1 } },
      'values: a failed result carries no values',
    ],
  ])('refuses %s', (_what, r, expected) => {
    expect(message(r)).toContain(expected);
  });
});
