/**
 * CIF -> Structure, following pymatgen's CifParser (parse_structures(primitive=False)) so that
 * sites, positions and occupancies agree with it:
 *  - coordinates within 1e-4 (relative) of 1/3 or 2/3 snap to the exact value (finite-precision fix);
 *  - an atom-site row whose position is symmetry-equivalent (within 1e-4, fractional, periodic)
 *    to an earlier row joins that site as another species (mixed occupancy), occupancies summed;
 *  - each site is expanded by all symmetry operations, wrapped into [0, 1) with x - floor(x),
 *    and images closer than 1e-4 (fractional, periodic) to an earlier image are merged;
 *  - rows with occupancy 0 are dropped; a site whose total occupancy exceeds
 *    `occupancyTolerance` (default 1) is an error, between 1 and the tolerance it is rescaled to 1.
 * Differences from pymatgen: space-group symbols without explicit operations are not expanded
 * (error, unless the group is P1); Pauling-file "0.8Nb + 0.2Zr" type symbols and implicit
 * hydrogens are not supported; '?' or '.' coordinates are errors rather than 0.
 */
import { isElementSymbol } from './elements';
import { Lattice, type Vec3 } from './lattice';
import { Structure, OCCUPANCY_TOLERANCE, type Site, type SiteSpecies } from './structure';
import {
  IDENTITY,
  applySymmetryOperation,
  parseSymmetryOperation,
  type SymmetryOperation,
} from './symmetryOperation';
import { cifColumn, cifLoopOf, cifValue, isCifNull, parseCifBlocks, type CifBlock } from './cifSyntax';

export interface CifReadOptions {
  /** Name used in error messages (e.g. the file name). */
  source?: string;
  /** Fractional distance under which two positions are the same site (pymatgen: 1e-4). */
  siteTolerance?: number;
  /** Largest total occupancy accepted (then rescaled to 1); pymatgen's default is 1. */
  occupancyTolerance?: number;
  /** Snap coordinates near 1/3 and 2/3 as pymatgen does (default true). */
  snapToThirds?: boolean;
}

export interface StatedSpaceGroup {
  /** Hermann-Mauguin symbol as written (e.g. "F d -3 m :1"). */
  readonly symbol?: string;
  /** International Tables number. */
  readonly number?: number;
  readonly hall?: string;
}

export interface CifStructure {
  readonly blockName: string;
  readonly structure: Structure;
  readonly statedSpaceGroup: StatedSpaceGroup;
  /** Number of symmetry operations applied. */
  readonly symmetryOperationCount: number;
}

const SYMOP_TAGS = [
  '_symmetry_equiv_pos_as_xyz',
  '_space_group_symop_operation_xyz',
  '_symmetry_equiv_pos_as_xyz_',
  '_space_group_symop_operation_xyz_',
];
const HM_TAGS = [
  '_symmetry_space_group_name_h-m',
  '_space_group_name_h-m_alt',
  '_symmetry_space_group_name_h_m',
];
const NUMBER_TAGS = ['_space_group_it_number', '_symmetry_int_tables_number'];
const HALL_TAGS = ['_space_group_name_hall', '_symmetry_space_group_name_hall'];

/** Symbols some CIFs use for water/hydroxide sites (as pymatgen's CifParser). */
const SPECIAL_SYMBOLS: ReadonlyArray<readonly [string, string]> = [
  ['Hw', 'H'],
  ['Ow', 'O'],
  ['Wat', 'O'],
  ['wat', 'O'],
  ['NO3', 'N'],
];

/** Number with an optional standard uncertainty, "5.4307(3)" -> 5.4307; throws naming `where`. */
export function parseCifNumber(value: string, where: string): number {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:\(\d+\))?$/.exec(value.trim());
  if (m === null) throw new Error(`${where}: expected a number, got "${value}"`);
  return Number(m[1]);
}

/** Element from an atom-site type symbol or label ("Li1+", "O2-", "Li1", "Hw"), as pymatgen. */
export function elementFromCifSymbol(symbol: string): string | null {
  for (const [prefix, element] of SPECIAL_SYMBOLS) if (symbol.startsWith(prefix)) return element;
  const two = symbol.slice(0, 2);
  const titled = two.charAt(0).toUpperCase() + two.slice(1).toLowerCase();
  if (isElementSymbol(titled)) return titled;
  const one = symbol.charAt(0).toUpperCase();
  return isElementSymbol(one) ? one : null;
}

