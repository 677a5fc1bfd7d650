/**
 * All neighbours within a cutoff under periodic boundary conditions, with a cell list: atoms are
 * wrapped into the cell, the periodic images that can lie within the cutoff of the cell are
 * generated once, binned into cubes of side >= cutoff, and each atom only looks at the 27 cubes
 * around it. Cost ~ O(N·k) for k neighbours per atom instead of O(N²·images).
 *
 * Semantics match pymatgen's Structure.get_neighbor_list / get_all_neighbors: a pair (i, j, image)
 * is included when |x_j + image·L - x_i| <= cutoff + tol (tol = 1e-8 Å), the atom itself at
 * image (0,0,0) is excluded, and `image` is the lattice translation relative to the stored
 * fractional coordinates (neighbour frac = frac_j + image), even when those lie outside [0, 1).
 * For disordered sites, neighbours are per site (occupancies are ignored here).
 */
import type { Vec3 } from './lattice';
import type { Structure } from './structure';

export interface NeighborList {
  readonly cutoff: number;
  /** Pairs of centre i are at indices offsets[i] .. offsets[i+1]-1 (by distance, then index, unless sorted: false). */
  readonly offsets: Int32Array;
  readonly centers: Int32Array;
  readonly neighbors: Int32Array;
  /** Lattice translation of each neighbour, 3 integers per pair. */
  readonly images: Int32Array;
  /** Å. */
  readonly distances: Float64Array;
}

export interface Neighbor {
  readonly index: number;
  readonly image: Vec3;
  readonly distance: number;
}

export interface NeighborOptions {
  /** Distance slack (Å) for the cutoff and for recognising the atom itself; pymatgen's default 1e-8. */
  numericalTolerance?: number;
  /**
   * Sort each centre's pairs by distance, then index, then image (default true). Sorting is most
   * of the cost at large cutoffs; unsorted output is still deterministic (cell-list order).
   */
  sorted?: boolean;
}

/** Growable typed buffers: neighbour counts are not known in advance. */
class PairBuffer {
  length = 0;
  neighbors = new Int32Array(1024);
  images = new Int32Array(3 * 1024);
  distances = new Float64Array(1024);

  push(j: number, i0: number, i1: number, i2: number, d: number): void {
    if (this.length === this.neighbors.length) this.grow();
    const n = this.length;
    this.neighbors[n] = j;
    this.images[3 * n] = i0;
    this.images[3 * n + 1] = i1;
    this.images[3 * n + 2] = i2;
    this.distances[n] = d;
    this.length = n + 1;
  }

  private grow(): void {
    const size = this.neighbors.length * 2;
    const neighbors = new Int32Array(size);
    neighbors.set(this.neighbors);
    const images = new Int32Array(3 * size);
    images.set(this.images);
    const distances = new Float64Array(size);
    distances.set(this.distances);
    [this.neighbors, this.images, this.distances] = [neighbors, images, distances];
  }
}

