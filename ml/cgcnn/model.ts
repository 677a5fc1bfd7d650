/**
 * CGCNN forward pass with the semantics of Xie & Grossman's CrystalGraphConvNet (cgcnn/model.py):
 *   embedding → n_conv × ConvLayer → mean pooling → softplus → conv_to_fc → softplus
 *   → (n_h − 1) × [fc, softplus] → fc_out (→ log_softmax for classification).
 * ConvLayer: z = BN1(fc_full([x_i, x_j, e_ij])), s_i = BN2(Σ_j σ(z_f) ⊙ softplus(z_c)),
 * x_i' = softplus(x_i + s_i). Like the reference, padding neighbour slots are summed too.
 * BatchNorm uses a closed-form gradient (ml/ops.ts; tfjs's own is slow on wasm); in training
 * mode it uses batch statistics and returns the running-statistics update
 * (momentum 0.1, unbiased variance) for the caller to apply after the gradient step.
 */
import { batchNormTraining, gatherRows, linear, linearOnInput, segmentSum } from '../ops';
import { tf, type Tensor } from '../tf';
import { fusedWebgpuActive } from '../webgpu/flag';
import { fusedConvInference, fusedConvLayer, type ConvWeights } from '../webgpu/fusedConv';
import type { GraphBatch } from './batch';
import type { CgcnnConfig } from './config';
import type { CgcnnVariables } from './params';

export interface ForwardOptions {
  training: boolean;
  /** Seed for dropout (classification, training only). */
  dropoutSeed?: number;
}

export interface ForwardResult {
  /** [numCrystals, 1] (regression, normalized units) or [numCrystals, 2] log-probabilities */
  output: Tensor;
  /** New running statistics per BatchNorm variable name (training mode only). */
  runningStats: Map<string, Tensor>;
}

