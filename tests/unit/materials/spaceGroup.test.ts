import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCif } from '../../../materials/cifReader';
import { Lattice } from '../../../materials/lattice';
import {
  detectSpaceGroup,
  matchesStatedSpaceGroup,
  normaliseHermannMauguin,
} from '../../../materials/spaceGroup';
import { Structure } from '../../../materials/structure';
import { runPython } from '../../helpers/python';
import { cgcnnSampleCifs, extractObelixCifs } from './obelix';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/materials/space_group_reference.py'),
  'utf8',
);

const obelix = extractObelixCifs();
afterAll(() => fs.rmSync(obelix.dir, { recursive: true, force: true }));
const files = [...cgcnnSampleCifs(), ...obelix.files];
const reference = runPython<{ number?: number; symbol?: string; error?: string }[]>(REFERENCE, files);

describe('space group detection (moyo)', () => {
  it(`agrees with the stated space group and with spglib on all ${files.length} CIFs`, () => {
    const disagreeWithStated: string[] = [];
    const disagreeWithSpglib: string[] = [];
    files.forEach((file, k) => {
      const [cif] = readCif(fs.readFileSync(file, 'utf8'), { source: file });
      const detected = detectSpaceGroup(cif.structure, { symprec: 0.01 });
      if (matchesStatedSpaceGroup(detected, cif.statedSpaceGroup) !== true) {
        disagreeWithStated.push(
          `${path.basename(file)}: stated ${JSON.stringify(cif.statedSpaceGroup)}, detected ${detected.number}`,
        );
      }
      if (reference[k].number !== detected.number) {
        disagreeWithSpglib.push(
          `${path.basename(file)}: spglib ${reference[k].number ?? reference[k].error}, moyo ${detected.number}`,
        );
      }
    });
    expect(disagreeWithStated).toEqual([]);
    expect(disagreeWithSpglib).toEqual([]);
  });

  it('finds Fm-3m for rock salt and lowers symmetry when a site is disordered', () => {
    const lattice = Lattice.fromParameters(5.64, 5.64, 5.64, 90, 90, 90);
    const fcc = [
      [0, 0, 0],
      [0, 0.5, 0.5],
      [0.5, 0, 0.5],
      [0.5, 0.5, 0],
    ] as const;
    const sites = fcc.flatMap((f) => [
      { species: [{ element: 'Na', occupancy: 1 }], frac: [f[0], f[1], f[2]] as [number, number, number] },
      {
        species: [{ element: 'Cl', occupancy: 1 }],
        frac: [f[0] + 0.5, f[1], f[2]] as [number, number, number],
      },
    ]);
    const rocksalt = detectSpaceGroup(new Structure(lattice, sites));
    expect(rocksalt.number).toBe(225);
    expect(normaliseHermannMauguin(rocksalt.symbol)).toBe('Fm-3m');
    const disordered = sites.map((s, i) =>
      i === 0 ? { ...s, species: [{ element: 'Na', occupancy: 0.5 }] } : s,
    );
    expect(detectSpaceGroup(new Structure(lattice, disordered)).number).not.toBe(225);
  });

  it('compares stated symbols ignoring spaces and origin choice', () => {
    const detected = {
      number: 227,
      symbol: 'F d -3 m',
      hallNumber: 525,
      operationCount: 192,
      wyckoffs: [],
      symprec: 0.01,
    };
    expect(matchesStatedSpaceGroup(detected, { symbol: 'F d -3 m :1' })).toBe(true);
    expect(matchesStatedSpaceGroup(detected, { number: 227, symbol: 'whatever' })).toBe(true);
    expect(matchesStatedSpaceGroup(detected, {})).toBeUndefined();
  });
});
