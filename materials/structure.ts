/**
 * Periodic crystal structure: a lattice and sites in fractional coordinates. A site carries one
 * or more species with occupancies (partial occupancy / substitutional disorder), like a
 * pymatgen PeriodicSite whose species is a Composition.
 */
import { Composition } from './composition';
import { getElement, isElementSymbol } from './elements';
import { Lattice, type Vec3 } from './lattice';

export interface SiteSpecies {
  readonly element: string;
  /** Fraction of the site occupied by this element, in (0, 1]. */
  readonly occupancy: number;
  /** Formal oxidation state when the source gives one. */
  readonly oxidationState?: number;
}

export interface Site {
  readonly species: readonly SiteSpecies[];
  /** Fractional coordinates (not necessarily wrapped into [0, 1)). */
  readonly frac: Readonly<Vec3>;
  readonly label?: string;
}

/** Total occupancy may exceed 1 by this much (rounding in published occupancies). */
export const OCCUPANCY_TOLERANCE = 1e-6;

export class Structure {
  readonly lattice: Lattice;
  readonly sites: readonly Site[];

  /** Validates every site; errors name the site index and field. */
  constructor(lattice: Lattice, sites: readonly Site[]) {
    sites.forEach((site, i) => validateSite(site, i));
    this.lattice = lattice;
    this.sites = Object.freeze([...sites]);
  }

  /** Ordered structure from one element per site. */
  static fromElements(
    lattice: Lattice,
    elements: readonly string[],
    fracCoords: ReadonlyArray<Readonly<Vec3>>,
  ): Structure {
    if (elements.length !== fracCoords.length) {
      throw new Error(`Structure: ${elements.length} elements but ${fracCoords.length} coordinates`);
    }
    return new Structure(
      lattice,
      elements.map((element, i) => ({ species: [{ element, occupancy: 1 }], frac: fracCoords[i] })),
    );
  }

  get numSites(): number {
    return this.sites.length;
  }

  /** True when every site holds one element with occupancy 1. */
  get isOrdered(): boolean {
    return this.sites.every((s) => s.species.length === 1 && s.species[0].occupancy === 1);
  }

  /** Cartesian coordinates of site i (Å). */
  cartesian(i: number): Vec3 {
    return this.lattice.fracToCart(this.sites[i].frac);
  }

  /** All Cartesian coordinates, flat [x0, y0, z0, x1, ...] (Å). */
  cartesianCoords(): Float64Array {
    const out = new Float64Array(this.sites.length * 3);
    this.sites.forEach((_, i) => out.set(this.cartesian(i), 3 * i));
    return out;
  }

  /** Occupancy-weighted composition of the cell. */
  get composition(): Composition {
    return Composition.fromAmounts(
      this.sites.flatMap((s) => s.species.map((sp) => [sp.element, sp.occupancy] as const)),
    );
  }

  /** Mass density (g/cm³) from occupancy-weighted atomic masses. */
  get density(): number {
    let mass = 0;
    for (const [symbol, amount] of this.composition.amounts)
      mass += amount * getElement(symbol).atomic_mass_u;
    // 1 u/Å³ = 1.66053906660 g/cm³ (CODATA 2018 atomic mass constant).
    return (mass * 1.6605390666) / this.lattice.volume;
  }
}

function validateSite(site: Site, index: number): void {
  const where = `Structure: site ${index}${site.label ? ` (${site.label})` : ''}`;
  if (site.frac.length !== 3 || !site.frac.every(Number.isFinite)) {
    throw new Error(`${where}: frac must be 3 finite numbers, got ${JSON.stringify(site.frac)}`);
  }
  if (site.species.length === 0) throw new Error(`${where}: no species`);
  let total = 0;
  const seen = new Set<string>();
  for (const sp of site.species) {
    if (!isElementSymbol(sp.element)) throw new Error(`${where}: unknown element "${sp.element}"`);
    const key = `${sp.element}:${sp.oxidationState ?? ''}`;
    if (seen.has(key)) throw new Error(`${where}: species ${sp.element} listed twice`);
    seen.add(key);
    if (!(sp.occupancy > 0 && sp.occupancy <= 1 + OCCUPANCY_TOLERANCE)) {
      throw new Error(`${where}: occupancy of ${sp.element} must be in (0, 1], got ${sp.occupancy}`);
    }
    total += sp.occupancy;
  }
  if (total > 1 + OCCUPANCY_TOLERANCE) throw new Error(`${where}: occupancies sum to ${total} > 1`);
}
