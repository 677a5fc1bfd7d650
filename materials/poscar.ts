/**
 * VASP POSCAR / CONTCAR read and write (VASP 5 format with a species line; VASP 4 files without it
 * need `species` in the options or element symbols on the comment line, as pymatgen accepts).
 * Reading handles the scaling line (one factor, three factors, or a negative target volume),
 * Selective dynamics, Direct/Cartesian coordinates, and ignores velocity blocks of CONTCARs.
 */
import { isElementSymbol } from './elements';
import { Lattice, type Vec3 } from './lattice';
import { formatReal } from './numberFormat';
import { Structure } from './structure';

export interface PoscarReadOptions {
  /** Name used in error messages. */
  source?: string;
  /** Element of each species group, for VASP 4 files without a species line. */
  species?: readonly string[];
}

export interface Poscar {
  readonly comment: string;
  readonly structure: Structure;
  /** Selective-dynamics flags per site ([x, y, z] may move), when the file has them. */
  readonly selectiveDynamics?: ReadonlyArray<readonly [boolean, boolean, boolean]>;
}

export function readPoscar(text: string, options: PoscarReadOptions = {}): Poscar {
  const source = options.source ?? 'POSCAR';
  const lines = text.split(/\r\n|\r|\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop(); // trailing blank lines
  let n = 0;
  const fail = (line: number, message: string): never => {
    throw new Error(`${source}: line ${line + 1}: ${message}`);
  };
  const next = (what: string): string[] => {
    if (n >= lines.length) fail(n, `unexpected end of file, expected ${what}`);
    return lines[n++]
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '');
  };
  const number = (token: string | undefined, line: number, what: string): number => {
    const x = token === undefined ? Number.NaN : Number(token.replace(/[dD]/, 'e'));
    if (!Number.isFinite(x)) fail(line, `expected ${what}, got "${token ?? ''}"`);
    return x;
  };

  const comment = lines[n++] ?? '';
  const scaleTokens = next('the scaling factor');
  const scale = scaleTokens.map((t) => number(t, 1, 'a scaling factor'));
  if (scale.length !== 1 && scale.length !== 3)
    fail(1, `expected 1 or 3 scaling factors, got ${scale.length}`);
  const rows = [0, 1, 2].map((k) => {
    const t = next(`lattice vector ${k + 1}`);
    return [0, 1, 2].map((c) => number(t[c], n - 1, `lattice vector ${k + 1}`)) as Vec3;
  });
  // Cartesian scaling per axis (VASP scales lattice vectors and Cartesian positions alike).
  let axisScale: Vec3;
  if (scale.length === 3) {
    axisScale = [scale[0], scale[1], scale[2]];
  } else if (scale[0] < 0) {
    // Negative scale: the target cell volume in Å³.
    const factor = Math.cbrt(-scale[0] / new Lattice(rows).volume);
    axisScale = [factor, factor, factor];
  } else {
    axisScale = [scale[0], scale[0], scale[0]];
  }
  const matrix = rows.map((r) => r.map((x, c) => x * axisScale[c]) as Vec3);
  let lattice: Lattice;
  try {
    lattice = new Lattice(matrix);
  } catch (error) {
    throw new Error(`${source}: ${(error as Error).message}`, { cause: error });
  }

  let tokens = next('species names or counts');
  let speciesNames: string[];
  if (tokens.every((t) => /^\d+$/.test(t))) {
    const fromComment = comment.trim().split(/\s+/);
    speciesNames = options.species
      ? [...options.species]
      : fromComment.length === tokens.length && fromComment.every(isElementSymbol)
        ? fromComment
        : fail(n - 1, 'no species line (VASP 4 format): pass options.species');
  } else {
    // VASP 5; POTCAR-style names like "Li_sv" or "O/abc123" keep only the element.
    speciesNames = tokens.map((t) => t.split(/[_/]/)[0]);
    tokens = next('species counts');
  }
  const speciesLine = n - 1;
  const counts = tokens.map((t) => {
    if (!/^\d+$/.test(t)) fail(speciesLine, `expected species counts, got "${t}"`);
    return Number(t);
  });
  if (counts.length !== speciesNames.length) {
    fail(speciesLine, `${speciesNames.length} species names but ${counts.length} counts`);
  }
  speciesNames.forEach((s) => {
    if (!isElementSymbol(s)) fail(speciesLine - 1, `unknown element "${s}"`);
  });

  let mode = next('Direct or Cartesian');
  const selective = /^s/i.test(mode[0] ?? '');
  if (selective) mode = next('Direct or Cartesian');
  const cartesian = /^[ck]/i.test(mode[0] ?? '');
  if (!cartesian && !/^d/i.test(mode[0] ?? ''))
    fail(n - 1, `expected Direct or Cartesian, got "${mode.join(' ')}"`);

  const elements = speciesNames.flatMap((s, k) => Array<string>(counts[k]).fill(s));
  const frac: Vec3[] = [];
  const flags: [boolean, boolean, boolean][] = [];
  for (let i = 0; i < elements.length; i += 1) {
    const t = next(`coordinates of site ${i + 1}`);
    const xyz = [0, 1, 2].map((c) => number(t[c], n - 1, `coordinates of site ${i + 1}`)) as Vec3;
    if (cartesian) {
      frac.push(lattice.cartToFrac(xyz.map((x, c) => x * axisScale[c]) as Vec3));
    } else {
      frac.push(xyz);
    }
    if (selective) {
      const f = t.slice(3, 6);
      if (f.length !== 3 || !f.every((x) => /^[TF]$/i.test(x)))
        fail(n - 1, 'expected three T/F selective-dynamics flags');
      flags.push(f.map((x) => /^t/i.test(x)) as [boolean, boolean, boolean]);
    }
  }
  const structure = Structure.fromElements(lattice, elements, frac);
  return selective ? { comment, structure, selectiveDynamics: flags } : { comment, structure };
}

export interface PoscarWriteOptions {
  comment?: string;
}

/** Writes a VASP 5 POSCAR with Direct coordinates; sites keep their order (repeated species runs allowed). */
export function writePoscar(structure: Structure, options: PoscarWriteOptions = {}): string {
  const runs: { element: string; count: number }[] = [];
  structure.sites.forEach((site, i) => {
    if (site.species.length !== 1 || site.species[0].occupancy !== 1) {
      throw new Error(`writePoscar: site ${i} is partially occupied; POSCAR needs an ordered structure`);
    }
    const element = site.species[0].element;
    const last = runs[runs.length - 1];
    if (last?.element === element) last.count += 1;
    else runs.push({ element, count: 1 });
  });
  const comment = (options.comment ?? structure.composition.formula).replace(/[\r\n]+/g, ' ');
  const lines = [
    comment,
    '1.0',
    ...structure.lattice.matrix.map((row) => row.map(formatReal).join(' ')),
    runs.map((r) => r.element).join(' '),
    runs.map((r) => r.count).join(' '),
    'direct',
    ...structure.sites.map((s) => `${s.frac.map(formatReal).join(' ')} ${s.species[0].element}`),
  ];
  return `${lines.join('\n')}\n`;
}
