import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCif, readCifStructure } from '../../../materials/cifReader';
import { writeCif } from '../../../materials/cifWriter';
import { writeExtendedXyz } from '../../../materials/extendedXyz';
import { Lattice } from '../../../materials/lattice';
import { readOptimadeStructure } from '../../../materials/optimade';
import { readPoscar, writePoscar } from '../../../materials/poscar';
import { readPymatgenJson, toPymatgenDict } from '../../../materials/pymatgenJson';
import { Structure } from '../../../materials/structure';
import { runPython } from '../../helpers/python';
import { cgcnnSampleCifs, extractObelixCifs } from './obelix';
import { structureDifference, summarize, type StructureSummary } from './structureMatching';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/materials/formats_reference.py'),
  'utf8',
);

interface Reference {
  pymatgen: { as_dict: unknown; poscar?: string; optimade?: unknown };
  from_our_cif: StructureSummary;
  from_our_dict: StructureSummary;
  from_our_poscar?: StructureSummary;
}

const obelix = extractObelixCifs();
afterAll(() => fs.rmSync(obelix.dir, { recursive: true, force: true }));
// Every CIF is already compared with pymatgen in cifReader.test.ts; here a third of OBELiX keeps it quick.
const files = [...cgcnnSampleCifs(), ...obelix.files.filter((_, k) => k % 3 === 0)];
const structures = files.map((f) => readCifStructure(fs.readFileSync(f, 'utf8'), { source: f }));
const written = structures.map((s, k) => ({
  path: files[k],
  cif: writeCif(s),
  dict: toPymatgenDict(s),
  poscar: s.isOrdered ? writePoscar(s) : null,
}));
const reference = runPython<Reference[]>(REFERENCE, written);
const ordered = structures.filter((s) => s.isOrdered).length;

function expectSame(
  label: string,
  a: StructureSummary,
  b: StructureSummary,
  latticeTol = 1e-9,
  fracTol = 1e-9,
): void {
  const diff = structureDifference(a, b, latticeTol, fracTol);
  if (diff !== null) throw new Error(`${label}: ${diff}`);
}

describe(`formats on ${files.length} CIF structures (${ordered} ordered)`, () => {
  it('our P1 CIF, pymatgen dict and POSCAR are read by pymatgen as the same structure', () => {
    structures.forEach((s, k) => {
      const ours = summarize(s);
      // pymatgen rebuilds the lattice from a b c α β γ: same orientation, round-off only. Its
      // CifParser snaps coordinates within 1e-4 (relative) of 1/3 or 2/3, e.g. 0.66667 (= 0.16667 + 1/2).
      expectSame(`${files[k]} CIF`, ours, reference[k].from_our_cif, 1e-9, 1e-4);
      expectSame(`${files[k]} dict`, ours, reference[k].from_our_dict, 0, 0);
      const fromPoscar = reference[k].from_our_poscar;
      if (fromPoscar !== undefined) expectSame(`${files[k]} POSCAR`, ours, fromPoscar, 0, 1e-15);
    });
  });

  it("reads pymatgen's as_dict(), Poscar and OPTIMADE output as pymatgen's structure", () => {
    let optimade = 0;
    structures.forEach((s, k) => {
      const ref = reference[k].pymatgen;
      const pmg = summarize(readPymatgenJson(ref.as_dict, files[k]));
      expectSame(`${files[k]} as_dict`, summarize(s), pmg, 1e-12, 1e-12);
      if (ref.poscar !== undefined) {
        expectSame(
          `${files[k]} Poscar`,
          pmg,
          summarize(readPoscar(ref.poscar, { source: files[k] }).structure),
          1e-12,
          1e-12,
        );
      }
      if (ref.optimade !== undefined) {
        expectSame(
          `${files[k]} OPTIMADE`,
          pmg,
          summarize(readOptimadeStructure(ref.optimade, files[k])),
          1e-12,
          1e-9,
        );
        optimade += 1;
      }
    });
    expect(optimade).toBe(ordered);
  });

  it('round-trips exactly through our own writers and readers', () => {
    structures.forEach((s, k) => {
      const ours = summarize(s);
      const fromCif = readCifStructure(written[k].cif, { snapToThirds: false });
      expectSame(`${files[k]} CIF`, ours, summarize(fromCif), 1e-9, 0);
      expectSame(
        `${files[k]} dict`,
        ours,
        summarize(readPymatgenJson(JSON.stringify(written[k].dict))),
        0,
        0,
      );
      const poscar = written[k].poscar;
      if (poscar !== null)
        expectSame(`${files[k]} POSCAR`, ours, summarize(readPoscar(poscar).structure), 0, 0);
    });
  });
});

