/**
 * Ordering of a disordered structure (partial occupancies, mixed sites, vacancies) into the
 * ordered supercell of lowest electrostatic (Ewald) energy, as pymatgen's
 * OrderDisorderedStructureTransformation does, so that MD can run on it:
 *  1. disordered sites with the same species and occupancies form a group (pymatgen's grouping
 *     without symmetry); ordered sites stay as they are;
 *  2. the smallest diagonal supercell (a·b·c = N, most compact shape) whose groups hold an integer
 *     number of each species, within `occupancyTolerance` of the occupancy, with at most `maxAtoms`
 *     atoms and a charge-neutral composition; the occupancy deficit becomes vacancies (removed);
 *  3. charges: oxidation states of the species, or guessed for the ordered composition
 *     (materials/oxidationStates.ts, pymatgen's algorithm);
 *  4. every assignment of species to group sites when there are at most `samples` of them, else
 *     `samples` seeded random assignments whose best `restarts` are improved by swapping pairs of
 *     sites while a swap lowers the energy. Energies are qᵀAq on one Ewald matrix of all sites.
 * Species of equal charge (S/Se, Cl/Br) have the same Ewald energy wherever they sit: the seed
 * decides between them, as it does in pymatgen.
 */
import { Composition, gcd } from './composition';
import { type EwaldOptions, chargedCellEnergy, ewaldMatrix } from './ewald';
import { type Vec3 } from './lattice';
import { guessOxidationStates } from './oxidationStates';
import { Structure, type Site, type SiteSpecies } from './structure';
import { type SupercellDims, compactDiagonalSupercell, supercellImages, supercellLattice } from './supercell';
import { createRng, shuffled } from '../optimize/rng';

export interface OrderingOptions {
  /** Largest ordered supercell tried (atoms, vacancies removed); default 200. */
  maxAtoms?: number;
  /** Enumerate every configuration up to this many; above it, this many random ones. Default 5000. */
  samples?: number;
  /** Seed of the random configurations; default 0. */
  seed?: number;
  /** Largest |count / sites − occupancy| accepted for a group's species; default 0.05. */
  occupancyTolerance?: number;
  /** Lowest-energy random configurations refined by pairwise swaps; default 10. */
  restarts?: number;
  /**
   * Oxidation state by element. Default: the species' own when every species has one, else the
   * guess for the ordered composition.
   */
  oxidationStates?: Readonly<Record<string, number>>;
  ewald?: EwaldOptions;
}

export interface OrderingResult {
  /** The ordered supercell; species carry the oxidation states used. */
  structure: Structure;
  supercell: SupercellDims;
  /** Ewald energy of the ordered supercell (eV). */
  energy_eV: number;
  /** Configurations whose energy was computed (swaps included). */
  configurations_evaluated: number;
  /** True when every configuration was evaluated, so the energy is the minimum. */
  exhaustive: boolean;
  seed: number;
  oxidation_states: Record<string, number>;
  /** Largest |count / sites − occupancy| over groups and species (the rounding made). */
  max_occupancy_deviation: number;
}

export type OrderingErrorKind = 'too_many_atoms' | 'non_integral_occupancy' | 'not_charge_neutral';

/** Why a structure cannot be ordered under the options; `kind` for callers that count failures. */
export class OrderingError extends Error {
  constructor(
    readonly kind: OrderingErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'OrderingError';
  }
}

interface SpeciesKey {
  element: string;
  oxidationState?: number;
}

interface Group {
  /** Indices of the unit-cell sites in the group. */
  sites: number[];
  species: { key: SpeciesKey; occupancy: number }[];
}

interface Plan {
  n: number;
  /** Per group, per species: atoms in the supercell. */
  counts: number[][];
  charge: (key: SpeciesKey) => number;
  oxidation_states: Record<string, number>;
  deviation: number;
}

/** Supercells (cells) searched past max_atoms for the error message. */
const BEYOND_CAP_CELLS = 1000;

const speciesId = (k: SpeciesKey) => `${k.element}${k.oxidationState ?? ''}`;
const isOrderedSite = (s: Site) => s.species.length === 1 && s.species[0].occupancy === 1;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`ordering: ${name} must be an integer ≥ 1, got ${value}`);
  return value;
}

