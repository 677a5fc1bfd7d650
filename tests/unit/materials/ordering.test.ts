import * as fs from 'node:fs';
import * as path from 'node:path';
import { ewaldEnergy } from '../../../materials/ewald';
import { Lattice, type Vec3 } from '../../../materials/lattice';
import { OrderingError, orderDisorderedStructure } from '../../../materials/ordering';
import { Structure, type Site } from '../../../materials/structure';
import { runPython } from '../../helpers/python';
import { readObelixCifs } from './obelix';

// Reference: pymatgen OrderDisorderedStructureTransformation() (branch and bound) on the same
// structure, decorated with the same oxidation states and made the same supercell
// (tests/reference/materials/ordering_reference.py). Its energies[0] is the Ewald minimum there.
const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/materials/ordering_reference.py'),
  'utf8',
);

interface PymatgenOrdering {
  energies: number[];
  best_total: number;
  best_formula: string;
  best_num_sites: number;
}

/** OBELiX CIFs (Therrien et al. 2025, CC BY 4.0) read with our CIF reader. */
const obelix = readObelixCifs(['gxz', 'tbu', 'e6b', '97b', '0fh', 'hx7']);

// Rock salt whose cation sites hold Mg 1/8, Li 3/4 and 1/8 vacancies (+1 on average, so the
// cell stays neutral): integral only in a supercell of 2 cells (1 Mg, 6 Li, 1 vacancy).
const mixedRockSalt = (() => {
  const cation: Vec3[] = [
    [0, 0, 0],
    [0, 0.5, 0.5],
    [0.5, 0, 0.5],
    [0.5, 0.5, 0],
  ];
  const anion: Vec3[] = [
    [0.5, 0, 0],
    [0.5, 0.5, 0.5],
    [0, 0, 0.5],
    [0, 0.5, 0],
  ];
  const sites: Site[] = [
    ...cation.map((frac) => ({
      species: [
        { element: 'Mg', occupancy: 0.125 },
        { element: 'Li', occupancy: 0.75 },
      ],
      frac,
    })),
    ...anion.map((frac) => ({ species: [{ element: 'Cl', occupancy: 1 }], frac })),
  ];
  return new Structure(Lattice.fromParameters(5.2, 5.2, 5.2, 90, 90, 90), sites);
})();

const referenceCases: [string, Structure][] = [
  ['OBELiX gxz Li4Zn(PO4)2: Li 1/2 and Li 3/4 + Zn 1/4 sites', obelix.get('gxz') as Structure],
  ['OBELiX tbu Li7ZnGa(PO4)4: Li 1/4 and Li/Zn/Ga sites', obelix.get('tbu') as Structure],
  ['rock salt with Mg 1/8, Li 3/4, vacancy 1/8 (2-cell supercell)', mixedRockSalt],
];

const ordered = referenceCases.map(([, s]) => orderDisorderedStructure(s));
const reference = runPython<PymatgenOrdering[]>(
  REFERENCE,
  referenceCases.map(([, s], i) => ({
    lattice: s.lattice.matrix,
    frac: s.sites.map((x) => x.frac),
    species: s.sites.map((x) => Object.fromEntries(x.species.map((sp) => [sp.element, sp.occupancy]))),
    oxidation_states: ordered[i].oxidation_states,
    supercell: ordered[i].supercell,
    ranked: 3,
  })),
);

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** Net charge of an ordered structure from its species' oxidation states. */
const netCharge = (s: Structure) =>
  s.sites.reduce((q, site) => q + (site.species[0].oxidationState as number), 0);

describe('orderDisorderedStructure against pymatgen OrderDisorderedStructureTransformation', () => {
  it.each(referenceCases.map(([name], i) => [name, i] as const))('%s', (_name, i) => {
    const r = ordered[i];
    const ref = reference[i];
    expect(r.exhaustive).toBe(true);
    expect(r.structure.isOrdered).toBe(true);
    // The lowest Ewald energy of all orderings on the same supercell, as pymatgen finds it.
    expect(relative(r.energy_eV, ref.energies[0])).toBeLessThan(1e-6);
    expect(relative(r.energy_eV, ref.best_total)).toBeLessThan(1e-6);
    // And it is the Ewald energy of the structure we return.
    expect(relative(ewaldEnergy(r.structure).total_eV, ref.best_total)).toBeLessThan(1e-6);
    expect(r.structure.composition.formula).toBe(ref.best_formula);
    expect(r.structure.numSites).toBe(ref.best_num_sites);
  });

  it('the rock salt case needs a supercell of 2 cells with one vacancy', () => {
    const r = ordered[2];
    expect(r.supercell.reduce((a, b) => a * b, 1)).toBe(2);
    expect(r.configurations_evaluated).toBe(56); // 8!/(1! 6! 1!)
    expect(Object.fromEntries(r.structure.composition.amounts)).toEqual({ Mg: 1, Li: 6, Cl: 8 });
  });
});