/** Neighbour list of every site within `cutoff` Å (cell-list algorithm). */
export function neighborList(
  structure: Structure,
  cutoff: number,
  options: NeighborOptions = {},
): NeighborList {
  if (!(cutoff > 0) || !Number.isFinite(cutoff))
    throw new Error(`neighborList: cutoff must be > 0 Å, got ${cutoff}`);
  const tol = options.numericalTolerance ?? 1e-8;
  const reach = cutoff + tol;
  const n = structure.numSites;
  const m = structure.lattice.matrix;

  // Wrap into [0, 1): frac = wrapped + shift, shift integer.
  const wrapped = new Float64Array(3 * n);
  const shift = new Int32Array(3 * n);
  structure.sites.forEach((site, i) => {
    for (let k = 0; k < 3; k += 1) {
      let s = Math.floor(site.frac[k]);
      let w = site.frac[k] - s;
      if (w >= 1) [w, s] = [w - 1, s + 1]; // -1e-17 - floor(-1e-17) rounds to 1
      wrapped[3 * i + k] = w;
      shift[3 * i + k] = s;
    }
  });

  // Images of the wrapped atoms that can be within `reach` of the cell [0,1)^3.
  const widths = structure.lattice.perpendicularWidths;
  const margin = widths.map((w) => reach / w) as Vec3;
  const maxImage = margin.map((x) => Math.ceil(x)) as Vec3;
  const pointSite: number[] = [];
  const pointImage: number[] = [];
  const pointCart: number[] = [];
  for (let j = 0; j < n; j += 1) {
    for (let a = -maxImage[0]; a <= maxImage[0]; a += 1) {
      const fa = wrapped[3 * j] + a;
      if (fa < -margin[0] || fa > 1 + margin[0]) continue;
      for (let b = -maxImage[1]; b <= maxImage[1]; b += 1) {
        const fb = wrapped[3 * j + 1] + b;
        if (fb < -margin[1] || fb > 1 + margin[1]) continue;
        for (let c = -maxImage[2]; c <= maxImage[2]; c += 1) {
          const fc = wrapped[3 * j + 2] + c;
          if (fc < -margin[2] || fc > 1 + margin[2]) continue;
          pointSite.push(j);
          pointImage.push(a, b, c);
          pointCart.push(
            fa * m[0][0] + fb * m[1][0] + fc * m[2][0],
            fa * m[0][1] + fb * m[1][1] + fc * m[2][1],
            fa * m[0][2] + fb * m[1][2] + fc * m[2][2],
          );
        }
      }
    }
  }
  const numPoints = pointSite.length;

  // Bin the points into cubes of side >= reach (enlarged if the grid would be mostly empty).
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let p = 0; p < numPoints; p += 1) {
    for (let k = 0; k < 3; k += 1) {
      lo[k] = Math.min(lo[k], pointCart[3 * p + k]);
      hi[k] = Math.max(hi[k], pointCart[3 * p + k]);
    }
  }
  let side = reach;
  let dims: Vec3;
  for (;;) {
    dims = [0, 1, 2].map((k) => Math.max(1, Math.floor((hi[k] - lo[k]) / side) + 1)) as Vec3;
    if (dims[0] * dims[1] * dims[2] <= 8 * numPoints + 64) break;
    side *= 1.5;
  }
  const cellOf = (x: number, k: number): number => Math.min(dims[k] - 1, Math.floor((x - lo[k]) / side));
  const cellStart = new Int32Array(dims[0] * dims[1] * dims[2] + 1);
  const pointCell = new Int32Array(numPoints);
  for (let p = 0; p < numPoints; p += 1) {
    const cell =
      (cellOf(pointCart[3 * p], 0) * dims[1] + cellOf(pointCart[3 * p + 1], 1)) * dims[2] +
      cellOf(pointCart[3 * p + 2], 2);
    pointCell[p] = cell;
    cellStart[cell + 1] += 1;
  }
  for (let c = 0; c < cellStart.length - 1; c += 1) cellStart[c + 1] += cellStart[c];
  const fill = cellStart.slice(0, -1);
  const sortedPoints = new Int32Array(numPoints);
  for (let p = 0; p < numPoints; p += 1) sortedPoints[fill[pointCell[p]]++] = p;

  const buffer = new PairBuffer();
  const offsets = new Int32Array(n + 1);
  const reach2 = reach * reach;
  for (let i = 0; i < n; i += 1) {
    const start = buffer.length;
    const f0 = wrapped[3 * i];
    const f1 = wrapped[3 * i + 1];
    const f2 = wrapped[3 * i + 2];
    const x = f0 * m[0][0] + f1 * m[1][0] + f2 * m[2][0];
    const y = f0 * m[0][1] + f1 * m[1][1] + f2 * m[2][1];
    const z = f0 * m[0][2] + f1 * m[1][2] + f2 * m[2][2];
    const cx = cellOf(x, 0);
    const cy = cellOf(y, 1);
    const cz = cellOf(z, 2);
    for (let gx = Math.max(0, cx - 1); gx <= Math.min(dims[0] - 1, cx + 1); gx += 1) {
      for (let gy = Math.max(0, cy - 1); gy <= Math.min(dims[1] - 1, cy + 1); gy += 1) {
        for (let gz = Math.max(0, cz - 1); gz <= Math.min(dims[2] - 1, cz + 1); gz += 1) {
          const cell = (gx * dims[1] + gy) * dims[2] + gz;
          for (let q = cellStart[cell]; q < cellStart[cell + 1]; q += 1) {
            const p = sortedPoints[q];
            const dx = pointCart[3 * p] - x;
            const dy = pointCart[3 * p + 1] - y;
            const dz = pointCart[3 * p + 2] - z;
            const d2 = dx * dx + dy * dy + dz * dz;
            if (d2 > reach2) continue;
            const j = pointSite[p];
            const d = Math.sqrt(d2);
            const a = pointImage[3 * p];
            const b = pointImage[3 * p + 1];
            const c = pointImage[3 * p + 2];
            if (j === i && a === 0 && b === 0 && c === 0 && d <= tol) continue; // the atom itself
            // Translate the image back to the unwrapped coordinates the caller gave.
            buffer.push(
              j,
              a - shift[3 * j] + shift[3 * i],
              b - shift[3 * j + 1] + shift[3 * i + 1],
              c - shift[3 * j + 2] + shift[3 * i + 2],
              d,
            );
          }
        }
      }
    }
    if (options.sorted ?? true) sortPairs(buffer, start, buffer.length);
    offsets[i + 1] = buffer.length;
  }

  const total = buffer.length;
  const centers = new Int32Array(total);
  for (let i = 0; i < n; i += 1) centers.fill(i, offsets[i], offsets[i + 1]);
  return {
    cutoff,
    offsets,
    centers,
    neighbors: buffer.neighbors.slice(0, total),
    images: buffer.images.slice(0, 3 * total),
    distances: buffer.distances.slice(0, total),
  };
}