function groupSites(structure: Structure): Group[] {
  const groups = new Map<string, Group>();
  structure.sites.forEach((site, i) => {
    if (isOrderedSite(site)) return;
    const species = [...site.species]
      .sort((a, b) => speciesId(a).localeCompare(speciesId(b)))
      .map((sp) => ({
        key: { element: sp.element, oxidationState: sp.oxidationState },
        occupancy: sp.occupancy,
      }));
    const id = species.map((s) => `${speciesId(s.key)}:${s.occupancy.toFixed(6)}`).join(',');
    const g = groups.get(id);
    if (g) g.sites.push(i);
    else groups.set(id, { sites: [i], species });
  });
  return [...groups.values()];
}

function siteName(structure: Structure, i: number): string {
  const label = structure.sites[i].label;
  return `site ${i}${label ? ` (${label})` : ''}`;
}

/**
 * Charge of each species for the ordered composition, or why there is none: the given states by
 * element, else the species' own when all have one, else guessed for the reduced formula
 * (pymatgen's max_sites=-1: far fewer combinations than the supercell formula).
 */
function chargesFor(
  structure: Structure,
  composition: Composition,
  given: Readonly<Record<string, number>> | undefined,
): { charge: (k: SpeciesKey) => number; states: Record<string, number> } | { why: string } {
  if (given) {
    const missing = composition.elements.find((el) => typeof given[el] !== 'number');
    if (missing) return { why: `no oxidation state given for ${missing}` };
    return { charge: (k) => given[k.element], states: { ...given } };
  }
  const all = structure.sites.flatMap((s) => s.species);
  if (all.every((sp) => sp.oxidationState !== undefined)) {
    return {
      charge: (k) => k.oxidationState as number,
      states: Object.fromEntries(all.map((sp) => [speciesId(sp), sp.oxidationState as number])),
    };
  }
  const g = [...composition.amounts.values()].reduce((a, b) => gcd(a, b), 0);
  try {
    const guessed = guessOxidationStates(
      Composition.fromAmounts([...composition.amounts].map(([el, x]) => [el, x / g] as const)),
    );
    return { charge: (k) => guessed.get(k.element) as number, states: Object.fromEntries(guessed) };
  } catch (err) {
    return { why: (err as Error).message };
  }
}

/** Per group and species, the atoms in a supercell of n cells; or the misses when not integral. */
function countsFor(
  groups: Group[],
  n: number,
  tol: number,
): { counts: number[][]; deviation: number } | { misses: { group: number; species: number }[] } {
  const misses: { group: number; species: number }[] = [];
  let deviation = 0;
  const counts = groups.map((g, gi) => {
    const sites = g.sites.length * n;
    const c = g.species.map(({ occupancy }, si) => {
      const count = Math.round(occupancy * sites);
      const dev = Math.abs(count / sites - occupancy);
      deviation = Math.max(deviation, dev);
      if (dev > tol) misses.push({ group: gi, species: si });
      return count;
    });
    // The vacancies must round within the tolerance too (and fit).
    const filled = c.reduce((s, x) => s + x, 0);
    const empty = 1 - g.species.reduce((s, x) => s + x.occupancy, 0);
    const vacancyDev = Math.abs((sites - filled) / sites - empty);
    deviation = Math.max(deviation, vacancyDev);
    if (filled > sites || vacancyDev > tol + 1e-12) misses.push({ group: gi, species: -1 });
    return c;
  });
  return misses.length ? { misses } : { counts, deviation };
}

