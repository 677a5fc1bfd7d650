/**
 * Structure -> CIF in space group P1 (every site written out, only the identity operation).
 * A disordered site becomes one _atom_site row per species at the same position, which
 * CIF readers (ours, pymatgen's) merge back into one site.
 */
import { formatReal } from './numberFormat';
import type { Structure } from './structure';

export interface CifWriteOptions {
  /** data_ block name (letters, digits, _ . -); defaults to the reduced formula. */
  blockName?: string;
}

export function writeCif(structure: Structure, options: CifWriteOptions = {}): string {
  const composition = structure.composition;
  const blockName = (options.blockName ?? composition.reducedFormula).replace(/[^A-Za-z0-9_.()-]/g, '_');
  const [a, b, c] = structure.lattice.abc;
  const [alpha, beta, gamma] = structure.lattice.angles;
  const lines = [
    '# written by Crucible materials/cifWriter.ts',
    `data_${blockName}`,
    "_symmetry_space_group_name_H-M   'P 1'",
    '_symmetry_Int_Tables_number   1',
    `_cell_length_a   ${formatReal(a)}`,
    `_cell_length_b   ${formatReal(b)}`,
    `_cell_length_c   ${formatReal(c)}`,
    `_cell_angle_alpha   ${formatReal(alpha)}`,
    `_cell_angle_beta   ${formatReal(beta)}`,
    `_cell_angle_gamma   ${formatReal(gamma)}`,
    `_cell_volume   ${formatReal(structure.lattice.volume)}`,
    `_chemical_formula_sum   '${composition.formula}'`,
    'loop_',
    ' _symmetry_equiv_pos_site_id',
    ' _symmetry_equiv_pos_as_xyz',
    "  1  'x, y, z'",
    'loop_',
    ' _atom_site_type_symbol',
    ' _atom_site_label',
    ' _atom_site_fract_x',
    ' _atom_site_fract_y',
    ' _atom_site_fract_z',
    ' _atom_site_occupancy',
  ];
  const counts = new Map<string, number>();
  for (const site of structure.sites) {
    for (const sp of site.species) {
      const k = counts.get(sp.element) ?? 0;
      counts.set(sp.element, k + 1);
      const xyz = site.frac.map(formatReal).join('  ');
      lines.push(`  ${sp.element}  ${sp.element}${k}  ${xyz}  ${formatReal(sp.occupancy)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
