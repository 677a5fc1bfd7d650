/**
 * The fused convolution against the stock-op path on the active webgpu backend: one loss and
 * gradient evaluation each, with the same weights and batch. Used by the lavapipe test
 * (tests/unit/ml/webgpu) and by the benchmark's --check-fused on a lent GPU, where the kernels
 * meet a real driver's compiler and scheduling.
 */
import type { GraphBatch } from '../cgcnn/batch';
import type { CgcnnConfig } from '../cgcnn/config';
import { createVariables, disposeVariables, initialWeights } from '../cgcnn/params';
import { tf } from '../tf';
import { lossGradients } from '../training/step';
import { WEBGPU_FUSED_FLAG } from './flag';

export interface LossPass {
  loss: number;
  output: Float32Array;
  grads: Record<string, Float32Array>;
  runningStats: Record<string, Float32Array>;
}

/** Loss, outputs, gradients and new running statistics with the fused kernels on or off. */
export async function lossPass(
  config: CgcnnConfig,
  batch: GraphBatch,
  targets: tf.Tensor,
  fused: boolean,
  seed = 7,
): Promise<LossPass> {
  const before = tf.env().getBool(WEBGPU_FUSED_FLAG);
  tf.env().set(WEBGPU_FUSED_FLAG, fused);
  const vars = createVariables(config, initialWeights(config, seed));
  try {
    const r = lossGradients(config, vars, batch, targets);
    const read = async (t: tf.Tensor) => Float32Array.from(await t.data());
    const pass: LossPass = {
      loss: (await r.loss.data())[0],
      output: await read(r.output),
      grads: {},
      runningStats: {},
    };
    for (const [name, g] of Object.entries(r.grads)) pass.grads[name] = await read(g);
    for (const [name, s] of r.runningStats) pass.runningStats[name] = await read(s);
    tf.dispose([r.loss, r.output, ...Object.values(r.grads), ...r.runningStats.values()]);
    return pass;
  } finally {
    disposeVariables(vars);
    tf.env().set(WEBGPU_FUSED_FLAG, before);
  }
}

export const maxAbs = (a: ArrayLike<number>): number =>
  Array.from(a).reduce((s, v) => Math.max(s, Math.abs(v)), 0);

/** max |a − b| / max |b| (b the reference). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  for (let i = 0; i < b.length; i += 1) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  return diff / maxAbs(b);
}

export interface FusedComparison {
  fused: LossPass;
  stock: LossPass;
  lossRelative: number;
  outputRelative: number;
  /** Per trainable variable, except fc_full's biases (see biasScale). */
  gradRelative: Record<string, number>;
  /**
   * fc_full's bias feeds BatchNorm, which removes any constant shift: its exact gradient is 0
   * and both paths give float32 round-off. Its max |gradient| over the layer's max |W_self
   * gradient|, per path.
   */
  biasScale: Record<string, { fused: number; stock: number }>;
  runningStatsRelative: Record<string, number>;
  /** The largest of the relative errors above (biases excluded). */
  worst: number;
}

export async function compareFusedWithStock(
  config: CgcnnConfig,
  batch: GraphBatch,
  targets: tf.Tensor,
): Promise<FusedComparison> {
  const stock = await lossPass(config, batch, targets, false);
  const fused = await lossPass(config, batch, targets, true);
  const biases = new Set(Array.from({ length: config.convLayers }, (_, l) => `convs.${l}.bias`));
  const gradRelative: Record<string, number> = {};
  const biasScale: FusedComparison['biasScale'] = {};
  for (const name of Object.keys(stock.grads)) {
    if (!biases.has(name)) {
      gradRelative[name] = relativeError(fused.grads[name], stock.grads[name]);
      continue;
    }
    const scale = maxAbs(stock.grads[name.replace(/bias$/, 'self.kernel')]);
    biasScale[name] = { fused: maxAbs(fused.grads[name]) / scale, stock: maxAbs(stock.grads[name]) / scale };
  }
  const runningStatsRelative = Object.fromEntries(
    Object.keys(stock.runningStats).map((k) => [
      k,
      relativeError(fused.runningStats[k], stock.runningStats[k]),
    ]),
  );
  const lossRelative = Math.abs(fused.loss - stock.loss) / Math.abs(stock.loss);
  const outputRelative = relativeError(fused.output, stock.output);
  const worst = Math.max(
    lossRelative,
    outputRelative,
    ...Object.values(gradRelative),
    ...Object.values(runningStatsRelative),
  );
  return { fused, stock, lossRelative, outputRelative, gradRelative, biasScale, runningStatsRelative, worst };
}