describe('POSCAR', () => {
  const vasp4 = `Li O
-48.0
  1 0 0
  0 1 0
  0 0 1
  2 1
Selective dynamics
Cartesian
  0.5 0.5 0.5 T T F
  1 1 1 F F F
  2 2 2 T T T
`;
  it('reads VASP 4 with species from the comment, a volume scale, selective dynamics and Cartesian', () => {
    const poscar = readPoscar(vasp4, { source: 'POSCAR' });
    const s = poscar.structure;
    expect(s.lattice.volume).toBeCloseTo(48, 12);
    expect(s.sites.map((x) => x.species[0].element)).toEqual(['Li', 'Li', 'O']);
    // Cartesian positions are scaled like the lattice: (0.5, 0.5, 0.5) -> frac 0.5/1.
    expect(s.sites[0].frac[0]).toBeCloseTo(0.5, 12);
    expect(poscar.selectiveDynamics?.[0]).toEqual([true, true, false]);
  });

  it.each([
    ['x\n1\n1 0 0\n0 1 0\n0 0 1\nLi\n1 2\ndirect\n0 0 0\n', 'POSCAR: line 7: 1 species names but 2 counts'],
    ['x\n1\n1 0 0\n0 1 0\nLi\n', 'POSCAR: line 5: expected lattice vector 3, got "Li"'],
    [
      'x\n1\n1 0 0\n0 1 0\n0 0 1\nLi\n2\ndirect\n0 0 0\n',
      'POSCAR: line 10: unexpected end of file, expected coordinates of site 2',
    ],
    ['x\n1\n1 0 0\n0 1 0\n0 0 1\nXx\n1\ndirect\n0 0 0\n', 'POSCAR: line 6: unknown element "Xx"'],
  ])('rejects bad POSCAR %#', (text, message) => {
    expect(() => readPoscar(text)).toThrow(message);
  });

  it('refuses to write partial occupancy', () => {
    const s = new Structure(Lattice.fromParameters(3, 3, 3, 90, 90, 90), [
      { species: [{ element: 'Li', occupancy: 0.5 }], frac: [0, 0, 0] },
    ]);
    expect(() => writePoscar(s)).toThrow('site 0 is partially occupied');
  });
});

describe('extended XYZ', () => {
  it('writes lattice, properties and Cartesian positions', () => {
    const cif = fs.readFileSync(cgcnnSampleCifs()[0], 'utf8');
    const s = readCif(cif)[0].structure;
    const text = writeExtendedXyz(s, { info: { config_type: 'cod 1000041', energy: -1.5 } });
    const lines = text.trimEnd().split('\n');
    expect(Number(lines[0])).toBe(s.numSites);
    const lattice = /Lattice="([^"]+)"/.exec(lines[1])?.[1].split(' ').map(Number);
    expect(lattice).toEqual(s.lattice.matrix.flat());
    expect(lines[1]).toContain('Properties=species:S:1:pos:R:3');
    expect(lines[1]).toContain('config_type="cod 1000041"');
    expect(lines[1]).toContain('pbc="T T T"');
    const [symbol, ...xyz] = lines[2].split(' ');
    expect(symbol).toBe(s.sites[0].species[0].element);
    expect(xyz.map(Number)).toEqual(s.cartesian(0));
  });
});

describe('OPTIMADE', () => {
  // Disordered example in the style of the OPTIMADE v1 specification (species with concentrations).
  const entry = {
    data: {
      id: 'example-1',
      type: 'structures',
      attributes: {
        lattice_vectors: [
          [4, 0, 0],
          [0, 4, 0],
          [0, 0, 4],
        ],
        cartesian_site_positions: [
          [0, 0, 0],
          [2, 2, 2],
        ],
        species_at_sites: ['LiNa', 'Cl'],
        species: [
          { name: 'LiNa', chemical_symbols: ['Li', 'Na', 'vacancy'], concentration: [0.5, 0.3, 0.2] },
          { name: 'Cl', chemical_symbols: ['Cl'], concentration: [1] },
        ],
        dimension_types: [1, 1, 1],
      },
    },
  };
  it('reads disordered species with concentrations and vacancies', () => {
    const s = readOptimadeStructure(entry);
    expect(s.sites[0].species).toEqual([
      { element: 'Li', occupancy: 0.5 },
      { element: 'Na', occupancy: 0.3 },
    ]);
    expect(s.sites[1].frac).toEqual([0.5, 0.5, 0.5]);
  });
  it('names the bad field', () => {
    const bad = structuredClone(entry);
    bad.data.attributes.species_at_sites = ['LiNa', 'K'];
    expect(() => readOptimadeStructure(bad, 'entry.json')).toThrow(
      'entry.json: field attributes.species_at_sites.1: no species named "K"',
    );
    const missing = structuredClone(entry) as { data: { attributes: Record<string, unknown> } };
    delete missing.data.attributes.lattice_vectors;
    expect(() => readOptimadeStructure(missing, 'entry.json')).toThrow(
      'entry.json: field attributes.lattice_vectors',
    );
  });
});

describe('pymatgen JSON', () => {
  it('names the bad field', () => {
    expect(() => readPymatgenJson({ lattice: { matrix: [[1, 0, 0]] }, sites: [] }, 'x.json')).toThrow(
      'x.json: field lattice.matrix',
    );
    expect(() => readPymatgenJson('{', 'x.json')).toThrow('x.json: not valid JSON');
  });
});