/** Reads every data block that has atom sites; throws when there is none. */
export function readCif(text: string, options: CifReadOptions = {}): CifStructure[] {
  const source = options.source ?? 'CIF';
  const blocks = parseCifBlocks(text, source).filter((b) => cifColumn(b, '_atom_site_fract_x') !== undefined);
  if (blocks.length === 0) {
    throw new Error(`${source}: no data block with fractional atom sites (_atom_site_fract_x)`);
  }
  return blocks.map((block) => readBlock(block, { ...options, source }));
}

/** Convenience: the structure of the first data block with atom sites. */
export function readCifStructure(text: string, options: CifReadOptions = {}): Structure {
  return readCif(text, options)[0].structure;
}

function readBlock(block: CifBlock, options: CifReadOptions & { source: string }): CifStructure {
  const where = `${options.source}: data_${block.name}`;
  const siteTolerance = options.siteTolerance ?? 1e-4;
  const occupancyTolerance = Math.max(1, options.occupancyTolerance ?? 1);
  const lattice = readLattice(block, where);
  const operations = readSymmetryOperations(block, where);
  const statedSpaceGroup = readStatedSpaceGroup(block);

  const oxidationStates = readOxidationStates(block, where);
  const loop = cifLoopOf(block, '_atom_site_fract_x');
  const column = (tag: string): string[] | undefined => cifColumn(block, tag);
  const xs = column('_atom_site_fract_x') as string[];
  const ys = column('_atom_site_fract_y');
  const zs = column('_atom_site_fract_z');
  if (ys === undefined || zs === undefined) throw new Error(`${where}: _atom_site_fract_y/z missing`);
  const labels = column('_atom_site_label');
  const types = column('_atom_site_type_symbol');
  const occupancies = column('_atom_site_occupancy');
  const snap = options.snapToThirds ?? true;

  interface Entry {
    coord: Vec3;
    species: Map<string, SiteSpecies>;
    label: string;
  }
  const entries: Entry[] = [];
  for (let r = 0; r < xs.length; r += 1) {
    const rowWhere = `${where}: line ${loop?.rowLines[r] ?? block.line} (atom site ${labels?.[r] ?? r + 1})`;
    const symbolText = types?.[r] ?? labels?.[r];
    if (symbolText === undefined)
      throw new Error(`${rowWhere}: neither _atom_site_type_symbol nor _atom_site_label`);
    const element = elementFromCifSymbol(symbolText);
    if (element === null) throw new Error(`${rowWhere}: cannot read an element from "${symbolText}"`);
    const occupancyText = occupancies?.[r];
    const occupancy =
      occupancyText === undefined || isCifNull(occupancyText)
        ? 1
        : parseCifNumber(occupancyText, `${rowWhere}: _atom_site_occupancy`);
    if (occupancy <= 0) continue; // pymatgen drops empty sites
    const coord = [xs[r], ys[r], zs[r]].map((v, k) => {
      const x = parseCifNumber(v, `${rowWhere}: _atom_site_fract_${'xyz'[k]}`);
      return snap ? snapToThird(x) : x;
    }) as Vec3;
    const oxidationState = types?.[r] === undefined ? undefined : oxidationStates.get(types[r]);
    const species: SiteSpecies =
      oxidationState === undefined ? { element, occupancy } : { element, occupancy, oxidationState };

    const match = findEquivalentEntry(entries, coord, operations, siteTolerance);
    if (match === undefined) {
      entries.push({
        coord,
        species: new Map([[speciesKey(species), species]]),
        label: labels?.[r] ?? element,
      });
    } else {
      const key = speciesKey(species);
      const existing = match.species.get(key);
      match.species.set(
        key,
        existing === undefined ? species : { ...existing, occupancy: existing.occupancy + occupancy },
      );
    }
  }
  if (entries.length === 0) throw new Error(`${where}: no atom site with occupancy > 0`);

  const sites: Site[] = [];
  for (const entry of entries) {
    let species = [...entry.species.values()];
    const total = species.reduce((sum, s) => sum + s.occupancy, 0);
    if (total > occupancyTolerance + OCCUPANCY_TOLERANCE) {
      throw new Error(`${where}: site ${entry.label}: occupancies sum to ${total} > ${occupancyTolerance}`);
    }
    if (total > 1) species = species.map((s) => ({ ...s, occupancy: s.occupancy / total }));
    for (const frac of symmetryImages(entry.coord, operations, siteTolerance)) {
      sites.push({ species, frac, label: entry.label });
    }
  }
  return {
    blockName: block.name,
    structure: new Structure(lattice, sites),
    statedSpaceGroup,
    symmetryOperationCount: operations.length,
  };
}

