import type { Vec3 } from '../../../materials/lattice';
import type { Structure } from '../../../materials/structure';
import { matchSitesByPosition } from './siteMatching';

export interface StructureSummary {
  lattice: Vec3[];
  frac: Vec3[];
  species: Record<string, number>[];
  error?: string;
}

export function summarize(structure: Structure): StructureSummary {
  return {
    lattice: structure.lattice.matrix.map((r) => [...r] as Vec3),
    frac: structure.sites.map((s) => [...s.frac] as Vec3),
    species: structure.sites.map((s) =>
      Object.fromEntries(s.species.map((sp) => [sp.element, sp.occupancy])),
    ),
  };
}

/**
 * Returns null when both describe the same structure (lattice within latticeTol Å, each site
 * matched by periodic position within fracTol with equal species and occupancies), else why not.
 */
export function structureDifference(
  a: StructureSummary,
  b: StructureSummary,
  latticeTol = 1e-9,
  fracTol = 1e-9,
): string | null {
  if (b.error !== undefined) return b.error;
  for (let r = 0; r < 3; r += 1) {
    for (let c = 0; c < 3; c += 1) {
      if (Math.abs(a.lattice[r][c] - b.lattice[r][c]) > latticeTol) {
        return `lattice[${r}][${c}] ${a.lattice[r][c]} vs ${b.lattice[r][c]}`;
      }
    }
  }
  const match = matchSitesByPosition(a.frac, b.frac, fracTol);
  if (typeof match === 'string') return match;
  for (let i = 0; i < a.species.length; i += 1) {
    const sa = a.species[i];
    const sb = b.species[match.refIndex[i]];
    const keys = Object.keys(sa).sort();
    if (keys.join() !== Object.keys(sb).sort().join())
      return `site ${i}: species ${keys} vs ${Object.keys(sb)}`;
    for (const k of keys)
      if (Math.abs(sa[k] - sb[k]) > 1e-12) return `site ${i}: ${k} occupancy ${sa[k]} vs ${sb[k]}`;
  }
  return null;
}
