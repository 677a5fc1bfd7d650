/**
 * A fixed, seeded CGCNN batch for timing: `crystals` crystals of `atomsPerCrystal` atoms, 12
 * neighbours each within the same crystal, 92-long 0/1 atom features with ~10 bits set (like
 * CGCNN's one-hot segments) and Gaussian-expanded distances in 1.5–8 Å. Shapes, not chemistry,
 * set the cost, so a synthetic batch times the model as a real one would without needing CIFs.
 */
import { gaussianCenters, gaussianExpand } from '../../materials/crystalGraph';
import type { HostBatch } from '../../ml/cgcnn/batch';
import { seededRandom } from '../../ml/random';

export function syntheticBatch(
  crystals: number,
  atomsPerCrystal: number,
  seed = 42,
  maxNeighbors = 12,
): HostBatch {
  const random = seededRandom(seed);
  const n = crystals * atomsPerCrystal;
  const centers = gaussianCenters(0, 8, 0.2);
  const e = centers.length;
  const batch: HostBatch = {
    numCrystals: crystals,
    numAtoms: n,
    maxNeighbors,
    atomInputLength: 92,
    edgeInputLength: e,
    atomFeatures: new Float32Array(n * 92),
    edgeFeatures: new Float32Array(n * maxNeighbors * e),
    neighborIndices: new Int32Array(n * maxNeighbors),
    crystalIndex: new Int32Array(n),
    atomCounts: new Float32Array(crystals).fill(atomsPerCrystal),
  };
  for (let i = 0; i < n; i += 1) {
    const c = Math.floor(i / atomsPerCrystal);
    batch.crystalIndex[i] = c;
    for (let b = 0; b < 10; b += 1) batch.atomFeatures[i * 92 + Math.floor(random() * 92)] = 1;
    for (let s = 0; s < maxNeighbors; s += 1) {
      const at = i * maxNeighbors + s;
      batch.neighborIndices[at] = c * atomsPerCrystal + Math.floor(random() * atomsPerCrystal);
      gaussianExpand(1.5 + 6.5 * random(), centers, 0.2, batch.edgeFeatures, at * e);
    }
  }
  return batch;
}

/**
 * Crystals [from, to) of a batch whose crystals are stored in order (as collateGraphs and
 * syntheticBatch lay them out), as a batch of its own: for micro-batching a step on the wasm
 * backend, whose 4 GiB heap does not hold a 10,000-atom training pass.
 */
export function sliceHostBatch(host: HostBatch, from: number, to: number): HostBatch {
  let a0 = 0;
  for (let c = 0; c < from; c += 1) a0 += host.atomCounts[c];
  let a1 = a0;
  for (let c = from; c < to; c += 1) a1 += host.atomCounts[c];
  const m = host.maxNeighbors;
  const e = host.edgeInputLength;
  const a = host.atomInputLength;
  return {
    numCrystals: to - from,
    numAtoms: a1 - a0,
    maxNeighbors: m,
    atomInputLength: a,
    edgeInputLength: e,
    atomFeatures: host.atomFeatures.slice(a0 * a, a1 * a),
    edgeFeatures: host.edgeFeatures.slice(a0 * m * e, a1 * m * e),
    neighborIndices: host.neighborIndices.slice(a0 * m, a1 * m).map((j) => j - a0),
    crystalIndex: host.crystalIndex.slice(a0, a1).map((c) => c - from),
    atomCounts: host.atomCounts.slice(from, to),
  };
}
