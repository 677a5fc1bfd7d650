/**
 * CGCNN crystal graph (Xie & Grossman, PRL 120, 145301 (2018); defaults of their data.py):
 * for every atom the `maxNeighbors` (12) nearest neighbours within `radius` (8 Å), distances
 * expanded in Gaussians exp(-(d - μ_k)² / σ²) with μ_k = 0, 0.2, ..., 8 Å (41 centres) and
 * σ = step = 0.2 Å, and a 92-long element embedding per atom (materials/cgcnnEmbedding.ts).
 *
 * Padding (CGCNN's rule): an atom with fewer than 12 neighbours in range gets padding slots with
 * neighbour index 0 and distance radius + 1 Å (their Gaussian features are ~e^-25, effectively
 * zero); `neighborMask` marks real (1) and padding (0) slots so a model can ignore them.
 * Ties at the 12th neighbour are broken by site index, then image (deterministic).
 * Disordered sites: the atom embedding is the occupancy-weighted sum of the element embeddings
 * (a vacancy fraction contributes zeros), so a site half Li / half vacancy has 0.5 in Li's bins.
 * Output is flat typed arrays in row-major order, ready for tf.tensor(..., shape).
 */
import { CGCNN_EMBEDDING_LENGTH, cgcnnElementEmbedding } from './cgcnnEmbedding';
import { neighborList, type NeighborList } from './neighbors';
import type { Structure } from './structure';

export interface CrystalGraphOptions {
  /** Neighbour search radius, Å (CGCNN default 8). */
  radius?: number;
  /** Neighbours kept per atom (CGCNN default 12). */
  maxNeighbors?: number;
  /** Gaussian centres run from gaussianMin to radius in steps of gaussianStep, Å. */
  gaussianMin?: number;
  gaussianStep?: number;
}

export interface CrystalGraph {
  readonly numAtoms: number;
  readonly maxNeighbors: number;
  readonly atomFeatureLength: number;
  readonly edgeFeatureLength: number;
  /** [numAtoms, atomFeatureLength] */
  readonly atomFeatures: Float32Array;
  /** [numAtoms, maxNeighbors] neighbour site indices (0 for padding) */
  readonly neighborIndices: Int32Array;
  /** [numAtoms, maxNeighbors] distances in Å (radius + 1 for padding) */
  readonly neighborDistances: Float32Array;
  /** [numAtoms, maxNeighbors] 1 for a real neighbour, 0 for padding */
  readonly neighborMask: Uint8Array;
  /** [numAtoms, maxNeighbors, edgeFeatureLength] Gaussian-expanded distances */
  readonly edgeFeatures: Float32Array;
  /** Atoms that needed padding (fewer neighbours than maxNeighbors within radius). */
  readonly paddedAtoms: number;
}

/** Gaussian centres μ_k: Python's np.arange(min, max + step, step) as CGCNN builds them. */
export function gaussianCenters(min: number, max: number, step: number): Float64Array {
  const count = Math.ceil((max + step - min) / step);
  return Float64Array.from({ length: count }, (_, k) => min + k * step);
}

/** exp(-(d - μ_k)² / step²) for every centre (CGCNN's GaussianDistance with var = step). */
export function gaussianExpand(
  distance: number,
  centers: Float64Array,
  step: number,
  out: Float32Array,
  offset = 0,
): void {
  for (let k = 0; k < centers.length; k += 1) {
    const x = distance - centers[k];
    out[offset + k] = Math.exp(-(x * x) / (step * step));
  }
}

export function crystalGraph(structure: Structure, options: CrystalGraphOptions = {}): CrystalGraph {
  const radius = options.radius ?? 8;
  const maxNeighbors = options.maxNeighbors ?? 12;
  const step = options.gaussianStep ?? 0.2;
  const centers = gaussianCenters(options.gaussianMin ?? 0, radius, step);
  const n = structure.numSites;
  const e = centers.length;

  const atomFeatures = new Float32Array(n * CGCNN_EMBEDDING_LENGTH);
  structure.sites.forEach((site, i) => {
    for (const sp of site.species) {
      const embedding = cgcnnElementEmbedding(sp.element);
      for (let f = 0; f < CGCNN_EMBEDDING_LENGTH; f += 1) {
        atomFeatures[i * CGCNN_EMBEDDING_LENGTH + f] += sp.occupancy * embedding[f];
      }
    }
  });

  // Unsorted neighbour pairs; the nearest maxNeighbors are selected per atom below, which is
  // cheaper than sorting every pair within 8 Å.
  const list = neighborList(structure, radius, { sorted: false });
  const neighborIndices = new Int32Array(n * maxNeighbors);
  const neighborDistances = new Float32Array(n * maxNeighbors);
  const neighborMask = new Uint8Array(n * maxNeighbors);
  const edgeFeatures = new Float32Array(n * maxNeighbors * e);
  const best = new Int32Array(maxNeighbors); // pair positions, nearest first
  let paddedAtoms = 0;
  for (let i = 0; i < n; i += 1) {
    const found = selectNearest(list, list.offsets[i], list.offsets[i + 1], best);
    if (found < maxNeighbors) paddedAtoms += 1;
    for (let slot = 0; slot < maxNeighbors; slot += 1) {
      const at = i * maxNeighbors + slot;
      const real = slot < found;
      const d = real ? list.distances[best[slot]] : radius + 1;
      neighborIndices[at] = real ? list.neighbors[best[slot]] : 0;
      neighborDistances[at] = d;
      neighborMask[at] = real ? 1 : 0;
      gaussianExpand(d, centers, step, edgeFeatures, at * e);
    }
  }
  return {
    numAtoms: n,
    maxNeighbors,
    atomFeatureLength: CGCNN_EMBEDDING_LENGTH,
    edgeFeatureLength: e,
    atomFeatures,
    neighborIndices,
    neighborDistances,
    neighborMask,
    edgeFeatures,
    paddedAtoms,
  };
}

/** a before b: by distance, then neighbour index, then image (neighborList's sorted order). */
function before(list: NeighborList, a: number, b: number): boolean {
  const dd = list.distances[a] - list.distances[b];
  if (dd !== 0) return dd < 0;
  const im = list.images;
  const key =
    list.neighbors[a] - list.neighbors[b] ||
    im[3 * a] - im[3 * b] ||
    im[3 * a + 1] - im[3 * b + 1] ||
    im[3 * a + 2] - im[3 * b + 2];
  return key < 0;
}

/** Writes the nearest pairs of [start, end) into `best` (nearest first); returns how many. */
function selectNearest(list: NeighborList, start: number, end: number, best: Int32Array): number {
  const k = best.length;
  let count = 0;
  for (let p = start; p < end; p += 1) {
    if (count === k && !before(list, p, best[k - 1])) continue;
    let slot = count < k ? count++ : k - 1;
    while (slot > 0 && before(list, p, best[slot - 1])) {
      best[slot] = best[slot - 1];
      slot -= 1;
    }
    best[slot] = p;
  }
  return count;
}