function speciesKey(s: SiteSpecies): string {
  return s.oxidationState === undefined ? s.element : `${s.element}:${s.oxidationState}`;
}

function snapToThird(x: number): number {
  // pymatgen: math.isclose(x / (1/3), 1, abs_tol=1e-4) -> 1/3 (then the same for 2/3)
  let out = x;
  for (const third of [1 / 3, 2 / 3]) if (Math.abs(x / third - 1) <= 1e-4) out = third;
  return out;
}

/** Periodic fractional distance test: every component of a - b, minus its rounding, under tol. */
function samePeriodicPosition(a: Readonly<Vec3>, b: Readonly<Vec3>, tol: number): boolean {
  for (let k = 0; k < 3; k += 1) {
    const d = a[k] - b[k];
    if (!(Math.abs(d - Math.round(d)) < tol)) return false;
  }
  return true;
}

function findEquivalentEntry<T extends { coord: Vec3 }>(
  entries: T[],
  coord: Vec3,
  operations: readonly SymmetryOperation[],
  tol: number,
): T | undefined {
  for (const op of operations) {
    const image = applySymmetryOperation(op, coord);
    const hit = entries.find((e) => samePeriodicPosition(e.coord, image, tol));
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function symmetryImages(coord: Vec3, operations: readonly SymmetryOperation[], tol: number): Vec3[] {
  const images: Vec3[] = [];
  for (const op of operations) {
    const image = applySymmetryOperation(op, coord).map((x) => x - Math.floor(x)) as Vec3;
    if (!images.some((other) => samePeriodicPosition(other, image, tol))) images.push(image);
  }
  return images;
}

function readLattice(block: CifBlock, where: string): Lattice {
  const param = (name: string): number => {
    const tag = `_cell_${name}`;
    const value = cifValue(block, tag);
    if (value === undefined || isCifNull(value)) throw new Error(`${where}: missing ${tag}`);
    return parseCifNumber(value, `${where}: ${tag}`);
  };
  const [a, b, c] = ['length_a', 'length_b', 'length_c'].map(param);
  const [alpha, beta, gamma] = ['angle_alpha', 'angle_beta', 'angle_gamma'].map(param);
  try {
    return Lattice.fromParameters(a, b, c, alpha, beta, gamma);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
}

function readSymmetryOperations(block: CifBlock, where: string): SymmetryOperation[] {
  for (const tag of SYMOP_TAGS) {
    const ops = cifColumn(block, tag);
    if (ops !== undefined && ops.length > 0) {
      return ops.map((op) => {
        try {
          return parseSymmetryOperation(op);
        } catch (error) {
          throw new Error(`${where}: ${tag}: ${(error as Error).message}`, { cause: error });
        }
      });
    }
  }
  const stated = readStatedSpaceGroup(block);
  const symbol = stated.symbol?.replace(/[\s_]/g, '');
  if (stated.number === 1 || symbol === 'P1' || (stated.number === undefined && symbol === undefined)) {
    return [IDENTITY]; // no symmetry information means P1, as in pymatgen
  }
  throw new Error(
    `${where}: no symmetry operations (_symmetry_equiv_pos_as_xyz or _space_group_symop_operation_xyz) ` +
      `for space group ${stated.symbol ?? stated.number}; expansion from the symbol alone is not supported`,
  );
}

function readStatedSpaceGroup(block: CifBlock): StatedSpaceGroup {
  const first = (tags: string[]): string | undefined =>
    tags.map((t) => cifValue(block, t)).find((v) => v !== undefined && !isCifNull(v));
  const numberText = first(NUMBER_TAGS);
  const number = numberText !== undefined && /^\d+$/.test(numberText.trim()) ? Number(numberText) : undefined;
  const symbol = first(HM_TAGS);
  const hall = first(HALL_TAGS);
  return {
    ...(symbol !== undefined ? { symbol } : {}),
    ...(number !== undefined ? { number } : {}),
    ...(hall !== undefined ? { hall } : {}),
  };
}

/** _atom_type_symbol -> _atom_type_oxidation_number, when the CIF lists them. */
function readOxidationStates(block: CifBlock, where: string): Map<string, number> {
  const symbols = cifColumn(block, '_atom_type_symbol');
  const numbers = cifColumn(block, '_atom_type_oxidation_number');
  const out = new Map<string, number>();
  if (symbols === undefined || numbers === undefined) return out;
  symbols.forEach((symbol, i) => {
    if (!isCifNull(numbers[i]))
      out.set(symbol, parseCifNumber(numbers[i], `${where}: _atom_type_oxidation_number`));
  });
  return out;
}