/** The smallest supercell size whose groups hold integer counts making a charge-neutral cell. */
function plan(
  structure: Structure,
  groups: Group[],
  maxAtoms: number,
  tol: number,
  given: Readonly<Record<string, number>> | undefined,
): Plan {
  const fixed = structure.sites.filter(isOrderedSite);
  const atomsPerCell = structure.sites.reduce(
    (s, site) => s + site.species.reduce((t, sp) => t + sp.occupancy, 0),
    0,
  );
  const missCount = new Map<string, number>();
  let smallestIntegral: { n: number; atoms: number } | null = null;
  let neutralityFailure: string | null = null;
  let mixedValence: Plan | null = null;
  for (let n = 1; n * atomsPerCell * (1 - tol) <= maxAtoms; n++) {
    const r = countsFor(groups, n, tol);
    if ('misses' in r) {
      for (const m of r.misses)
        missCount.set(`${m.group}:${m.species}`, (missCount.get(`${m.group}:${m.species}`) ?? 0) + 1);
      continue;
    }
    const atoms = n * fixed.length + r.counts.flat().reduce((s, c) => s + c, 0);
    smallestIntegral ??= { n, atoms };
    if (atoms > maxAtoms) continue;
    const amounts: [string, number][] = fixed.map((site) => [site.species[0].element, n]);
    groups.forEach((g, gi) => g.species.forEach((s, si) => amounts.push([s.key.element, r.counts[gi][si]])));
    const composition = Composition.fromAmounts(amounts.filter(([, x]) => x > 0));
    const charges = chargesFor(structure, composition, given);
    if ('why' in charges) {
      neutralityFailure ??= `${charges.why} (${n} cells)`;
      continue;
    }
    let net = n * fixed.reduce((s, site) => s + charges.charge(site.species[0]), 0);
    groups.forEach((g, gi) =>
      g.species.forEach((s, si) => (net += r.counts[gi][si] * charges.charge(s.key))),
    );
    if (Math.abs(net) > 1e-6) {
      neutralityFailure ??= `${composition.formula} has net charge ${net.toFixed(3)} e (${n} cells)`;
      continue;
    }
    const found = {
      n,
      counts: r.counts,
      charge: charges.charge,
      oxidation_states: charges.states,
      deviation: r.deviation,
    };
    // Rounding can leave a composition that balances only by mixed valence (LAGP rounded to
    // Li8AlGe11P18O72 needs Ge +3.91): prefer a larger cell with integer states, if one fits.
    if (Object.values(charges.states).every(Number.isInteger)) return found;
    mixedValence ??= found;
  }
  if (mixedValence) return mixedValence;
  if (neutralityFailure) {
    throw new OrderingError(
      'not_charge_neutral',
      `cannot order: no charge-neutral ordering of at most ${maxAtoms} atoms: ${neutralityFailure}`,
    );
  }
  // Beyond the cap, only to tell the user how large a supercell would do (cheap: counts only).
  const lastN = Math.floor(maxAtoms / (atomsPerCell * (1 - tol)));
  for (let n = Math.max(lastN + 1, 1); !smallestIntegral && n <= BEYOND_CAP_CELLS; n++) {
    const r = countsFor(groups, n, tol);
    if (!('misses' in r))
      smallestIntegral = { n, atoms: n * fixed.length + r.counts.flat().reduce((s, c) => s + c, 0) };
  }
  if (smallestIntegral) {
    throw new OrderingError(
      'too_many_atoms',
      `cannot order: the smallest supercell with integral occupancies (${smallestIntegral.n} cells) has ${smallestIntegral.atoms} atoms, more than max_atoms ${maxAtoms}`,
    );
  }
  if (missCount.size === 0) {
    throw new OrderingError(
      'too_many_atoms',
      `cannot order: one cell holds ${atomsPerCell.toFixed(2)} atoms, more than max_atoms ${maxAtoms}`,
    );
  }
  // Name the group and species that missed most often: the one that needs the largest supercell.
  const [gi, si] = [...missCount]
    .sort((a, b) => b[1] - a[1])[0][0]
    .split(':')
    .map(Number);
  const g = groups[gi];
  const what =
    si >= 0
      ? `${g.species[si].key.element} occupancy ${g.species[si].occupancy}`
      : `vacancy ${(1 - g.species.reduce((s, x) => s + x.occupancy, 0)).toFixed(4)}`;
  throw new OrderingError(
    'non_integral_occupancy',
    `cannot order: no diagonal supercell of at most ${maxAtoms} atoms makes the occupancies integral within ${tol}: ${siteName(structure, g.sites[0])} ${what} on ${g.sites.length} site(s) per cell`,
  );
}

/** Configurations of one group: multinomial(sites; counts, vacancies). */
function multinomial(labels: readonly number[]): number {
  const tally = new Map<number, number>();
  for (const l of labels) tally.set(l, (tally.get(l) ?? 0) + 1);
  let total = 1;
  let placed = 0;
  for (const c of tally.values()) {
    for (let i = 1; i <= c; i++) total = (total * (placed + i)) / i;
    placed += c;
  }
  return total;
}

/** Next lexicographic permutation of a multiset in place; false (and sorted again) after the last. */
function nextPermutation(a: number[]): boolean {
  let i = a.length - 2;
  while (i >= 0 && a[i] >= a[i + 1]) i--;
  if (i < 0) {
    a.reverse();
    return false;
  }
  let j = a.length - 1;
  while (a[j] <= a[i]) j--;
  [a[i], a[j]] = [a[j], a[i]];
  for (let l = i + 1, r = a.length - 1; l < r; l++, r--) [a[l], a[r]] = [a[r], a[l]];
  return true;
}

/**
 * The variable part of the energy: sites 0..d-1 of `a` (the leading d×d block of the Ewald
 * matrix, row stride `stride`) with linear term u (interaction with the fixed sites, already doubled).
 */
