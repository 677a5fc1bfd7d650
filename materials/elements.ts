/**
 * Element property table, Z = 1..103.
 *
 * Data: materials/data/elements.json, written by materials/data/generate_elements.py from
 * pymatgen's periodic table (pymatgen.core.periodic_table.Element: WebElements / CRC / NIST
 * compilations; Mendeleev numbers after Pettifor 1984) and covalent radii from Cordero et al.,
 * Dalton Trans. 2008, 2832-2838 (doi:10.1039/b801115j). Missing values are null, never guessed.
 * Regenerate with the reference venv rather than editing the JSON by hand.
 */
import { z } from 'zod';
import table from './data/elements.json';

const nullableNumber = z.number().nullable();

const elementSchema = z.object({
  z: z.number().int().min(1),
  symbol: z.string().regex(/^[A-Z][a-z]?$/),
  name: z.string(),
  atomic_mass_u: z.number(),
  group: z.number().int().min(1).max(18),
  /** IUPAC period (lanthanides 6, actinides 7). */
  period: z.number().int().min(1).max(7),
  block: z.enum(['s', 'p', 'd', 'f']),
  electronegativity_pauling: nullableNumber,
  /** Empirical atomic radius (Slater 1964), Å. */
  atomic_radius_A: nullableNumber,
  /** Calculated atomic radius (Clementi et al. 1967), Å. */
  atomic_radius_calculated_A: nullableNumber,
  /** Cordero et al. 2008, Å. */
  covalent_radius_A: nullableNumber,
  first_ionization_energy_eV: nullableNumber,
  electron_affinity_eV: nullableNumber,
  molar_volume_cm3_per_mol: nullableNumber,
  /** Group-counting convention; see generate_elements.py (Zn 12, Ga 3, Pb 4, La 3). */
  valence_electrons: z.number().int().min(0),
  melting_point_K: nullableNumber,
  mendeleev_number: nullableNumber,
});

export type ElementData = Readonly<z.infer<typeof elementSchema>>;

/** Numeric per-element properties (those usable in statistics). */
export type NumericElementProperty = {
  [K in keyof ElementData]: ElementData[K] extends number | null ? K : never;
}[keyof ElementData];

function loadTable(): readonly ElementData[] {
  const parsed = z.array(elementSchema).safeParse(table.elements);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `materials/data/elements.json: invalid field elements.${issue.path.join('.')}: ${issue.message}`,
    );
  }
  parsed.data.forEach((e, i) => {
    if (e.z !== i + 1)
      throw new Error(`materials/data/elements.json: element ${i} has z=${e.z}, expected ${i + 1}`);
  });
  return Object.freeze(parsed.data.map((e) => Object.freeze(e)));
}

/** All elements, index i holds Z = i + 1. */
export const ELEMENTS: readonly ElementData[] = loadTable();

/** Where the table came from (generator, pymatgen version, covalent-radius source). */
export const ELEMENT_TABLE_SOURCE: Readonly<Record<string, string>> = Object.freeze({ ...table.source });

const BY_SYMBOL: ReadonlyMap<string, ElementData> = new Map(ELEMENTS.map((e) => [e.symbol, e]));

/** Looks up an element by its symbol (case-sensitive, e.g. "Li"); throws for unknown symbols. */
export function getElement(symbol: string): ElementData {
  const element = BY_SYMBOL.get(symbol);
  if (element === undefined) throw new Error(`Unknown element "${symbol}"`);
  return element;
}

/** True when `symbol` names an element of the table. */
export function isElementSymbol(symbol: string): boolean {
  return BY_SYMBOL.has(symbol);
}

/** Looks up an element by atomic number; throws outside 1..103. */
export function getElementByZ(atomicNumber: number): ElementData {
  const element = ELEMENTS[atomicNumber - 1];
  if (element === undefined || !Number.isInteger(atomicNumber)) {
    throw new Error(`Unknown atomic number ${atomicNumber} (table covers 1..${ELEMENTS.length})`);
  }
  return element;
}
