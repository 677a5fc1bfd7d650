/**
 * CGCNN-style element embedding (Xie & Grossman, Phys. Rev. Lett. 120, 145301 (2018), Table S2):
 * one-hot bins of nine element properties, 92 features in the layout of CGCNN's atom_init.json:
 *
 *   group            19  columns 0-18: group 1-18; f-block elements (block "f") in column 0
 *   period            7  columns 19-25: period 1-7
 *   electronegativity 10 Pauling, 0.5-4.0 in equal bins
 *   covalent radius  10  25-250 pm in equal bins
 *   valence electrons 12 1-12 (values above 12 go to the last bin)
 *   first ionisation 10  ln(eV), 1.3-3.3 in equal bins
 *   electron affinity 10 -3.0-3.7 eV in equal bins
 *   block             4  s, p, d, f
 *   atomic volume    10  ln(molar volume / cm³ mol⁻¹), 1.5-4.3 in equal bins
 *
 * Values outside a range go to the nearest end bin; a missing (null) property leaves its
 * segment all zero, as atom_init.json does (e.g. for He's electronegativity). The values come
 * from materials/elements.ts (pymatgen, Cordero covalent radii), not CGCNN's original sources, so
 * some elements land in a neighbouring bin; the test reports how many rows match atom_init.json.
 */
import { getElement, type ElementData } from './elements';

interface Segment {
  readonly name: string;
  readonly size: number;
  /** Bin index of the element, or null for a missing value. */
  readonly bin: (e: ElementData) => number | null;
}

/** Bin of x among `bins` equal-width bins spanning [lo, hi]; outside values clamp to the ends. */
export function equalWidthBin(x: number, lo: number, hi: number, bins: number): number {
  const k = Math.floor(((x - lo) / (hi - lo)) * bins);
  return Math.min(bins - 1, Math.max(0, k));
}

const ranged =
  (value: (e: ElementData) => number | null, lo: number, hi: number, bins: number) =>
  (e: ElementData): number | null => {
    const x = value(e);
    return x === null || !Number.isFinite(x) ? null : equalWidthBin(x, lo, hi, bins);
  };

const logOf = (x: number | null): number | null => (x === null || x <= 0 ? null : Math.log(x));

export const CGCNN_SEGMENTS: readonly Segment[] = [
  { name: 'group', size: 19, bin: (e) => (e.block === 'f' ? 0 : e.group) },
  { name: 'period', size: 7, bin: (e) => e.period - 1 },
  { name: 'electronegativity', size: 10, bin: ranged((e) => e.electronegativity_pauling, 0.5, 4.0, 10) },
  {
    name: 'covalent_radius',
    size: 10,
    bin: ranged((e) => (e.covalent_radius_A === null ? null : e.covalent_radius_A * 100), 25, 250, 10),
  },
  { name: 'valence_electrons', size: 12, bin: (e) => Math.min(12, Math.max(1, e.valence_electrons)) - 1 },
  {
    name: 'first_ionization_energy',
    size: 10,
    bin: ranged((e) => logOf(e.first_ionization_energy_eV), 1.3, 3.3, 10),
  },
  { name: 'electron_affinity', size: 10, bin: ranged((e) => e.electron_affinity_eV, -3.0, 3.7, 10) },
  { name: 'block', size: 4, bin: (e) => 'spdf'.indexOf(e.block) },
  { name: 'atomic_volume', size: 10, bin: ranged((e) => logOf(e.molar_volume_cm3_per_mol), 1.5, 4.3, 10) },
];

export const CGCNN_EMBEDDING_LENGTH = CGCNN_SEGMENTS.reduce((n, s) => n + s.size, 0);

const cache = new Map<string, Float32Array>();

/** 92-long 0/1 embedding of an element (cached; do not mutate the returned array). */
export function cgcnnElementEmbedding(symbol: string): Float32Array {
  const hit = cache.get(symbol);
  if (hit !== undefined) return hit;
  const element = getElement(symbol);
  const out = new Float32Array(CGCNN_EMBEDDING_LENGTH);
  let offset = 0;
  for (const segment of CGCNN_SEGMENTS) {
    const k = segment.bin(element);
    if (k !== null) out[offset + k] = 1;
    offset += segment.size;
  }
  cache.set(symbol, out);
  return out;
}
