/**
 * Extended XYZ writer (the format of ASE, LAMMPS/ASE/MLIP tooling for MD): atom count, a comment
 * line with Lattice="ax ay az bx by bz cx cy cz", Properties=species:S:1:pos:R:3 and pbc="T T T",
 * then one line per atom with Cartesian positions in Å. Ordered structures only.
 */
import { formatReal } from './numberFormat';
import type { Structure } from './structure';

export interface ExtendedXyzOptions {
  /** Extra key=value pairs for the comment line (values are quoted when they contain spaces). */
  info?: Readonly<Record<string, string | number | boolean>>;
}

export function writeExtendedXyz(structure: Structure, options: ExtendedXyzOptions = {}): string {
  const lattice = structure.lattice.matrix.flat().map(formatReal).join(' ');
  const info = Object.entries(options.info ?? {}).map(([key, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`writeExtendedXyz: invalid info key "${key}"`);
    const text = typeof value === 'boolean' ? (value ? 'T' : 'F') : String(value);
    return /[\s"=]/.test(text) ? `${key}="${text.replace(/"/g, '\\"')}"` : `${key}=${text}`;
  });
  const header = [`Lattice="${lattice}"`, 'Properties=species:S:1:pos:R:3', ...info, 'pbc="T T T"'].join(' ');
  const atoms = structure.sites.map((site, i) => {
    if (site.species.length !== 1 || site.species[0].occupancy !== 1) {
      throw new Error(`writeExtendedXyz: site ${i} is partially occupied; MD needs an ordered structure`);
    }
    return `${site.species[0].element} ${structure.cartesian(i).map(formatReal).join(' ')}`;
  });
  return `${structure.numSites}\n${header}\n${atoms.join('\n')}\n`;
}
