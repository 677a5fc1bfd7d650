/**
 * One optimization step and one evaluation pass of CGCNN: loss (MSE on normalized targets for
 * regression, NLL on log-probabilities for classification, as CGCNN's main.py), gradients by
 * tfjs autodiff, the optimizer update, then the BatchNorm running-statistics update.
 */
import type { GraphBatch } from '../cgcnn/batch';
import { hasVarianceHead, VARIANCE_HEAD_BETA, type CgcnnConfig } from '../cgcnn/config';
import { cgcnnForward } from '../cgcnn/model';
import type { CgcnnVariables } from '../cgcnn/params';
import { tf, type Tensor } from '../tf';
import type { FlatAdam } from './adam';

/** Smallest predicted variance (normalized units), torch.nn.GaussianNLLLoss's default eps. */
export const VARIANCE_FLOOR = 1e-6;

/**
 * targets: float32 [B, 1] normalized values, or int32 [B] class labels (0/1). Losses: MSE,
 * Gaussian NLL with a variance head, NLL of log-probabilities for classification.
 */
export function cgcnnLoss(config: CgcnnConfig, output: Tensor, targets: Tensor): Tensor {
  if (config.task === 'classification') {
    const oneHot = tf.oneHot(tf.reshape(targets, [-1]), 2);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, output), 1)));
  }
  if (hasVarianceHead(config))
    return gaussianNll(output, targets, config.varianceHeadBeta ?? VARIANCE_HEAD_BETA);
  return tf.mean(tf.square(tf.sub(output, targets)));
}

/** Column 0 of a variance head's output: the mean, [B, 1]. */
export function headMean(output: Tensor): Tensor {
  return tf.slice(output, [0, 0], [-1, 1]);
}

/** Column 1 of a variance head's output as a variance, [B, 1]: softplus keeps it positive. */
export function headVariance(output: Tensor): Tensor {
  return tf.add(tf.softplus(tf.slice(output, [0, 1], [-1, 1])), VARIANCE_FLOOR);
}

/**
 * mean over the batch of ½ (log σ² + (y − μ)² / σ²): torch.nn.GaussianNLLLoss (full=False) of
 * (μ, y, σ²), whose eps clamp never binds because σ² ≥ VARIANCE_FLOOR already. With β > 0, each
 * term is weighted by (σ²)^β held constant in the gradient (β-NLL, Seitzer et al. 2022).
 */
export function gaussianNll(output: Tensor, targets: Tensor, beta = 0): Tensor {
  return tf.tidy(() => {
    const variance = headVariance(output);
    const squared = tf.square(tf.sub(headMean(output), targets));
    const nll = tf.mul(tf.add(tf.log(variance), tf.div(squared, variance)), 0.5);
    return tf.mean(beta > 0 ? tf.mul(nll, stopGradient(tf.pow(variance, beta))) : nll);
  });
}

/** x in the forward pass, a constant in the backward pass (torch's .detach()). */
const stopGradient = tf.customGrad(((x: Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: Tensor) => tf.zerosLike(dy),
})) as Parameters<typeof tf.customGrad>[0]);

export function targetTensor(config: CgcnnConfig, values: ArrayLike<number>): Tensor {
  return config.task === 'classification'
    ? tf.tensor1d(Int32Array.from(values), 'int32')
    : tf.tensor2d(Float32Array.from(values), [values.length, 1]);
}

export function trainableVariables(vars: CgcnnVariables): tf.Variable[] {
  return [...vars.values()].filter((v) => v.trainable);
}

/**
 * Runs one step; returns the loss tensor (scalar, caller disposes) before the update.
 * `optimizer` must have been built over trainableVariables(vars), in that order.
 */
export function trainStep(
  config: CgcnnConfig,
  vars: CgcnnVariables,
  optimizer: FlatAdam,
  batch: GraphBatch,
  targets: Tensor,
  dropoutSeed?: number,
): Tensor {
  return trainStepMicroBatched(config, vars, optimizer, [{ batch, targets, weight: 1 }], dropoutSeed);
}

