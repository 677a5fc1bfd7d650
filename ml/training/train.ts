/**
 * Trains one CGCNN: Adam, a seeded validation split, early stopping on validation loss, a
 * checkpoint after every epoch (resumed from when the sink has one for this run), progress per
 * epoch with an ETA. Same seed + data + options → same weights, including across a resume,
 * because shuffles are drawn from (seed, epoch) rather than from a running generator.
 */
import type { CrystalGraph } from '../../materials/crystalGraph';
import { batchTensors, collateGraphs, disposeBatch } from '../cgcnn/batch';
import { hasVarianceHead, outputLength, type CgcnnConfig } from '../cgcnn/config';
import {
  createVariables,
  disposeVariables,
  initialWeights,
  readWeights,
  type CgcnnVariables,
  type WeightMap,
} from '../cgcnn/params';
import { deriveSeed, permutation, seededRandom } from '../random';
import { tf } from '../tf';
import type { CheckpointSink, EpochRecord } from './checkpoint';
import { denormalize, fitNormalizer, normalize, type Normalizer } from './normalizer';
import { FlatAdam } from './adam';
import {
  cgcnnLoss,
  headMean,
  headVariance,
  predictBatch,
  splitByAtoms,
  targetTensor,
  trainableVariables,
  trainStepMicroBatched,
} from './step';

export interface TrainingOptions {
  epochs: number;
  /** Crystals per step (CGCNN default 256; smaller for small data sets). */
  batchSize: number;
  learningRate: number;
  /** Fraction of the data held out for validation and early stopping (0: none). */
  validationFraction: number;
  /** Stop after this many epochs without a better validation loss. */
  patience: number;
  seed: number;
  /** Atoms per forward/backward pass; larger steps are split and their gradients summed. */
  maxAtomsPerPass: number;
}

export const TRAINING_DEFAULTS: TrainingOptions = {
  epochs: 100,
  batchSize: 64,
  learningRate: 0.01,
  validationFraction: 0.1,
  patience: 20,
  seed: 0,
  maxAtomsPerPass: 8192,
};

export interface TrainingProgress {
  epoch: number;
  epochs: number;
  trainLoss: number;
  validationLoss: number;
  validationError: number;
  bestEpoch: number;
  elapsedSeconds: number;
  etaSeconds: number;
  done: boolean;
}

export interface TrainingHooks {
  checkpoint?: CheckpointSink;
  onProgress?: (progress: TrainingProgress) => void | Promise<void>;
  /** Stops after the current epoch (its checkpoint is saved first). */
  signal?: AbortSignal;
}

export interface TrainedCgcnn {
  config: CgcnnConfig;
  /** Weights of the best validation epoch (last epoch without validation). */
  weights: WeightMap;
  normalizer: Normalizer;
  bestEpoch: number;
  history: EpochRecord[];
  resumedFromEpoch: number;
}

export interface GraphDataset {
  graphs: readonly CrystalGraph[];
  /** Target per graph: a value (regression) or class 0/1 (classification). */
  targets: readonly number[];
  /**
   * Indices held out for validation and early stopping, when the caller chose them (an
   * ensemble's cross-validation fold); otherwise the options' seeded validationFraction split.
   */
  validation?: readonly number[];
}

/** Held-out indices for validation, from the seed alone. */
export function validationSplit(
  n: number,
  fraction: number,
  seed: number,
): { train: number[]; validation: number[] } {
  const order = Array.from(permutation(n, seededRandom(deriveSeed(seed, 7))));
  const count = fraction > 0 && n > 1 ? Math.min(n - 1, Math.max(1, Math.round(fraction * n))) : 0;
  return {
    validation: order.slice(0, count).sort((a, b) => a - b),
    train: order.slice(count).sort((a, b) => a - b),
  };
}

/** The caller's validation indices when given (checked), else the seeded fractional split. */
export function datasetSplit(
  data: GraphDataset,
  options: TrainingOptions,
): { train: number[]; validation: number[] } {
  if (!data.validation) return validationSplit(data.graphs.length, options.validationFraction, options.seed);
  const held = new Set(data.validation);
  for (const i of held)
    if (!Number.isInteger(i) || i < 0 || i >= data.graphs.length)
      throw new Error(`trainCgcnn: validation index ${i} is not one of the ${data.graphs.length} graphs`);
  if (held.size >= data.graphs.length) throw new Error('trainCgcnn: validation holds out every graph');
  return {
    validation: [...held].sort((a, b) => a - b),
    train: data.graphs.map((_, i) => i).filter((i) => !held.has(i)),
  };
}

