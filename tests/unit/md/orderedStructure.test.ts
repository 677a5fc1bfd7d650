import { Lattice, type Vec3 } from '../../../materials/lattice';
import { writeExtendedXyz } from '../../../materials/extendedXyz';
import { Structure, type Site } from '../../../materials/structure';
import { orderedForMd } from '../../../md/orderedStructure';
import { parseMdJobSpec } from '../../../md/jobSpec';
import { MdJobTemplate } from '../../../schemas/mdStage';

// Rock salt LiCl whose cation sites hold Li 3/4, Mg 1/8 and 1/8 vacancies (ordered in 2 cells).
const cation: Vec3[] = [
  [0, 0, 0],
  [0, 0.5, 0.5],
  [0.5, 0, 0.5],
  [0.5, 0.5, 0],
];
const anion: Vec3[] = cation.map((f) => [(f[0] + 0.5) % 1, f[1], f[2]] as Vec3);
const lattice = Lattice.fromParameters(5.2, 5.2, 5.2, 90, 90, 90);
const disordered = new Structure(lattice, [
  ...cation.map((frac): Site => ({
    species: [
      { element: 'Li', occupancy: 0.75 },
      { element: 'Mg', occupancy: 0.125 },
    ],
    frac,
  })),
  ...anion.map((frac): Site => ({ species: [{ element: 'Cl', occupancy: 1 }], frac })),
]);
const defaults = MdJobTemplate.parse({ production_steps: 100 }).order_disordered;

describe('MD stage: structures for MD', () => {
  it('orders a disordered candidate by default and records what was done', () => {
    expect(defaults).toEqual({
      enabled: true,
      max_atoms: 200,
      samples: 5000,
      seed: 0,
      occupancy_tolerance: 0.05,
    });
    const { structure, ordering } = orderedForMd(disordered, defaults, 'c1');
    expect(structure.isOrdered).toBe(true);
    expect(ordering).toMatchObject({
      num_atoms: 15,
      formula: 'Li6 Mg1 Cl8',
      exhaustive: true,
      configurations_evaluated: 56,
      seed: 0,
    });
    expect(JSON.parse(ordering?.oxidation_states_json as string)).toEqual({ Li: 1, Mg: 2, Cl: -1 });
    expect(ordering?.supercell.reduce((a, b) => a * b, 1)).toBe(2);
    expect(ordering?.energy_eV).toBeLessThan(0);
    // What the engine gets: an extended XYZ of the ordered supercell.
    const spec = parseMdJobSpec({
      ...MdJobTemplate.parse({ production_steps: 100 }),
      campaign_id: 'c',
      iteration: 0,
      candidate_id: 'c1',
      structure: { candidate_id: 'c1', extxyz: writeExtendedXyz(structure) },
    });
    expect(spec.structure.extxyz?.split('\n')[0]).toBe('15');
  });

  it('runs prepared before the option existed get the defaults', () => {
    expect(orderedForMd(disordered, undefined, 'c1').ordering?.num_atoms).toBe(15);
  });

  it('an ordered structure passes unchanged', () => {
    const ordered = Structure.fromElements(
      lattice,
      ['Li', 'Cl'],
      [
        [0, 0, 0],
        [0.5, 0.5, 0.5],
      ],
    );
    expect(orderedForMd(ordered, defaults, 'c1')).toEqual({ structure: ordered, ordering: null });
  });

  it('disabled: refuses as before', () => {
    expect(() => orderedForMd(disordered, { ...defaults, enabled: false }, 'c7')).toThrow(
      'candidate c7: structure has partial occupancies; MD needs an ordered structure (order_disordered is disabled)',
    );
  });

  it('names the candidate when ordering is impossible under the options', () => {
    expect(() => orderedForMd(disordered, { ...defaults, max_atoms: 10 }, 'c7')).toThrow(
      'candidate c7: cannot order: the smallest supercell with integral occupancies (2 cells) has 15 atoms, more than max_atoms 10',
    );
  });

  it('the spec names a bad ordering option', () => {
    const r = MdJobTemplate.safeParse({
      production_steps: 100,
      order_disordered: { max_atoms: 0, colour: 1 },
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['order_disordered.max_atoms', 'order_disordered']));
  });
});
