/**
 * One CGCNN convolution in training mode on the webgpu backend as 6 forward and 12 backward
 * dispatches (ml/webgpu/convKernels.ts) instead of ~200 stock kernels:
 *   P = [x·W_self + b | x·W_nbr]        G = P_self[i] + P_nbr[j] + e_ij·W_edge
 *   T1 = BN1 table of G                 S = Σ_j sigmoid(BN1(G)_f)·softplus(BN1(G)_c)
 *   T2 = BN2 table of S                 x' = softplus(x + BN2(S))
 * wrapped in tf.customGrad with a hand-written backward (BatchNorm's closed form, as
 * ml/ops.ts batchNormTraining). Same numbers as the stock path in ml/cgcnn/model.ts up to the
 * order of float32 summation (tests/unit/ml/webgpu/fusedConv.test.ts). Inference
 * (fusedConvInference) is 5 dispatches with the running statistics.
 */
import { tf, type Tensor } from '../tf';
import { KERNELS, registerConvKernels, TABLE } from './convKernels';
import { runKernel } from './program';

type GradFunc = Parameters<typeof tf.customGrad>[0];

export interface ConvWeights {
  selfKernel: Tensor;
  neighborKernel: Tensor;
  edgeKernel: Tensor;
  bias: Tensor;
  gamma1: Tensor;
  beta1: Tensor;
  gamma2: Tensor;
  beta2: Tensor;
  /** Running statistics before this step (read only). */
  runningMean1: Tensor;
  runningVar1: Tensor;
  runningMean2: Tensor;
  runningVar2: Tensor;
}

export interface ConvGraph {
  maxNeighbors: number;
  /** [N·M, K] */
  edgeFeatures: Tensor;
  /** int32 [N·M, 1] */
  neighborIndices: Tensor;
  /** int32 [N + 1] and [N·M]: the slots that name each atom as neighbour. */
  incomingOffsets: Tensor;
  incomingSlots: Tensor;
}

export interface FusedConvResult {
  y: Tensor;
  /** New running statistics (kept: the caller disposes them). */
  runningMean1: Tensor;
  runningVar1: Tensor;
  runningMean2: Tensor;
  runningVar2: Tensor;
}

export interface BatchNormOptions {
  epsilon: number;
  momentum: number;
}

/** A BatchNorm table's row as a [C] tensor (one slice dispatch). */
function tableRow(table: Tensor, row: number): Tensor {
  const c = table.shape[1] as number;
  return tf.reshape(tf.slice(table, [row, 0], [1, c]), [c]);
}

