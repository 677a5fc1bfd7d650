/**
 * Space-group detection with moyo (@spglib/moyo-wasm), and the check of a detected group
 * against the one a CIF states.
 *
 * Disordered sites: every distinct species/occupancy combination is its own atom type, as in
 * pymatgen's SpacegroupAnalyzer, so symmetry must map a site onto one with the same mixture.
 */
import type { StatedSpaceGroup } from './cifReader';
import { loadMoyo } from './moyo';
import type { Structure } from './structure';

export interface SpaceGroup {
  /** International Tables number, 1..230. */
  readonly number: number;
  /** Hermann-Mauguin symbol in moyo's spelling, e.g. "F m -3 m". */
  readonly symbol: string;
  readonly hallNumber: number;
  /** Number of symmetry operations found in the given cell (includes centring translations). */
  readonly operationCount: number;
  /** Wyckoff letter per site. */
  readonly wyckoffs: readonly string[];
  readonly symprec: number;
}

export interface SpaceGroupOptions {
  /** Distance tolerance in Å (pymatgen's SpacegroupAnalyzer default is 0.01). */
  symprec?: number;
}

/** Integer atom type per site: one per distinct (element, occupancy) mixture. */
export function siteTypes(structure: Structure): number[] {
  const ids = new Map<string, number>();
  return structure.sites.map((site) => {
    const key = [...site.species]
      .map((s) => `${s.element}:${s.occupancy.toFixed(6)}`)
      .sort()
      .join('|');
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(key, id);
    }
    return id;
  });
}

export function detectSpaceGroup(structure: Structure, options: SpaceGroupOptions = {}): SpaceGroup {
  const symprec = options.symprec ?? 0.01;
  const cell = {
    lattice: { basis: structure.lattice.matrix.flat() },
    positions: structure.sites.map((s) => [...s.frac]),
    numbers: siteTypes(structure),
  };
  let dataset;
  try {
    dataset = loadMoyo().analyze_cell(JSON.stringify(cell), symprec, 'Standard');
  } catch (error) {
    throw new Error(`detectSpaceGroup: moyo failed (symprec ${symprec} Å): ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    number: dataset.number,
    symbol: dataset.hm_symbol,
    hallNumber: dataset.hall_number,
    operationCount: dataset.operations.length,
    wyckoffs: dataset.wyckoffs,
    symprec,
  };
}

/** Hermann-Mauguin symbol without spaces, underscores and origin/setting suffixes (":1", ":H"). */
export function normaliseHermannMauguin(symbol: string): string {
  return symbol.replace(/:.*$/, '').replace(/[\s_]/g, '');
}

/**
 * Whether the detected group is the stated one: by International Tables number when the CIF
 * gives one, else by symbol (ignoring spaces and origin choice; moyo reports the standard setting,
 * so a CIF in a non-standard setting of the same group compares by number only).
 */
export function matchesStatedSpaceGroup(detected: SpaceGroup, stated: StatedSpaceGroup): boolean | undefined {
  if (stated.number !== undefined) return stated.number === detected.number;
  if (stated.symbol !== undefined) {
    return normaliseHermannMauguin(stated.symbol) === normaliseHermannMauguin(detected.symbol);
  }
  return undefined;
}
