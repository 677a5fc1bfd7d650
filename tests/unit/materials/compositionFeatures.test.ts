import * as fs from 'node:fs';
import * as path from 'node:path';
import { Composition } from '../../../materials/composition';
import {
  COMPOSITION_FEATURE_NAMES,
  COMPOSITION_FEATURE_PROPERTIES,
  compositionFeatureRecord,
  compositionFeatures,
  weightedStatistics,
} from '../../../materials/compositionFeatures';
import { getElement } from '../../../materials/elements';
import { runPython } from '../../helpers/python';
import { readObelixRows } from './obelix';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/materials/composition_features_reference.py'),
  'utf8',
);
const ELEMENTS_JSON = path.resolve(__dirname, '../../../materials/data/elements.json');

// pymatgen cannot read the hydrate '*' notation; the reference gets it as plain concatenation.
const pymatgenReadable = (formula: string): string => formula.replace(/\*/g, '');

const rows = readObelixRows();
const formulas = [...rows.map((r) => r['Reduced Composition']), 'HeLi2', 'He', 'Li7La3Zr2O12'];
const reference = runPython<Record<string, number | null>[]>(REFERENCE, {
  elements_json: ELEMENTS_JSON,
  properties: COMPOSITION_FEATURE_PROPERTIES,
  formulas: formulas.map(pymatgenReadable),
});

function expectClose(actual: number, expected: number | null, name: string, formula: string): void {
  if (expected === null) {
    expect({ formula, name, actual }).toEqual({ formula, name, actual: Number.NaN });
    return;
  }
  const tolerance = 1e-12 * Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${formula}: ${name} = ${actual}, numpy reference ${expected}`);
  }
}

describe('composition features', () => {
  it('names are unique MongoDB-safe keys matching the vector length', () => {
    expect(new Set(COMPOSITION_FEATURE_NAMES).size).toBe(COMPOSITION_FEATURE_NAMES.length);
    for (const name of COMPOSITION_FEATURE_NAMES) expect(name).toMatch(/^[a-z0-9_]+$/);
    expect(compositionFeatures(Composition.parse('Li3PS4'))).toHaveLength(COMPOSITION_FEATURE_NAMES.length);
  });

  it('match the numpy/pymatgen reference for every OBELiX composition and the null cases', () => {
    formulas.forEach((formula, i) => {
      const ours = compositionFeatures(Composition.parse(formula));
      const ref = reference[i];
      expect(Object.keys(ref).sort()).toEqual([...COMPOSITION_FEATURE_NAMES].sort());
      COMPOSITION_FEATURE_NAMES.forEach((name, j) => expectClose(ours[j], ref[name], name, formula));
    });
  });

  it('are finite for all 599 OBELiX compositions', () => {
    expect(rows).toHaveLength(599);
    for (const row of rows) {
      const vector = compositionFeatures(Composition.parse(row['Reduced Composition']));
      const bad = vector.flatMap((v, j) => (Number.isFinite(v) ? [] : [COMPOSITION_FEATURE_NAMES[j]]));
      expect({ id: row.ID, bad }).toEqual({ id: row.ID, bad: [] });
    }
  });

  it('hand-checkable case: Li2O', () => {
    // f(Li) = 2/3, f(O) = 1/3; Pauling electronegativities Li 0.98, O 3.44.
    const record = compositionFeatureRecord(Composition.parse('Li2O'));
    const mean = (2 / 3) * 0.98 + (1 / 3) * 3.44;
    expect(record.mean_electronegativity_pauling).toBeCloseTo(mean, 12);
    expect(record.range_electronegativity_pauling).toBeCloseTo(3.44 - 0.98, 12);
    expect(record.mad_electronegativity_pauling).toBeCloseTo(
      (2 / 3) * (mean - 0.98) + (1 / 3) * (3.44 - mean),
      12,
    );
    expect(record.li_fraction).toBeCloseTo(2 / 3, 15);
    expect(record.num_elements).toBe(2);
    expect(record.l2_norm_fractions).toBeCloseTo(Math.sqrt(5) / 3, 15);
  });

  it('ignores elements without a value and gives NaN when none has one', () => {
    const helium = getElement('He');
    expect(helium.electronegativity_pauling).toBeNull();
    expect(weightedStatistics([0.5, 0.5], [null, 2])).toEqual([2, 2, 2, 0, 0]);
    expect(weightedStatistics([1], [null]).every(Number.isNaN)).toBe(true);
  });
});