class Energy {
  constructor(
    private readonly a: Float64Array,
    private readonly stride: number,
    private readonly u: Float64Array,
  ) {}

  of(q: Float64Array): number {
    const { a, stride, u } = this;
    let e = 0;
    for (let i = 0; i < q.length; i++) {
      if (q[i] === 0) continue;
      let row = 0;
      const base = i * stride;
      for (let j = 0; j < q.length; j++) row += a[base + j] * q[j];
      e += q[i] * (row + u[i]);
    }
    return e;
  }

  /** Steepest descent by swapping two sites of one group; returns swaps evaluated. */
  descend(q: Float64Array, groupOf: Int32Array): number {
    const { a, stride, u } = this;
    const d = q.length;
    const at = (i: number, j: number) => a[i * stride + j];
    // v = A q + u/2 (u holds the doubled fixed-site interaction).
    const v = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = u[i] / 2;
      for (let j = 0; j < d; j++) s += at(i, j) * q[j];
      v[i] = s;
    }
    let evaluated = 0;
    for (;;) {
      let best = -1e-9;
      let bi = -1;
      let bj = -1;
      for (let i = 0; i < d; i++) {
        for (let j = i + 1; j < d; j++) {
          if (groupOf[i] !== groupOf[j] || q[i] === q[j]) continue;
          const delta = q[j] - q[i];
          const de = 2 * delta * (v[i] - v[j]) + delta * delta * (at(i, i) + at(j, j) - 2 * at(i, j));
          evaluated++;
          if (de < best) {
            best = de;
            bi = i;
            bj = j;
          }
        }
      }
      if (bi < 0) return evaluated;
      const delta = q[bj] - q[bi];
      for (let k = 0; k < d; k++) v[k] += delta * (at(k, bi) - at(k, bj));
      [q[bi], q[bj]] = [q[bj], q[bi]];
    }
  }
}

/**
 * Orders a disordered structure into the lowest-Ewald-energy ordered supercell found (see the
 * module comment). An ordered structure comes back as it is (one configuration). Deterministic
 * for a seed; errors (OrderingError) name the site, occupancy or composition that stops it.
 */
