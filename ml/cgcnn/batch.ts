/**
 * Collates crystal graphs into one disjoint graph, as CGCNN's collate_pool does: atoms of all
 * crystals stacked, neighbour indices shifted by each crystal's first atom, and a crystal id per
 * atom for mean pooling. Host arrays first (cheap to build, to slice into micro-batches), then
 * tensors for one step.
 */
import type { CrystalGraph } from '../../materials/crystalGraph';
import { tf, type Tensor } from '../tf';

export interface HostBatch {
  numCrystals: number;
  numAtoms: number;
  maxNeighbors: number;
  atomInputLength: number;
  edgeInputLength: number;
  /** [numAtoms, atomInputLength] */
  atomFeatures: Float32Array;
  /** [numAtoms * maxNeighbors, edgeInputLength] */
  edgeFeatures: Float32Array;
  /** [numAtoms * maxNeighbors] global atom index of each neighbour slot */
  neighborIndices: Int32Array;
  /** [numAtoms] crystal of each atom */
  crystalIndex: Int32Array;
  /** [numCrystals] atoms per crystal */
  atomCounts: Float32Array;
}

export interface GraphBatch {
  numCrystals: number;
  numAtoms: number;
  maxNeighbors: number;
  atomFeatures: Tensor;
  edgeFeatures: Tensor;
  /** int32 [numAtoms * maxNeighbors, 1], the index layout gatherND wants */
  neighborIndices: Tensor;
  /** int32 [numAtoms * maxNeighbors, 1]: the atom each neighbour slot belongs to */
  centerIndices: Tensor;
  /**
   * The reverse of neighborIndices, for the fused webgpu convolution's backward pass (a gather
   * per atom instead of a scatter with atomics): the slots naming atom a as neighbour are
   * incomingSlots[incomingOffsets[a] .. incomingOffsets[a + 1]), in increasing order.
   * int32 [numAtoms + 1] and [numAtoms * maxNeighbors].
   */
  incomingOffsets: Tensor;
  incomingSlots: Tensor;
  /** int32 [numAtoms, 1] */
  crystalIndex: Tensor;
  /** float32 [numCrystals, 1] */
  atomCounts: Tensor;
}

export function collateGraphs(graphs: readonly CrystalGraph[]): HostBatch {
  if (graphs.length === 0) throw new Error('collateGraphs: empty batch');
  const { maxNeighbors: m, atomFeatureLength: a, edgeFeatureLength: e } = graphs[0];
  let n = 0;
  for (const g of graphs) {
    if (g.maxNeighbors !== m || g.atomFeatureLength !== a || g.edgeFeatureLength !== e) {
      throw new Error('collateGraphs: graphs built with different options');
    }
    n += g.numAtoms;
  }
  const batch: HostBatch = {
    numCrystals: graphs.length,
    numAtoms: n,
    maxNeighbors: m,
    atomInputLength: a,
    edgeInputLength: e,
    atomFeatures: new Float32Array(n * a),
    edgeFeatures: new Float32Array(n * m * e),
    neighborIndices: new Int32Array(n * m),
    crystalIndex: new Int32Array(n),
    atomCounts: new Float32Array(graphs.length),
  };
  let base = 0;
  graphs.forEach((g, c) => {
    batch.atomFeatures.set(g.atomFeatures, base * a);
    batch.edgeFeatures.set(g.edgeFeatures, base * m * e);
    for (let k = 0; k < g.numAtoms * m; k += 1)
      batch.neighborIndices[base * m + k] = g.neighborIndices[k] + base;
    batch.crystalIndex.fill(c, base, base + g.numAtoms);
    batch.atomCounts[c] = g.numAtoms;
    base += g.numAtoms;
  });
  return batch;
}

/** Counting sort of the slots by the atom they name (see GraphBatch.incomingSlots). */
export function incomingNeighbors(
  neighborIndices: Int32Array,
  numAtoms: number,
): { offsets: Int32Array; slots: Int32Array } {
  const offsets = new Int32Array(numAtoms + 1);
  for (const a of neighborIndices) offsets[a + 1] += 1;
  for (let a = 0; a < numAtoms; a += 1) offsets[a + 1] += offsets[a];
  const next = offsets.slice(0, numAtoms);
  const slots = new Int32Array(neighborIndices.length);
  neighborIndices.forEach((a, r) => {
    slots[next[a]] = r;
    next[a] += 1;
  });
  return { offsets, slots };
}

export function batchTensors(host: HostBatch): GraphBatch {
  const n = host.numAtoms;
  const m = host.maxNeighbors;
  const incoming = incomingNeighbors(host.neighborIndices, n);
  return {
    numCrystals: host.numCrystals,
    numAtoms: n,
    maxNeighbors: m,
    atomFeatures: tf.tensor2d(host.atomFeatures, [n, host.atomInputLength]),
    edgeFeatures: tf.tensor2d(host.edgeFeatures, [n * m, host.edgeInputLength]),
    neighborIndices: tf.tensor2d(host.neighborIndices, [n * m, 1], 'int32'),
    centerIndices: tf.tensor2d(
      Int32Array.from({ length: n * m }, (_, k) => Math.floor(k / m)),
      [n * m, 1],
      'int32',
    ),
    incomingOffsets: tf.tensor1d(incoming.offsets, 'int32'),
    incomingSlots: tf.tensor1d(incoming.slots, 'int32'),
    crystalIndex: tf.tensor2d(host.crystalIndex, [n, 1], 'int32'),
    atomCounts: tf.tensor2d(host.atomCounts, [host.numCrystals, 1]),
  };
}

export function disposeBatch(batch: GraphBatch): void {
  tf.dispose([
    batch.atomFeatures,
    batch.edgeFeatures,
    batch.neighborIndices,
    batch.centerIndices,
    batch.incomingOffsets,
    batch.incomingSlots,
    batch.crystalIndex,
    batch.atomCounts,
  ]);
}