export function cgcnnForward(
  config: CgcnnConfig,
  vars: CgcnnVariables,
  batch: GraphBatch,
  options: ForwardOptions,
): ForwardResult {
  const v = (name: string): Tensor => {
    const t = vars.get(name);
    if (!t) throw new Error(`CGCNN variable "${name}" missing`);
    return t;
  };
  const runningStats = new Map<string, Tensor>();
  const dense = (x: Tensor, name: string): Tensor => linear(x, v(`${name}.kernel`), v(`${name}.bias`));
  // Running-statistics updates per variable, in column pieces (BN1 runs per half, see below).
  const statPieces = new Map<string, Tensor[]>();
  /** BatchNorm with the named parameters, or with their columns [from, from + width) only. */
  const batchNorm = (x: Tensor, name: string, from = 0, width?: number): Tensor => {
    const cols = (t: Tensor) => (width === undefined ? t : tf.slice(t, [from], [width]));
    const gamma = cols(v(`${name}.gamma`));
    const beta = cols(v(`${name}.beta`));
    const eps = config.batchNormEpsilon;
    if (!options.training) {
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(cols(v(`${name}.runningVar`)), eps)));
      return tf.add(tf.mul(tf.sub(x, cols(v(`${name}.runningMean`))), scale), beta);
    }
    const rows = x.shape[0];
    const { y, mean, variance } = batchNormTraining(x, gamma, beta, eps);
    const momentum = config.batchNormMomentum;
    // Running statistics are not part of the loss, so no gradient flows through them.
    const unbiased = tf.mul(variance, rows / Math.max(rows - 1, 1));
    const push = (stat: string, value: Tensor) =>
      statPieces.set(`${name}.${stat}`, [...(statPieces.get(`${name}.${stat}`) ?? []), value]);
    push('runningMean', tf.add(tf.mul(cols(v(`${name}.runningMean`)), 1 - momentum), tf.mul(mean, momentum)));
    push(
      'runningVar',
      tf.add(tf.mul(cols(v(`${name}.runningVar`)), 1 - momentum), tf.mul(unbiased, momentum)),
    );
    return y;
  };

  const n = batch.numAtoms;
  const m = batch.maxNeighbors;
  const f = config.atomFeatureLength;
  let x = linearOnInput(batch.atomFeatures, v('embedding.kernel'), v('embedding.bias'));
  // On webgpu each convolution runs as a few fused WGSL kernels (dispatch overhead, not
  // arithmetic, dominates there); the same numbers as the stock ops below.
  const fused = fusedWebgpuActive();
  const convWeights = (p: string): ConvWeights => ({
    selfKernel: v(`${p}.self.kernel`),
    neighborKernel: v(`${p}.neighbor.kernel`),
    edgeKernel: v(`${p}.edge.kernel`),
    bias: v(`${p}.bias`),
    gamma1: v(`${p}.bn1.gamma`),
    beta1: v(`${p}.bn1.beta`),
    gamma2: v(`${p}.bn2.gamma`),
    beta2: v(`${p}.bn2.beta`),
    runningMean1: v(`${p}.bn1.runningMean`),
    runningVar1: v(`${p}.bn1.runningVar`),
    runningMean2: v(`${p}.bn2.runningMean`),
    runningVar2: v(`${p}.bn2.runningVar`),
  });
  for (let l = 0; l < config.convLayers; l += 1) {
    const p = `convs.${l}`;
    if (fused && !options.training) {
      x = fusedConvInference(x, convWeights(p), batch, config.batchNormEpsilon);
      continue;
    }
    if (fused) {
      const r = fusedConvLayer(x, convWeights(p), batch, {
        epsilon: config.batchNormEpsilon,
        momentum: config.batchNormMomentum,
      });
      statPieces.set(`${p}.bn1.runningMean`, [r.runningMean1]);
      statPieces.set(`${p}.bn1.runningVar`, [r.runningVar1]);
      statPieces.set(`${p}.bn2.runningMean`, [r.runningMean2]);
      statPieces.set(`${p}.bn2.runningVar`, [r.runningVar2]);
      x = r.y;
      continue;
    }
    // Training lays every term out per neighbour slot [N·M, F] with gathers and sums slots by
    // scatter, so no broadcast (whose gradient is a slow reduction on wasm) appears; inference
    // has no gradient, and there a broadcast add and a reduce are faster. The filter and core
    // halves of fc_full's output are computed from the matching halves of its weights, and BN1
    // (per column) normalizes each half on its own: the same numbers as one [N·M, 2F] product
    // split in two, without copying the [N·M, 2F] activations in split (and concat in backward).
    const half = (h: number): Tensor => {
      const columns = (w: Tensor) => tf.slice(w, [0, h * f], [-1, f]);
      const neighbor = gatherRows(linear(x, columns(v(`${p}.neighbor.kernel`))), batch.neighborIndices);
      const edge = linearOnInput(batch.edgeFeatures, columns(v(`${p}.edge.kernel`)));
      const selfTerm = linear(x, columns(v(`${p}.self.kernel`)), tf.slice(v(`${p}.bias`), [h * f], [f]));
      const gated = options.training
        ? tf.add(tf.add(gatherRows(selfTerm, batch.centerIndices), neighbor), edge)
        : tf.reshape(tf.add(tf.reshape(tf.add(neighbor, edge), [n, m, f]), tf.reshape(selfTerm, [n, 1, f])), [
            n * m,
            f,
          ]);
      return batchNorm(gated, `${p}.bn1`, h * f, f);
    };
    const filter = half(0);
    const core = half(1);
    const message = tf.mul(tf.sigmoid(filter), tf.softplus(core)); // [N·M, F]
    const summed = options.training
      ? segmentSum(message, batch.centerIndices, n) // Σ over each atom's M slots
      : tf.sum(tf.reshape(message, [n, m, f]), 1);
    x = tf.softplus(tf.add(x, batchNorm(summed, `${p}.bn2`)));
  }
  for (const [name, pieces] of statPieces)
    runningStats.set(name, tf.keep(pieces.length === 1 ? pieces[0] : tf.concat(pieces)));
  const pooled = tf.div(segmentSum(x, batch.crystalIndex, batch.numCrystals), batch.atomCounts);
  let h = tf.softplus(dense(tf.softplus(pooled), 'conv_to_fc'));
  if (config.task === 'classification' && options.training && config.dropout > 0) {
    h = tf.dropout(h, config.dropout, undefined, options.dropoutSeed);
  }
  for (let k = 0; k < config.hiddenLayers - 1; k += 1) h = tf.softplus(dense(h, `fcs.${k}`));
  let output = dense(h, 'fc_out');
  if (config.task === 'classification') output = tf.logSoftmax(output);
  return { output, runningStats };
}
