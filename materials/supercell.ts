/**
 * Diagonal supercells: the cell repeated a × b × c times along its own lattice vectors, sites in
 * the order of pymatgen's make_supercell for a diagonal matrix (each site's images together).
 */
import { Lattice, type Vec3 } from './lattice';

export type SupercellDims = [number, number, number];

function checkDims(dims: readonly number[]): void {
  if (dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`supercell: multiples must be 3 positive integers, got ${JSON.stringify(dims)}`);
  }
}

export function supercellLattice(lattice: Lattice, dims: Readonly<SupercellDims>): Lattice {
  checkDims(dims);
  return new Lattice(lattice.matrix.map((row, i) => row.map((x) => x * dims[i])));
}

/** Fractional coordinates (in the supercell) of every image of `frac`, image index fastest. */
export function supercellImages(frac: Readonly<Vec3>, dims: Readonly<SupercellDims>): Vec3[] {
  checkDims(dims);
  const out: Vec3[] = [];
  for (let i = 0; i < dims[0]; i++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let k = 0; k < dims[2]; k++) {
        out.push([(frac[0] + i) / dims[0], (frac[1] + j) / dims[1], (frac[2] + k) / dims[2]]);
      }
    }
  }
  return out;
}

/**
 * Of the diagonal supercells with a·b·c = n, the most compact one: largest smallest distance
 * between opposite faces (so periodic images stay far apart), ties to the first in (a, b, c) order.
 */
export function compactDiagonalSupercell(lattice: Lattice, n: number): SupercellDims {
  if (!Number.isInteger(n) || n < 1) throw new Error(`supercell: size must be a positive integer, got ${n}`);
  // Face distances of the unit cell; the supercell's are these times a, b, c.
  const widths = lattice.perpendicularWidths;
  let best: SupercellDims = [n, 1, 1];
  let bestWidth = -Infinity;
  for (let a = 1; a <= n; a++) {
    if (n % a) continue;
    for (let b = 1; b <= n / a; b++) {
      if ((n / a) % b) continue;
      const c = n / a / b;
      const w = Math.min(widths[0] * a, widths[1] * b, widths[2] * c);
      if (w > bestWidth + 1e-9) {
        best = [a, b, c];
        bestWidth = w;
      }
    }
  }
  return best;
}