describe('orderDisorderedStructure on OBELiX CIFs', () => {
  it('97b Li3.6Sc3.6Zr0.4O8: ordered, neutral, composition within the tolerance, reproducible', () => {
    const s = obelix.get('97b') as Structure;
    expect(s.isOrdered).toBe(false);
    const r = orderDisorderedStructure(s, { seed: 3 });
    expect(r.structure.isOrdered).toBe(true);
    expect(netCharge(r.structure)).toBeCloseTo(0, 9);
    // 2 cells: 8 Li sites at 0.9 -> 7 Li, 8 Sc/Zr sites at 0.9/0.1 -> 7 Sc + 1 Zr.
    expect(r.supercell).toEqual([1, 1, 2]);
    expect(Object.fromEntries(r.structure.composition.amounts)).toEqual({ Li: 7, Sc: 7, Zr: 1, O: 16 });
    expect(r.max_occupancy_deviation).toBeCloseTo(0.025, 9);
    expect(r.oxidation_states).toEqual({ Li: 1, Sc: 3, Zr: 4, O: -2 });
    const again = orderDisorderedStructure(s, { seed: 3 });
    expect(again.structure).toEqual(r.structure);
    expect(again.energy_eV).toBe(r.energy_eV);
  });

  it('sampling with swaps (fewer samples than configurations) finds the exhaustive minimum on e6b and gxz', () => {
    for (const id of ['e6b', 'gxz']) {
      const s = obelix.get(id) as Structure;
      const exact = orderDisorderedStructure(s);
      expect(exact.exhaustive).toBe(true);
      const sampled = orderDisorderedStructure(s, { samples: 20, restarts: 5, seed: 11 });
      expect(sampled.exhaustive).toBe(false);
      expect(sampled.seed).toBe(11);
      expect(relative(sampled.energy_eV, exact.energy_eV)).toBeLessThan(1e-9);
      expect(sampled.structure.composition.formula).toBe(exact.structure.composition.formula);
      // Deterministic for a seed.
      expect(orderDisorderedStructure(s, { samples: 20, restarts: 5, seed: 11 }).structure).toEqual(
        sampled.structure,
      );
    }
  });

  it('a sampled LAGP-type case (0fh, 110 atoms, tolerance 0.1) is ordered, neutral and keeps the composition', () => {
    const s = obelix.get('0fh') as Structure;
    const r = orderDisorderedStructure(s, { samples: 200, restarts: 2, occupancyTolerance: 0.1 });
    expect(r.exhaustive).toBe(false);
    expect(r.structure.isOrdered).toBe(true);
    expect(netCharge(r.structure)).toBeCloseTo(0, 9);
    const n = r.supercell.reduce((a, b) => a * b, 1);
    for (const [el, amount] of s.composition.amounts) {
      // Each element within the tolerance (per site it occupies) of its amount in n cells.
      const sitesWith = s.sites.filter((site) => site.species.some((sp) => sp.element === el)).length;
      expect(Math.abs(r.structure.composition.amountOf(el) - n * amount)).toBeLessThanOrEqual(
        0.1 * n * sitesWith,
      );
    }
    expect(relative(ewaldEnergy(r.structure).total_eV, r.energy_eV)).toBeLessThan(1e-6);
  });
});

describe('orderDisorderedStructure errors', () => {
  it('names the site and occupancy when no supercell makes the occupancies integral', () => {
    const third = new Structure(Lattice.fromParameters(4, 4, 4, 90, 90, 90), [
      { species: [{ element: 'Li', occupancy: 1 }], frac: [0, 0, 0] },
      { species: [{ element: 'Na', occupancy: 0.3333 }], frac: [0.5, 0.5, 0.5], label: 'Na1' },
    ]);
    let error: unknown;
    try {
      orderDisorderedStructure(third, { occupancyTolerance: 0 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(OrderingError);
    expect((error as OrderingError).kind).toBe('non_integral_occupancy');
    expect((error as Error).message).toBe(
      'cannot order: no diagonal supercell of at most 200 atoms makes the occupancies integral within 0: site 1 (Na1) Na occupancy 0.3333 on 1 site(s) per cell',
    );
  });

  it('says how large a supercell would make a real CIF integral (0fh: Li 0.76 on 6 sites per cell)', () => {
    expect(() => orderDisorderedStructure(obelix.get('0fh') as Structure)).toThrow(
      'cannot order: the smallest supercell with integral occupancies (2 cells) has 219 atoms, more than max_atoms 200',
    );
  });

  it('refuses a supercell above max_atoms', () => {
    expect(() => orderDisorderedStructure(mixedRockSalt, { maxAtoms: 12 })).toThrow(
      'cannot order: the smallest supercell with integral occupancies (2 cells) has 15 atoms, more than max_atoms 12',
    );
  });

  it('names the composition that has no charge-neutral oxidation states', () => {
    // hx7 Li2.001BrO (Li 0.667 on 3 sites) rounds to Li2BrO: no neutral combination.
    expect(() => orderDisorderedStructure(obelix.get('hx7') as Structure)).toThrow(
      'cannot order: no charge-neutral ordering of at most 200 atoms: oxidation states: no charge-neutral combination of common oxidation states for Li2 Br1 O1 (1 cells)',
    );
  });

  it('rejects bad options by name', () => {
    expect(() => orderDisorderedStructure(mixedRockSalt, { samples: 0 })).toThrow(
      'ordering: samples must be an integer ≥ 1, got 0',
    );
    expect(() => orderDisorderedStructure(mixedRockSalt, { occupancyTolerance: 0.6 })).toThrow(
      'ordering: occupancyTolerance must be in [0, 0.5), got 0.6',
    );
  });
});