/** A cheap fingerprint of config, options and data, so checkpoints never cross runs. */
export function runKey(config: CgcnnConfig, options: TrainingOptions, data: GraphDataset): string {
  let h = 2166136261;
  const mix = (x: number) => {
    h = Math.imul(h ^ (x | 0), 16777619) >>> 0;
  };
  const text = JSON.stringify({ config, options: { ...options, epochs: undefined } });
  for (let i = 0; i < text.length; i += 1) mix(text.charCodeAt(i));
  data.graphs.forEach((g, i) => {
    mix(g.numAtoms);
    mix(Math.round(data.targets[i] * 1e6));
    for (let k = 0; k < g.atomFeatures.length; k += 97) mix(Math.round(g.atomFeatures[k] * 1e4));
  });
  if (data.validation) {
    mix(data.validation.length);
    for (const i of data.validation) mix(i);
  }
  return `cgcnn-${h.toString(16)}-${data.graphs.length}`;
}

export async function trainCgcnn(
  config: CgcnnConfig,
  data: GraphDataset,
  optionsIn: Partial<TrainingOptions> = {},
  hooks: TrainingHooks = {},
): Promise<TrainedCgcnn> {
  const options = { ...TRAINING_DEFAULTS, ...optionsIn };
  if (data.graphs.length !== data.targets.length)
    throw new Error('trainCgcnn: graphs and targets differ in length');
  const key = runKey(config, options, data);
  const split = datasetSplit(data, options);
  const regression = config.task === 'regression';
  const trainTargets = split.train.map((i) => data.targets[i]);
  const resumed = hooks.checkpoint ? await hooks.checkpoint.load(key) : null;
  const normalizer = resumed?.normalizer ?? (regression ? fitNormalizer(trainTargets) : { mean: 0, std: 1 });

  const vars = createVariables(config, resumed?.weights ?? initialWeights(config, options.seed));
  const optimizer = new FlatAdam(trainableVariables(vars), { learningRate: options.learningRate });
  if (resumed) optimizer.restore(resumed.optimizer);
  const history: EpochRecord[] = resumed ? [...resumed.history] : [];
  let best = {
    epoch: resumed?.bestEpoch ?? 0,
    loss: resumed?.bestValidationLoss ?? Infinity,
    weights: resumed?.bestWeights ?? null,
  };
  let stopped = resumed?.stopped ?? false;
  const started = Date.now();
  const startEpoch = resumed?.epoch ?? 0;

  try {
    for (
      let epoch = startEpoch + 1;
      epoch <= options.epochs && !stopped && !hooks.signal?.aborted;
      epoch += 1
    ) {
      const t0 = Date.now();
      const order = permutation(split.train.length, seededRandom(deriveSeed(options.seed, 1000 + epoch)));
      let lossSum = 0;
      for (let start = 0; start < order.length; start += options.batchSize) {
        const members = Array.from(order.subarray(start, start + options.batchSize), (k) => split.train[k]);
        const parts = splitByAtoms(members, (i) => data.graphs[i].numAtoms, options.maxAtomsPerPass).map(
          (ids) => ({
            batch: batchTensors(collateGraphs(ids.map((i) => data.graphs[i]))),
            targets: targetTensor(config, targetValues(regression, normalizer, ids, data.targets)),
            weight: ids.length / members.length,
          }),
        );
        const seed = deriveSeed(options.seed, epoch * 100003 + start);
        const loss = trainStepMicroBatched(config, vars, optimizer, parts, seed);
        lossSum += (await loss.data())[0] * members.length;
        loss.dispose();
        for (const part of parts) {
          part.targets.dispose();
          disposeBatch(part.batch);
        }
      }
      const trainLoss = lossSum / order.length;
      const val = split.validation.length
        ? await evaluate(config, vars, data, split.validation, normalizer, options.batchSize)
        : { loss: NaN, error: NaN };
      const criterion = split.validation.length ? val.loss : trainLoss;
      if (criterion < best.loss) best = { epoch, loss: criterion, weights: await readWeights(vars) };
      history.push({
        epoch,
        trainLoss,
        validationLoss: val.loss,
        validationError: val.error,
        seconds: (Date.now() - t0) / 1000,
      });
      stopped = epoch - best.epoch >= options.patience || (hooks.signal?.aborted ?? false);
      if (hooks.checkpoint) {
        await hooks.checkpoint.save({
          runKey: key,
          epoch,
          weights: await readWeights(vars),
          optimizer: await optimizer.state(),
          bestWeights: best.weights ?? (await readWeights(vars)),
          bestEpoch: best.epoch,
          bestValidationLoss: best.loss,
          normalizer,
          history,
          stopped: epoch - best.epoch >= options.patience,
        });
      }
      const elapsed = (Date.now() - started) / 1000;
      const perEpoch = elapsed / (epoch - startEpoch);
      await hooks.onProgress?.({
        epoch,
        epochs: options.epochs,
        trainLoss,
        validationLoss: val.loss,
        validationError: val.error,
        bestEpoch: best.epoch,
        elapsedSeconds: elapsed,
        etaSeconds: stopped ? 0 : perEpoch * (options.epochs - epoch),
        done: stopped || epoch === options.epochs,
      });
    }
    if (!best.weights) best.weights = await readWeights(vars);
    return {
      config,
      weights: best.weights,
      normalizer,
      bestEpoch: best.epoch,
      history,
      resumedFromEpoch: startEpoch,
    };
  } finally {
    optimizer.dispose();
    disposeVariables(vars);
  }
}

