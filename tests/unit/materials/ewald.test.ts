import * as fs from 'node:fs';
import * as path from 'node:path';
import { ewaldEnergy, ewaldMatrix, quadraticEnergy, siteCharges } from '../../../materials/ewald';
import { Lattice, type Vec3 } from '../../../materials/lattice';
import { guessOxidationStates } from '../../../materials/oxidationStates';
import { Structure } from '../../../materials/structure';
import { runPython } from '../../helpers/python';
import { readObelixCifs } from './obelix';

// Reference: pymatgen.analysis.ewald.EwaldSummation(structure).total_energy (acc_factor 12), on
// the same lattice, coordinates and oxidation states (tests/reference/materials/ewald_reference.py).
const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/materials/ewald_reference.py'),
  'utf8',
);

interface PymatgenEwald {
  total: number;
  real: number;
  reciprocal: number;
  point: number;
  eta: number;
  matrix?: number[][];
}

/** Species decorated with an oxidation state per element. */
function decorate(structure: Structure, states: ReadonlyMap<string, number>): Structure {
  return new Structure(
    structure.lattice,
    structure.sites.map((s) => ({
      ...s,
      species: s.species.map((sp) => ({ ...sp, oxidationState: states.get(sp.element) as number })),
    })),
  );
}

/** An ordered OBELiX CIF (Therrien et al. 2025) with oxidation states guessed as pymatgen does. */
function obelix(id: string): Structure {
  const s = readObelixCifs([id]).get(id) as Structure;
  return decorate(s, guessOxidationStates(s.composition));
}

const rockSalt = (() => {
  const frac: Vec3[] = [
    [0, 0, 0],
    [0, 0.5, 0.5],
    [0.5, 0, 0.5],
    [0.5, 0.5, 0],
    [0.5, 0, 0],
    [0.5, 0.5, 0.5],
    [0, 0, 0.5],
    [0, 0.5, 0],
  ];
  const s = Structure.fromElements(
    Lattice.fromParameters(5.64, 5.64, 5.64, 90, 90, 90),
    [...'NNNNCCCC'].map((c) => (c === 'N' ? 'Na' : 'Cl')),
    frac,
  );
  return decorate(
    s,
    new Map([
      ['Na', 1],
      ['Cl', -1],
    ]),
  );
})();

// Triclinic, net charge +1 (exercises the uniform-background term).
const chargedTriclinic = new Structure(Lattice.fromParameters(4.1, 5.3, 6.2, 75, 95, 110), [
  { species: [{ element: 'Li', occupancy: 1, oxidationState: 1 }], frac: [0.1, 0.2, 0.3] },
  { species: [{ element: 'Mg', occupancy: 1, oxidationState: 2 }], frac: [0.6, 0.5, 0.1] },
  { species: [{ element: 'O', occupancy: 1, oxidationState: -2 }], frac: [0.35, 0.8, 0.65] },
  { species: [{ element: 'Li', occupancy: 1, oxidationState: 1 }], frac: [0.9, 0.05, 0.85] },
  { species: [{ element: 'F', occupancy: 1, oxidationState: -1 }], frac: [0.45, 0.3, 0.95] },
]);

const cases: [string, Structure][] = [
  ['NaCl rock salt (conventional cell)', rockSalt],
  ['OBELiX cfy LiPS3 (monoclinic, beta 125.6°)', obelix('cfy')],
  ['OBELiX t0h Li2ZrO3 (monoclinic, beta 112.6°)', obelix('t0h')],
  ['OBELiX 0iv Li2PS3 (hexagonal, P +4)', obelix('0iv')],
  ['triclinic LiMgOLiF, net charge +1', chargedTriclinic],
];

const input = cases.map(([, s], i) => ({
  lattice: s.lattice.matrix,
  frac: s.sites.map((x) => x.frac),
  species: s.sites.map((x) => Object.fromEntries(x.species.map((sp) => [sp.element, sp.occupancy]))),
  oxidation_states: Object.fromEntries(
    s.sites.flatMap((x) => x.species.map((sp) => [sp.element, sp.oxidationState])),
  ),
  matrix: i === 1,
}));
const reference = runPython<PymatgenEwald[]>(REFERENCE, input);

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('Ewald energy against pymatgen EwaldSummation', () => {
  it.each(cases.map(([name], i) => [name, i] as const))('%s', (_name, i) => {
    const ours = ewaldEnergy(cases[i][1]);
    const ref = reference[i];
    expect(ours.eta).toBeCloseTo(ref.eta, 12);
    expect(relative(ours.total_eV, ref.total)).toBeLessThan(1e-8);
    expect(relative(ours.real_eV, ref.real)).toBeLessThan(1e-8);
    expect(relative(ours.reciprocal_eV, ref.reciprocal)).toBeLessThan(1e-8);
    expect(relative(ours.point_eV, ref.point)).toBeLessThan(1e-10);
  });

  it('rock salt: the Madelung constant of NaCl, 1.747565 (per ion pair at the nearest-neighbour distance)', () => {
    // E per formula unit = −M e²/(4πε0 r0), r0 = a/2; 4 formula units in the conventional cell.
    const e = ewaldEnergy(rockSalt).total_eV;
    expect((-e / 4) * (2.82 / 14.399645468667815)).toBeCloseTo(1.747565, 5);
  });

  it('the unit-charge matrix gives pymatgen total_energy_matrix element by element', () => {
    const s = cases[1][1];
    const q = siteCharges(s);
    const m = ewaldMatrix(
      s.lattice,
      s.sites.map((x) => x.frac),
    );
    const ref = reference[1].matrix as number[][];
    let worst = 0;
    for (let i = 0; i < m.n; i++) {
      for (let j = 0; j < m.n; j++) {
        worst = Math.max(worst, Math.abs(m.a[i * m.n + j] * q[i] * q[j] - ref[i][j]));
      }
    }
    expect(worst).toBeLessThan(1e-8);
    expect(relative(quadraticEnergy(m, q), reference[1].total)).toBeLessThan(1e-8);
  });

  it('is independent of eta (the split between real and reciprocal space)', () => {
    const base = ewaldEnergy(cases[2][1]).total_eV;
    for (const eta of [0.15, 0.4]) {
      expect(relative(ewaldEnergy(cases[2][1], { eta }).total_eV, base)).toBeLessThan(1e-8);
    }
  });

  it('names the site whose species has no oxidation state', () => {
    const bare = Structure.fromElements(
      rockSalt.lattice,
      ['Na', 'Cl'],
      [
        [0, 0, 0],
        [0.5, 0.5, 0.5],
      ],
    );
    expect(() => ewaldEnergy(bare)).toThrow('Ewald: site 0 species Na has no oxidation state');
    expect(() => ewaldEnergy(bare, { charges: [1] })).toThrow('Ewald: 1 charges for 2 sites');
  });
});