export function orderDisorderedStructure(
  structure: Structure,
  options: OrderingOptions = {},
): OrderingResult {
  const maxAtoms = positiveInteger('maxAtoms', options.maxAtoms ?? 200);
  const samples = positiveInteger('samples', options.samples ?? 5000);
  const restarts = positiveInteger('restarts', options.restarts ?? 10);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0)
    throw new Error(`ordering: seed must be an integer ≥ 0, got ${seed}`);
  const tol = options.occupancyTolerance ?? 0.05;
  if (!(tol >= 0 && tol < 0.5))
    throw new Error(`ordering: occupancyTolerance must be in [0, 0.5), got ${tol}`);

  const groups = groupSites(structure);
  const p = plan(structure, groups, maxAtoms, tol, options.oxidationStates);
  const dims = compactDiagonalSupercell(structure.lattice, p.n);
  const lattice = supercellLattice(structure.lattice, dims);

  // Variable (group) sites first, then fixed ones: the search works on a leading block.
  const varFrac: Vec3[] = [];
  const groupOf: number[] = [];
  const varLabel: (string | undefined)[] = [];
  groups.forEach((g, gi) =>
    g.sites.forEach((i) =>
      supercellImages(structure.sites[i].frac, dims).forEach((f) => {
        varFrac.push(f);
        groupOf.push(gi);
        varLabel.push(structure.sites[i].label);
      }),
    ),
  );
  const fixedSites: Site[] = structure.sites
    .filter(isOrderedSite)
    .flatMap((site) => supercellImages(site.frac, dims).map((frac) => ({ ...site, frac })));
  const d = varFrac.length;
  const n = d + fixedSites.length;
  const matrix = ewaldMatrix(lattice, [...varFrac, ...fixedSites.map((s) => s.frac)], options.ewald);
  const qFixed = fixedSites.map((s) => p.charge(s.species[0]));
  const u = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let f = 0; f < qFixed.length; f++) s += matrix.a[i * n + d + f] * qFixed[f];
    u[i] = 2 * s;
  }
  let fixedEnergy = 0;
  for (let f = 0; f < qFixed.length; f++) {
    for (let g = 0; g < qFixed.length; g++)
      fixedEnergy += qFixed[f] * qFixed[g] * matrix.a[(d + f) * n + d + g];
  }
  const energy = new Energy(matrix.a, n, u);

  // Labels per group: species index, -1 for a vacancy, sorted (the first permutation).
  const labels = groups.map((g, gi) => {
    const sites = g.sites.length * p.n;
    const l: number[] = [];
    p.counts[gi].forEach((c, si) => l.push(...new Array<number>(c).fill(si)));
    while (l.length < sites) l.push(-1);
    return l.sort((x, y) => x - y);
  });
  const chargeOf = groups.map((g) => g.species.map((s) => p.charge(s.key)));
  const q = new Float64Array(d);
  const fill = () => {
    let k = 0;
    labels.forEach((l, gi) => l.forEach((x) => (q[k++] = x < 0 ? 0 : chargeOf[gi][x])));
  };
  const total = labels.reduce((t, l) => t * multinomial(l), 1);

  let bestLabels: number[][] = labels.map((l) => l.slice());
  let bestEnergy = Infinity;
  let evaluated = 0;
  const exhaustive = total <= samples;
  if (exhaustive) {
    // Odometer over the groups' permutations.
    for (;;) {
      fill();
      const e = energy.of(q);
      evaluated++;
      if (e < bestEnergy - 1e-12) {
        bestEnergy = e;
        bestLabels = labels.map((l) => l.slice());
      }
      let g = 0;
      while (g < labels.length && !nextPermutation(labels[g])) g++;
      if (g === labels.length) break;
    }
  } else {
    const rng = createRng(seed);
    const kept: { e: number; labels: number[][] }[] = [];
    for (let s = 0; s < samples; s++) {
      labels.forEach((l, gi) => (labels[gi] = shuffled(l, rng)));
      fill();
      const e = energy.of(q);
      evaluated++;
      if (kept.length < restarts || e < kept[kept.length - 1].e) {
        kept.push({ e, labels: labels.map((l) => l.slice()) });
        kept.sort((x, y) => x.e - y.e);
        if (kept.length > restarts) kept.pop();
      }
    }
    const group = Int32Array.from(groupOf);
    for (const k of kept) {
      k.labels.forEach((l, gi) => (labels[gi] = l.slice()));
      fill();
      evaluated += energy.descend(q, group);
      const e = energy.of(q);
      if (e < bestEnergy - 1e-12) {
        bestEnergy = e;
        bestLabels = swappedLabels(q, groupOf, chargeOf, k.labels);
      }
    }
  }

  // Build the ordered structure and its energy (background term for completeness: neutral here).
  labels.forEach((_, gi) => (labels[gi] = bestLabels[gi].slice()));
  fill();
  const sites: Site[] = [];
  let k = 0;
  let net = qFixed.reduce((s, x) => s + x, 0);
  groups.forEach((g, gi) =>
    bestLabels[gi].forEach((x) => {
      const i = k++;
      if (x < 0) return;
      const key = g.species[x].key;
      const species: SiteSpecies = { element: key.element, occupancy: 1, oxidationState: p.charge(key) };
      net += species.oxidationState as number;
      sites.push({ species: [species], frac: varFrac[i], ...(varLabel[i] ? { label: varLabel[i] } : {}) });
    }),
  );
  for (const site of fixedSites) {
    sites.push({
      ...site,
      species: [
        { element: site.species[0].element, occupancy: 1, oxidationState: p.charge(site.species[0]) },
      ],
    });
  }
  return {
    structure: new Structure(lattice, sites),
    supercell: dims,
    energy_eV: energy.of(q) + fixedEnergy + chargedCellEnergy(matrix, net),
    configurations_evaluated: evaluated,
    exhaustive,
    seed,
    oxidation_states: p.oxidation_states,
    max_occupancy_deviation: p.deviation,
  };
}

/**
 * Labels after descent: swaps moved charges, so read each site's label back from its charge
 * (species of equal charge in one group are interchangeable: keep their original order).
 */
function swappedLabels(
  q: Float64Array,
  groupOf: readonly number[],
  chargeOf: number[][],
  start: number[][],
): number[][] {
  const pools = start.map((l, gi) => {
    const byCharge = new Map<number, number[]>();
    for (const x of l) {
      const c = x < 0 ? 0 : chargeOf[gi][x];
      const list = byCharge.get(c) ?? [];
      list.push(x);
      byCharge.set(c, list);
    }
    return byCharge;
  });
  const out = start.map(() => [] as number[]);
  // Labels of equal charge are handed out in the order they appeared in the starting configuration.
  q.forEach((c, i) => {
    const gi = groupOf[i];
    out[gi].push((pools[gi].get(c) as number[]).shift() as number);
  });
  return out;
}