/** Training-mode convolution layer; graph tensors must outlive the backward pass (batch tensors do). */
export function fusedConvLayer(
  x: Tensor,
  w: ConvWeights,
  graph: ConvGraph,
  bn: BatchNormOptions,
): FusedConvResult {
  registerConvKernels();
  const m = graph.maxNeighbors;
  let stats: Tensor[] = [];
  const op = tf.customGrad(((
    xs: Tensor,
    ws: Tensor,
    wn: Tensor,
    we: Tensor,
    b: Tensor,
    g1: Tensor,
    b1: Tensor,
    g2: Tensor,
    b2: Tensor,
    save: tf.GradSaveFunc,
  ) => {
    const bnAttrs = { eps: bn.epsilon, momentum: bn.momentum };
    const p = runKernel(KERNELS.atomProducts, { X: xs, Ws: ws, Wn: wn, B: b });
    const g = runKernel(
      KERNELS.gate,
      { P: p, Nbr: graph.neighborIndices, E: graph.edgeFeatures, We: we },
      { m },
    );
    const t1 = runKernel(
      KERNELS.batchNormTable,
      { V: g, Gamma: g1, Beta: b1, RunMean: w.runningMean1, RunVar: w.runningVar1 },
      bnAttrs,
    );
    const s = runKernel(KERNELS.messageSum, { G: g, T: t1 }, { m });
    const t2 = runKernel(
      KERNELS.batchNormTable,
      { V: s, Gamma: g2, Beta: b2, RunMean: w.runningMean2, RunVar: w.runningVar2 },
      bnAttrs,
    );
    const y = runKernel(KERNELS.residual, { X: xs, S: s, T: t2 });
    // Running statistics are no part of the loss: kept past customGrad's tidy, no gradient.
    stats = [t1, t2].flatMap((t) => [
      tf.keep(tableRow(t, TABLE.runningMean)),
      tf.keep(tableRow(t, TABLE.runningVar)),
    ]);
    save([xs, ws, wn, g, s, t1, t2]);
    return {
      value: y,
      gradFunc: (dy: Tensor, [sx, sws, swn, sg, ss, st1, st2]: Tensor[]) => {
        const bn2 = { Dy: dy, X: sx, S: ss, T: st2 };
        const dBeta2 = runKernel(KERNELS.bn2GradSum, bn2, { mode: 0 });
        const dGamma2 = runKernel(KERNELS.bn2GradSum, bn2, { mode: 1 });
        const d2 = runKernel(KERNELS.bn2Backward, { ...bn2, DBeta: dBeta2, DGamma: dGamma2 });
        const bn1 = { G: sg, T: st1, D2: d2 };
        const dBeta1 = runKernel(KERNELS.bn1GradSum, bn1, { mode: 0, m });
        const dGamma1 = runKernel(KERNELS.bn1GradSum, bn1, { mode: 1, m });
        const dg = runKernel(KERNELS.bn1Backward, { ...bn1, DBeta: dBeta1, DGamma: dGamma1 }, { m });
        const dp = runKernel(
          KERNELS.atomGrad,
          { DG: dg, Offsets: graph.incomingOffsets, Slots: graph.incomingSlots },
          { m },
        );
        const h = sg.shape[1] as number;
        const dWs = runKernel(KERNELS.transposedProduct, { A: sx, B: dp }, { off: 0, width: h });
        const dWn = runKernel(KERNELS.transposedProduct, { A: sx, B: dp }, { off: h, width: h });
        const dWe = runKernel(
          KERNELS.transposedProduct,
          { A: graph.edgeFeatures, B: dg },
          { off: 0, width: h },
        );
        const db = runKernel(KERNELS.columnSum, { B: dp }, { off: 0, width: h });
        const dx = runKernel(KERNELS.inputGrad, { D2: d2, DP: dp, Ws: sws, Wn: swn });
        return [dx, dWs, dWn, dWe, db, dGamma1, dBeta1, dGamma2, dBeta2];
      },
    };
  }) as GradFunc);
  const y = op(x, w.selfKernel, w.neighborKernel, w.edgeKernel, w.bias, w.gamma1, w.beta1, w.gamma2, w.beta2);
  const [runningMean1, runningVar1, runningMean2, runningVar2] = stats;
  return { y: y as Tensor, runningMean1, runningVar1, runningMean2, runningVar2 };
}

/**
 * Inference-mode convolution (running statistics, no gradient): 5 dispatches, fc_full's slot
 * outputs computed inside the message kernel.
 */
export function fusedConvInference(x: Tensor, w: ConvWeights, graph: ConvGraph, epsilon: number): Tensor {
  registerConvKernels();
  return tf.tidy(() => {
    const eps = { eps: epsilon };
    const p = runKernel(KERNELS.atomProducts, { X: x, Ws: w.selfKernel, Wn: w.neighborKernel, B: w.bias });
    const t1 = runKernel(
      KERNELS.batchNormEvalTable,
      { Gamma: w.gamma1, Beta: w.beta1, RunMean: w.runningMean1, RunVar: w.runningVar1 },
      eps,
    );
    const s = runKernel(
      KERNELS.messageSumEval,
      { P: p, Nbr: graph.neighborIndices, E: graph.edgeFeatures, We: w.edgeKernel, T: t1 },
      { m: graph.maxNeighbors },
    );
    const t2 = runKernel(
      KERNELS.batchNormEvalTable,
      { Gamma: w.gamma2, Beta: w.beta2, RunMean: w.runningMean2, RunVar: w.runningVar2 },
      eps,
    );
    return runKernel(KERNELS.residual, { X: x, S: s, T: t2 });
  });
}