/** Sorts pairs [start, end) by distance, then neighbour index, then image (deterministic order). */
function sortPairs(buffer: PairBuffer, start: number, end: number): void {
  const count = end - start;
  if (count < 2) return;
  const { neighbors, images, distances } = buffer;
  const order: number[] = new Array(count);
  for (let k = 0; k < count; k += 1) order[k] = start + k;
  order.sort((p, q) => {
    const dd = distances[p] - distances[q];
    if (dd !== 0) return dd;
    return (
      neighbors[p] - neighbors[q] ||
      images[3 * p] - images[3 * q] ||
      images[3 * p + 1] - images[3 * q + 1] ||
      images[3 * p + 2] - images[3 * q + 2]
    );
  });
  const nb = neighbors.slice(start, end);
  const im = images.slice(3 * start, 3 * end);
  const di = distances.slice(start, end);
  for (let k = 0; k < count; k += 1) {
    const from = order[k] - start;
    neighbors[start + k] = nb[from];
    distances[start + k] = di[from];
    images[3 * (start + k)] = im[3 * from];
    images[3 * (start + k) + 1] = im[3 * from + 1];
    images[3 * (start + k) + 2] = im[3 * from + 2];
  }
}

/** Neighbours of every site as objects (convenience over neighborList). */
export function allNeighbors(
  structure: Structure,
  cutoff: number,
  options: NeighborOptions = {},
): Neighbor[][] {
  const list = neighborList(structure, cutoff, options);
  return Array.from({ length: structure.numSites }, (_, i) => {
    const out: Neighbor[] = [];
    for (let p = list.offsets[i]; p < list.offsets[i + 1]; p += 1) {
      out.push({
        index: list.neighbors[p],
        image: [list.images[3 * p], list.images[3 * p + 1], list.images[3 * p + 2]],
        distance: list.distances[p],
      });
    }
    return out;
  });
}