export interface MicroBatch {
  batch: GraphBatch;
  targets: Tensor;
  /** Share of the step's crystals in this micro-batch (weights sum to 1). */
  weight: number;
}

/**
 * One optimizer step over a batch processed in parts (the wasm heap caps at 4 GiB, so a
 * 10,000-atom batch is split by atom count): gradients are accumulated weighted by each part's
 * share of the crystals, which equals the full batch's mean loss gradient. The one difference
 * from a single pass is BatchNorm, which normalizes each part with its own statistics (as
 * data-parallel training without synchronized BatchNorm does); running statistics are updated
 * once per part.
 */
export function trainStepMicroBatched(
  config: CgcnnConfig,
  vars: CgcnnVariables,
  optimizer: FlatAdam,
  parts: readonly MicroBatch[],
  dropoutSeed?: number,
): Tensor {
  const params = trainableVariables(vars);
  let total: Tensor[] | null = null;
  let loss: Tensor = tf.scalar(0);
  parts.forEach((part, k) => {
    let stats = new Map<string, Tensor>();
    const { value, grads } = tf.variableGrads(() => {
      const seed = dropoutSeed === undefined ? undefined : dropoutSeed + k;
      const result = cgcnnForward(config, vars, part.batch, { training: true, dropoutSeed: seed });
      stats = result.runningStats;
      return cgcnnLoss(config, result.output, part.targets) as tf.Scalar;
    }, params);
    const previous: Tensor[] | null = total;
    const previousLoss = loss;
    total = params.map((p, i) =>
      tf.tidy(() => {
        const g = parts.length === 1 ? tf.clone(grads[p.name]) : tf.mul(grads[p.name], part.weight);
        return previous ? tf.add(previous[i], g) : g;
      }),
    );
    loss = tf.tidy(() => tf.add(previousLoss, tf.mul(value, part.weight)));
    tf.dispose([...(previous ?? []), previousLoss, value, ...Object.values(grads)]);
    for (const [name, stat] of stats) {
      vars.get(name)?.assign(stat);
      stat.dispose();
    }
  });
  if (!total) throw new Error('trainStepMicroBatched: no parts');
  optimizer.applyGradients(total);
  tf.dispose(total);
  return loss;
}

/** Splits crystal indices (in order) into runs of at most `maxAtoms` atoms (≥ 1 crystal each). */
export function splitByAtoms(
  members: readonly number[],
  atomsOf: (i: number) => number,
  maxAtoms: number,
): number[][] {
  const parts: number[][] = [];
  let current: number[] = [];
  let atoms = 0;
  for (const i of members) {
    const a = atomsOf(i);
    if (current.length > 0 && atoms + a > maxAtoms) {
      parts.push(current);
      current = [];
      atoms = 0;
    }
    current.push(i);
    atoms += a;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/** Gradients of the loss for every trainable variable (tests, diagnostics). */
export function lossGradients(
  config: CgcnnConfig,
  vars: CgcnnVariables,
  batch: GraphBatch,
  targets: Tensor,
): { loss: Tensor; grads: Record<string, Tensor>; output: Tensor; runningStats: Map<string, Tensor> } {
  let output: Tensor | undefined;
  let runningStats = new Map<string, Tensor>();
  const { value, grads } = tf.variableGrads(() => {
    const r = cgcnnForward(config, vars, batch, { training: true });
    output = tf.keep(r.output);
    runningStats = r.runningStats;
    return cgcnnLoss(config, r.output, targets) as tf.Scalar;
  }, trainableVariables(vars));
  const byName: Record<string, Tensor> = {};
  for (const [name, v] of vars) if (grads[v.name]) byName[name] = grads[v.name];
  return { loss: value, grads: byName, output: output as Tensor, runningStats };
}

/** Inference-mode outputs [B, out] (running BatchNorm statistics, no dropout). */
export function predictBatch(config: CgcnnConfig, vars: CgcnnVariables, batch: GraphBatch): Tensor {
  return tf.tidy(() => cgcnnForward(config, vars, batch, { training: false }).output);
}