function targetValues(
  regression: boolean,
  n: Normalizer,
  members: number[],
  targets: readonly number[],
): ArrayLike<number> {
  const raw = members.map((i) => targets[i]);
  return regression ? normalize(n, raw) : raw;
}

/** Loss (training units) and MAE (target units) or error rate on a subset, inference mode. */
async function evaluate(
  config: CgcnnConfig,
  vars: CgcnnVariables,
  data: GraphDataset,
  indices: number[],
  normalizer: Normalizer,
  batchSize: number,
): Promise<{ loss: number; error: number }> {
  const regression = config.task === 'regression';
  let lossSum = 0;
  let errorSum = 0;
  for (let start = 0; start < indices.length; start += batchSize) {
    const members = indices.slice(start, start + batchSize);
    const batch = batchTensors(collateGraphs(members.map((i) => data.graphs[i])));
    const y = targetTensor(config, targetValues(regression, normalizer, members, data.targets));
    const out = predictBatch(config, vars, batch);
    const loss = cgcnnLoss(config, out, y);
    lossSum += (await loss.data())[0] * members.length;
    const values = await out.data();
    const width = outputLength(config);
    members.forEach((i, k) => {
      const first = values[width * k];
      if (regression) errorSum += Math.abs(first * normalizer.std + normalizer.mean - data.targets[i]);
      else errorSum += (values[2 * k + 1] > first ? 1 : 0) !== data.targets[i] ? 1 : 0;
    });
    tf.dispose([y, out, loss]);
    disposeBatch(batch);
  }
  return { loss: lossSum / indices.length, error: errorSum / indices.length };
}

/** Predictions in target units (regression; the mean with a variance head) or P(class 1) (classification). */
export async function predictCgcnn(
  model: TrainedCgcnn,
  graphs: readonly CrystalGraph[],
  batchSize = 256,
): Promise<Float64Array> {
  return (await predictCgcnnDistribution(model, graphs, batchSize)).mean;
}

/**
 * Predictions with the model's own variance (target units², from the variance head; null when
 * the model has none). Classification: `mean` is P(class 1).
 */
export async function predictCgcnnDistribution(
  model: TrainedCgcnn,
  graphs: readonly CrystalGraph[],
  batchSize = 256,
): Promise<{ mean: Float64Array; variance: Float64Array | null }> {
  const vars = createVariables(model.config, model.weights);
  const mean = new Float64Array(graphs.length);
  const variance = hasVarianceHead(model.config) ? new Float64Array(graphs.length) : null;
  const scale = model.normalizer.std;
  try {
    for (let start = 0; start < graphs.length; start += batchSize) {
      const batch = batchTensors(collateGraphs(graphs.slice(start, start + batchSize)));
      const y = predictBatch(model.config, vars, batch);
      if (model.config.task === 'classification') {
        const values = await y.data();
        for (let k = 0; k < values.length / 2; k += 1) mean[start + k] = Math.exp(values[2 * k + 1]);
      } else if (variance) {
        const [mu, v] = tf.tidy(() => [headMean(y), headVariance(y)]);
        mean.set(denormalize(model.normalizer, await mu.data()), start);
        (await v.data()).forEach((x, k) => (variance[start + k] = x * scale * scale));
        tf.dispose([mu, v]);
      } else {
        mean.set(denormalize(model.normalizer, await y.data()), start);
      }
      y.dispose();
      disposeBatch(batch);
    }
  } finally {
    disposeVariables(vars);
  }
  return { mean, variance };
}
