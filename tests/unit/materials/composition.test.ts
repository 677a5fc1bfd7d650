import * as fs from 'node:fs';
import * as path from 'node:path';
import { Composition } from '../../../materials/composition';
import { runPython } from '../../helpers/python';
import { readObelixRows } from './obelix';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/materials/composition_reference.py'),
  'utf8',
);

interface PymatgenComposition {
  amounts: Record<string, number>;
  formula: string;
  reduced_formula: string;
  num_atoms: number;
  fractions: Record<string, number>;
  error?: string;
}

const EXTRA_FORMULAS = [
  'Li6.25PS5.25Cl0.75',
  'Li7La3Zr2O12',
  'Ca3(PO4)2',
  'Li7.0Bi1.0O6.0',
  ' Li1.4Al0.4Ti1.6 (PO4)3 ',
  'Ca10(PO4)6(OH)2',
  'Mg3(Si2(O5))2(OH)2',
  'K4[Fe(CN)6]',
  'Li0.6[Li0.2Sn0.8S2]',
  'Li4Fe4P4O16',
  'Li10GeP2S12',
  'Na3Zr2Si2PO12',
  'LiO',
  'O',
  'Cl2',
  'H2O2',
  'LiFePO4',
  'Li3OCl',
  'XeF2',
  'HeLi',
  'Li2.000001O',
  'Li0.33La0.557TiO3',
];

const rows = readObelixRows();
const obelixFormulas = rows.flatMap((r) => [r['Reduced Composition'], r['True Composition']]);
const formulas = [...EXTRA_FORMULAS, ...obelixFormulas];

// One pymatgen call for the whole file. pymatgen cannot read the hydrate '*' notation, so for a
// formula it rejects we also ask for the same formula with '*' dropped (plain concatenation).
const firstPass = runPython<PymatgenComposition[]>(REFERENCE, formulas);
const rejected = formulas.filter((_, i) => firstPass[i].error !== undefined);
const fallback = runPython<PymatgenComposition[]>(
  REFERENCE,
  rejected.map((f) => f.replace(/\*/g, '')),
);
const reference = new Map<string, PymatgenComposition>();
formulas.forEach((f, i) => reference.set(f, firstPass[i]));
rejected.forEach((f, i) => reference.set(f, fallback[i]));

function expectSameAsPymatgen(formula: string): void {
  const ref = reference.get(formula) as PymatgenComposition;
  expect(ref.error).toBeUndefined();
  const comp = Composition.parse(formula);
  expect([...comp.amounts.keys()].sort()).toEqual(Object.keys(ref.amounts).sort());
  for (const [symbol, amount] of Object.entries(ref.amounts)) {
    expect(Math.abs(comp.amountOf(symbol) - amount)).toBeLessThanOrEqual(1e-9 * amount);
  }
  const fractions = comp.elementFractions();
  for (const [symbol, fraction] of Object.entries(ref.fractions)) {
    expect(Math.abs((fractions.get(symbol) as number) - fraction)).toBeLessThanOrEqual(1e-12);
  }
  expect(Math.abs(comp.numAtoms - ref.num_atoms)).toBeLessThanOrEqual(1e-9 * ref.num_atoms);
  expect({ formula, reduced: comp.reducedFormula, full: comp.formula }).toEqual({
    formula,
    reduced: ref.reduced_formula,
    full: ref.formula,
  });
}

describe('Composition.parse against pymatgen', () => {
  it('only the hydrate formula is unreadable by pymatgen', () => {
    expect(rejected).toEqual(['Li3(Mo8S8O8(OH)8(HWO5(H2O)))*(H2O)18']);
  });

  it.each(EXTRA_FORMULAS)('%s', (formula) => expectSameAsPymatgen(formula));

  it(`every OBELiX Reduced and True Composition (${obelixFormulas.length} formulas)`, () => {
    expect(rows).toHaveLength(599);
    for (const formula of obelixFormulas) expectSameAsPymatgen(formula);
  });
});

describe('Composition', () => {
  it('parses hydrates with a leading multiplier', () => {
    const comp = Composition.parse('CuSO4*5H2O');
    expect(Object.fromEntries(comp.amounts)).toEqual({ Cu: 1, S: 1, O: 9, H: 10 });
  });

  it('builds from amounts and merges repeated elements', () => {
    const comp = Composition.fromAmounts([
      ['Li', 1],
      ['O', 0.5],
      ['Li', 1],
    ]);
    expect(Object.fromEntries(comp.amounts)).toEqual({ Li: 2, O: 0.5 });
    expect(() => Composition.fromAmounts([['Li', -1]])).toThrow('amount of Li');
  });

  it.each([
    ['Li2(PO4', 'Invalid formula "Li2(PO4" at position 7: missing ")"'],
    ['Xx2O', 'Invalid formula "Xx2O" at position 0: unknown element "Xx"'],
    ['Li2)O', 'Invalid formula "Li2)O" at position 3: unexpected ")"'],
    ['Li-2', 'Invalid formula "Li-2" at position 2: unexpected "-"'],
    ['Li(]', 'Invalid formula "Li(]" at position 3: unexpected "]"'],
    ['()', 'Invalid formula "()" at position 0: empty group'],
    ['  ', 'Invalid formula "  ": empty'],
    ['Li0', 'Composition: no element with a positive amount'],
  ])('rejects %j', (formula, message) => {
    expect(() => Composition.parse(formula)).toThrow(message);
  });
});
