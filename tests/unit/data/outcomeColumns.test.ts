import { parseCsvPool } from '../../../data/csvPool';
import { simulateMeasurement } from '../../../lab/simulatedLab';
import { ExperimentRequest, LabResult, parseOrThrow } from '../../../schemas';

const csv = 'id,formula,x1,x2,y,z,c\na,Li6PS5Cl,0.1,0.2,1,5,0.3\nb,Li10GeP2S12,0.4,0.5,2,6,0.9\n';

describe('CSV pools with formulas and further property columns', () => {
  it('keeps formulas and hidden properties, and never makes a property column a feature', () => {
    const pool = parseCsvPool(csv, {
      idColumn: 'id',
      targetColumn: 'y',
      formulaColumn: 'formula',
      propertyColumns: { z_meV: 'z', c: 'c' },
    });
    expect(pool.featureNames).toEqual(['x1', 'x2']);
    expect(pool.rows[1]).toEqual({
      candidateId: 'b',
      formula: 'Li10GeP2S12',
      features: [0.4, 0.5],
      label: 2,
      properties: { z_meV: 6, c: 0.9 },
    });
  });

  it('names the line and column of a bad formula or property value, and a missing column', () => {
    const bad = csv.replace('Li6PS5Cl', 'Li6Qq').replace('6,0.9', 'n/a,0.9');
    const opts = { idColumn: 'id', targetColumn: 'y', formulaColumn: 'formula', propertyColumns: { z: 'z' } };
    expect(() => parseCsvPool(bad, opts)).toThrow(/line 2, column "formula": .*Qq/);
    expect(() => parseCsvPool(bad, opts)).toThrow(/line 3, column "z": "n\/a" is not a finite number/);
    expect(() => parseCsvPool(csv, { ...opts, propertyColumns: { w: 'w' } })).toThrow(/column "w" not found/);
    expect(() => parseCsvPool(csv, { ...opts, featureColumns: ['x1', 'z'] })).toThrow(
      /hidden label column\(s\) z named as features/,
    );
  });
});

describe('simulated lab with several properties', () => {
  const request = (properties?: string[], noise = 0): ExperimentRequest => ({
    experiment_id: 'e1',
    campaign_id: 'c',
    pool_id: 'p',
    candidate_id: 'x',
    iteration: 1,
    property: 'y',
    ...(properties ? { properties } : {}),
    lab: { kind: 'simulated', delay_ms: 0, noise_std: noise, failure_rate: 0, seed: 3 },
  });
  const now = new Date('2026-11-27T12:00:00Z');

  it('answers every requested property, as a valid lab result', () => {
    const r = simulateMeasurement(request(['y', 'z', 'c']), 1, now, { z: 5, c: 0.3, other: 9 });
    expect(parseOrThrow(LabResult, r, 'lab result')).toEqual(r);
    expect(r).toMatchObject({ value: 1, values: { z: 5, c: 0.3 } });
  });

  it('draws the primary value as a single-property request would (further noise comes after)', () => {
    const single = simulateMeasurement(request(undefined, 0.2), 1, now);
    const multi = simulateMeasurement(request(['y', 'z'], 0.2), 1, now, { z: 5 });
    expect(multi.value).toBe(single.value);
    expect(multi.values?.z).not.toBe(5);
    expect(single.values).toBeUndefined();
  });

  it('refuses to invent a property it has no hidden value for', () => {
    expect(() => simulateMeasurement(request(['y', 'z']), 1, now, {})).toThrow(/no hidden value of "z"/);
  });
});
