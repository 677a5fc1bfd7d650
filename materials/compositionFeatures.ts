/**
 * Composition features for structure-free surrogates.
 *
 * Magpie-style statistics (Ward, Agrawal, Choudhary & Wolverton, npj Comput. Mater. 2, 16028
 * (2016)) of element properties from materials/elements.ts, with atomic fractions f_i:
 *   mean = Σ f_i x_i,  min = min_i x_i,  max = max_i x_i,  range = max - min,
 *   mad  = Σ f_i |x_i - mean|   (Magpie's "avg_dev", matminer's ElementProperty "avg_dev").
 * Missing values (null in the table): statistics use only the elements that have the property,
 * with their fractions renormalised to sum to 1; if no element of the composition has it, all
 * five statistics are NaN. (Every element in OBELiX has every property used here.)
 * Plus domain features: Li and anion fractions, number of elements, Lp norms of the fractions
 * (Magpie's stoichiometric attributes, p = 2, 3, 5, 7, 10).
 * Names are valid MongoDB keys: only [a-z0-9_].
 */
import { Composition } from './composition';
import { getElement, type NumericElementProperty } from './elements';

/** Feature-name stem -> element-table property used in the statistics. */
export const COMPOSITION_FEATURE_PROPERTIES: ReadonlyArray<readonly [string, NumericElementProperty]> = [
  ['atomic_number', 'z'],
  ['atomic_mass_u', 'atomic_mass_u'],
  ['group', 'group'],
  ['period', 'period'],
  ['electronegativity_pauling', 'electronegativity_pauling'],
  ['covalent_radius_angstrom', 'covalent_radius_A'],
  ['first_ionization_energy_ev', 'first_ionization_energy_eV'],
  ['electron_affinity_ev', 'electron_affinity_eV'],
  ['valence_electrons', 'valence_electrons'],
  ['melting_point_kelvin', 'melting_point_K'],
  ['mendeleev_number', 'mendeleev_number'],
  ['molar_volume_cm3_per_mol', 'molar_volume_cm3_per_mol'],
];

export const COMPOSITION_STATISTICS = ['mean', 'min', 'max', 'range', 'mad'] as const;

/** Elements whose atomic fraction is a feature of its own (Li, then the common anions). */
const FRACTION_ELEMENTS = ['Li', 'O', 'S', 'Se', 'N', 'P', 'F', 'Cl', 'Br', 'I'] as const;
const HALOGENS = ['F', 'Cl', 'Br', 'I'] as const;
const LP_NORMS = [2, 3, 5, 7, 10] as const;

export const COMPOSITION_FEATURE_NAMES: readonly string[] = Object.freeze([
  ...COMPOSITION_FEATURE_PROPERTIES.flatMap(([stem]) =>
    COMPOSITION_STATISTICS.map((stat) => `${stat}_${stem}`),
  ),
  ...FRACTION_ELEMENTS.map((symbol) => `${symbol.toLowerCase()}_fraction`),
  'halogen_fraction',
  'num_elements',
  ...LP_NORMS.map((p) => `l${p}_norm_fractions`),
]);

/** Fraction-weighted statistics of one property; NaN x5 when no element has a value. */
export function weightedStatistics(
  fractions: readonly number[],
  values: readonly (number | null)[],
): number[] {
  let weight = 0;
  let mean = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  values.forEach((x, i) => {
    if (x === null) return;
    weight += fractions[i];
    mean += fractions[i] * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  });
  if (weight === 0) return COMPOSITION_STATISTICS.map(() => Number.NaN);
  mean /= weight;
  let mad = 0;
  values.forEach((x, i) => {
    if (x !== null) mad += fractions[i] * Math.abs(x - mean);
  });
  return [mean, min, max, max - min, mad / weight];
}

/** Feature vector in the order of COMPOSITION_FEATURE_NAMES. */
export function compositionFeatures(comp: Composition): number[] {
  const fractionBySymbol = comp.elementFractions();
  const symbols = [...fractionBySymbol.keys()];
  const fractions = symbols.map((s) => fractionBySymbol.get(s) as number);
  const elements = symbols.map((s) => getElement(s));

  const features: number[] = [];
  for (const [, property] of COMPOSITION_FEATURE_PROPERTIES) {
    features.push(
      ...weightedStatistics(
        fractions,
        elements.map((e) => e[property]),
      ),
    );
  }
  for (const symbol of FRACTION_ELEMENTS) features.push(fractionBySymbol.get(symbol) ?? 0);
  features.push(HALOGENS.reduce((sum, s) => sum + (fractionBySymbol.get(s) ?? 0), 0));
  features.push(symbols.length);
  for (const p of LP_NORMS) features.push(fractions.reduce((sum, f) => sum + f ** p, 0) ** (1 / p));
  return features;
}

/** Features keyed by name (for storage as a document). */
export function compositionFeatureRecord(comp: Composition): Record<string, number> {
  const values = compositionFeatures(comp);
  return Object.fromEntries(COMPOSITION_FEATURE_NAMES.map((name, i) => [name, values[i]]));
}
