/**
 * Reference neighbour search by brute force: every pair of sites over every lattice translation
 * that can reach the cutoff, O(N²·images). Same semantics and output order as neighborList;
 * kept as the baseline for tests and the benchmark, not for production use.
 */
import type { NeighborList, NeighborOptions } from './neighbors';
import type { Structure } from './structure';

export function bruteForceNeighborList(
  structure: Structure,
  cutoff: number,
  options: NeighborOptions = {},
): NeighborList {
  const tol = options.numericalTolerance ?? 1e-8;
  const reach = cutoff + tol;
  const n = structure.numSites;
  const m = structure.lattice.matrix;
  const widths = structure.lattice.perpendicularWidths;
  // Any translation reaching within `reach` differs by at most ceil(reach/width)+1 cells per axis.
  const range = widths.map((w) => Math.ceil(reach / w) + 1);
  const pairs: { i: number; j: number; image: [number, number, number]; d: number }[] = [];
  for (let i = 0; i < n; i += 1) {
    const fi = structure.sites[i].frac;
    for (let j = 0; j < n; j += 1) {
      const fj = structure.sites[j].frac;
      // Centre the image range on the nearest periodic copy of j.
      const base = [0, 1, 2].map((k) => Math.round(fi[k] - fj[k]));
      for (let a = base[0] - range[0]; a <= base[0] + range[0]; a += 1) {
        for (let b = base[1] - range[1]; b <= base[1] + range[1]; b += 1) {
          for (let c = base[2] - range[2]; c <= base[2] + range[2]; c += 1) {
            const f0 = fj[0] + a - fi[0];
            const f1 = fj[1] + b - fi[1];
            const f2 = fj[2] + c - fi[2];
            const dx = f0 * m[0][0] + f1 * m[1][0] + f2 * m[2][0];
            const dy = f0 * m[0][1] + f1 * m[1][1] + f2 * m[2][1];
            const dz = f0 * m[0][2] + f1 * m[1][2] + f2 * m[2][2];
            const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
            if (d > reach || (i === j && a === 0 && b === 0 && c === 0 && d <= tol)) continue;
            pairs.push({ i, j, image: [a, b, c], d });
          }
        }
      }
    }
  }
  pairs.sort(
    (p, q) =>
      p.i - q.i ||
      p.d - q.d ||
      p.j - q.j ||
      p.image[0] - q.image[0] ||
      p.image[1] - q.image[1] ||
      p.image[2] - q.image[2],
  );
  const offsets = new Int32Array(n + 1);
  for (const p of pairs) offsets[p.i + 1] += 1;
  for (let i = 0; i < n; i += 1) offsets[i + 1] += offsets[i];
  return {
    cutoff,
    offsets,
    centers: Int32Array.from(pairs, (p) => p.i),
    neighbors: Int32Array.from(pairs, (p) => p.j),
    images: Int32Array.from(pairs.flatMap((p) => p.image)),
    distances: Float64Array.from(pairs, (p) => p.d),
  };
}
