/**
 * Deep ensemble of CGCNNs (Lakshminarayanan et al., NeurIPS 2017): M members trained from
 * different seeds (initialization and shuffles); the prediction is the members' mean and the
 * uncertainty their standard deviation (epistemic spread). Without variance heads that spread is
 * rescaled by one factor fitted on a holdout the members never saw (σ-scaling), because a few
 * hundred crystals leave the members agreeing far more than they are right; with them (the
 * paper's full recipe) it is the std of the members' Gaussian mixture, used as it comes.
 *
 * Campaign integration: GraphSurrogate is models/surrogate.ts's Surrogate with crystal graphs
 * instead of feature rows and async fit/predict (tfjs reads GPU results asynchronously). An ML
 * activity builds graphs for the pool (materials/crystalGraph), calls fit on the labelled ones
 * and predict on the rest; the {mean, std} it returns is the same Prediction the acquisition
 * functions in optimize/ already consume, so EI/UCB work unchanged on CGCNN ensembles. toJSON
 * is what the model registry stores; CgcnnDeepEnsemble.fromJSON restores identical predictions.
 */
import type { CrystalGraph } from '../../materials/crystalGraph';
import type { EnsemblePrediction, Prediction } from '../../models/surrogate';
import { cgcnnConfig, hasVarianceHead, type CgcnnConfig } from '../cgcnn/config';
import { deriveSeed, permutation, seededRandom } from '../random';
import { intervalCalibration, varianceScale, type IntervalCalibration } from './calibration';
import { weightsFromJSON, weightsToJSON, type CheckpointSink } from '../training/checkpoint';
import {
  predictCgcnnDistribution,
  trainCgcnn,
  TRAINING_DEFAULTS,
  validationSplit,
  type TrainedCgcnn,
  type TrainingOptions,
  type TrainingProgress,
} from '../training/train';

export interface GraphSurrogate {
  readonly kind: string;
  fit(graphs: readonly CrystalGraph[], y: readonly number[]): Promise<void>;
  predict(graphs: readonly CrystalGraph[]): Promise<Prediction>;
  toJSON(): unknown;
}

export interface DeepEnsembleOptions {
  members: number;
  config: CgcnnConfig;
  training: TrainingOptions;
  /**
   * Share of the data held out from every member to calibrate the ensemble's spread
   * (σ-scaling, ml/ensemble/calibration.ts). 0 turns calibration off; so does a holdout smaller
   * than MIN_CALIBRATION_POINTS, where a fitted scale would be noise. Default 0.1, and 0 with a
   * variance head: its mixture std was calibrated as it came on OBELiX, and a scale fitted on 25
   * held-out crystals made the test coverage worse (ml/README.md).
   */
  calibrationFraction: number;
  /**
   * How each member picks the crystals it early-stops on. 'random': its own seeded
   * validationFraction of the data (the default). 'folds': the data is cut into one fold per
   * member and member k validates on fold k, so each stopping signal rests on 1/M of the data
   * rather than a tenth, every crystal is held out by exactly one member, and the members see
   * different data (bagging-like diversity). Measured on OBELiX in ml/README.md.
   */
  validation: EnsembleValidation;
}

export type EnsembleValidation = 'random' | 'folds';

/**
 * M disjoint folds covering 0..n-1 (seeded), as even in size as n allows: fold k is every M-th
 * index of a seeded permutation, starting at k.
 */
export function crossValidationFolds(n: number, folds: number, seed: number): number[][] {
  if (!Number.isInteger(folds) || folds < 2)
    throw new Error(`crossValidationFolds: needs at least 2 folds, got ${folds}`);
  if (n < folds) throw new Error(`crossValidationFolds: ${n} crystals cannot fill ${folds} folds`);
  const order = Array.from(permutation(n, seededRandom(deriveSeed(seed, 11))));
  return Array.from({ length: folds }, (_, k) =>
    order.filter((_, j) => j % folds === k).sort((a, b) => a - b),
  );
}

export const MIN_CALIBRATION_POINTS = 10;

/** How the ensemble's standard deviations were rescaled, and the holdout figures behind it. */
export interface EnsembleCalibration {
  /** Every predicted std is multiplied by this. */
  scale: number;
  holdout: number;
  /** Coverage and NLL on the holdout with the raw spread, and with the scaled one (in-sample for the scale). */
  raw: IntervalCalibration;
  scaled: IntervalCalibration;
}

export interface DeepEnsembleHooks {
  checkpoint?: CheckpointSink;
  onProgress?: (member: number, progress: TrainingProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

/**
 * Mean and (population) standard deviation across members, per input. With each member's own
 * variance (variance heads), the members are an equal mixture of Gaussians and the std is the
 * mixture's: σ*² = mean(σₘ² + μₘ²) − μ*² (Lakshminarayanan et al. 2017, §2.4), i.e. the members'
 * spread plus their mean variance.
 */
export function ensembleMoments(
  memberPredictions: readonly Float64Array[],
  memberVariances?: readonly Float64Array[],
): Prediction {
  const m = memberPredictions.length;
  const n = memberPredictions[0]?.length ?? 0;
  if (memberVariances && memberVariances.length !== m)
    throw new Error('ensembleMoments: one variance array per member');
  const mean = new Float64Array(n);
  const std = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    let s = 0;
    for (const p of memberPredictions) s += p[i];
    mean[i] = s / m;
    let ss = 0;
    for (const p of memberPredictions) ss += (p[i] - mean[i]) ** 2;
    if (memberVariances) for (const v of memberVariances) ss += v[i];
    std[i] = Math.sqrt(ss / m);
  }
  return { mean, std };
}

export class CgcnnDeepEnsemble implements GraphSurrogate {
  readonly kind = 'cgcnn_deep_ensemble';
  readonly options: DeepEnsembleOptions;
  members: TrainedCgcnn[] = [];
  /** Null when the ensemble was fit without a calibration holdout (spread used as is). */
  calibration: EnsembleCalibration | null = null;

  constructor(
    options: {
      members?: number;
      config?: CgcnnConfig;
      training?: Partial<TrainingOptions>;
      calibrationFraction?: number;
      validation?: EnsembleValidation;
    } = {},
    private readonly hooks: DeepEnsembleHooks = {},
  ) {
    const config = options.config ?? cgcnnConfig();
    this.options = {
      members: options.members ?? 5,
      config,
      training: { ...TRAINING_DEFAULTS, ...options.training },
      calibrationFraction: options.calibrationFraction ?? (hasVarianceHead(config) ? 0 : 0.1),
      validation: options.validation ?? 'random',
    };
    if (this.options.validation === 'folds' && this.options.members < 2)
      throw new Error("CgcnnDeepEnsemble: validation 'folds' needs at least 2 members (one fold each)");
  }

  /**
   * Holds out a calibration set (seeded; too small → none), trains the members on the rest one
   * after another (each checkpoints under its own run key; with 'folds' member k early-stops on
   * fold k), then fits the spread's scale on the holdout. Regression only: a classifier's spread
   * is left as is.
   */
  async fit(graphsIn: readonly CrystalGraph[], yIn: readonly number[]): Promise<void> {
    const split = validationSplit(
      graphsIn.length,
      this.options.calibrationFraction,
      deriveSeed(this.options.training.seed, 900),
    );
    const calibrate =
      this.options.config.task === 'regression' && split.validation.length >= MIN_CALIBRATION_POINTS;
    const trainIdx = calibrate ? split.train : graphsIn.map((_, i) => i);
    const graphs = trainIdx.map((i) => graphsIn[i]);
    const y = trainIdx.map((i) => yIn[i]);
    const folds =
      this.options.validation === 'folds'
        ? crossValidationFolds(graphs.length, this.options.members, this.options.training.seed)
        : null;
    const trained: TrainedCgcnn[] = [];
    for (let k = 0; k < this.options.members; k += 1) {
      const seed = deriveSeed(this.options.training.seed, 500 + k);
      trained.push(
        await trainCgcnn(
          this.options.config,
          { graphs, targets: y, ...(folds ? { validation: folds[k] } : {}) },
          { ...this.options.training, seed },
          {
            checkpoint: this.hooks.checkpoint,
            signal: this.hooks.signal,
            onProgress: this.hooks.onProgress && ((p) => this.hooks.onProgress?.(k, p)),
          },
        ),
      );
    }
    this.members = trained;
    this.calibration = null;
    if (!calibrate) return;
    const holdoutY = split.validation.map((i) => yIn[i]);
    const raw = await this.predictRaw(split.validation.map((i) => graphsIn[i]));
    const scale = varianceScale(raw.mean, raw.std, holdoutY);
    const scaledStd = raw.std.map((s) => s * scale);
    this.calibration = {
      scale,
      holdout: holdoutY.length,
      raw: intervalCalibration(raw.mean, raw.std, holdoutY),
      scaled: intervalCalibration(raw.mean, scaledStd, holdoutY),
    };
  }

  /** Members' mean and spread, the spread scaled by the calibration factor when there is one. */
  async predict(graphs: readonly CrystalGraph[]): Promise<Prediction> {
    const p = await this.predictRaw(graphs);
    const scale = this.calibration?.scale ?? 1;
    return scale === 1 ? p : { mean: p.mean, std: p.std.map((s) => s * scale) };
  }

  /** The members' mean and (uncalibrated) standard deviation. */
  async predictRaw(graphs: readonly CrystalGraph[]): Promise<Prediction> {
    const { means, variances } = await this.memberPredictions(graphs);
    return ensembleMoments(means, variances);
  }

  /**
   * `predict` plus each member's deviation from the mean (calibrated, over √M): the joint belief
   * over the candidates that batch selection fantasizes with (optimize/ensembleBelief).
   */
  async predictJoint(graphs: readonly CrystalGraph[]): Promise<EnsemblePrediction> {
    const { means, variances } = await this.memberPredictions(graphs);
    const p = ensembleMoments(means, variances);
    const scale = this.calibration?.scale ?? 1;
    const root = Math.sqrt(means.length);
    return {
      mean: p.mean,
      std: p.std.map((s) => s * scale),
      deviations: means.map((m) => m.map((v, i) => (scale * (v - p.mean[i])) / root)),
    };
  }

  private async memberPredictions(graphs: readonly CrystalGraph[]) {
    if (this.members.length === 0) throw new Error('CgcnnDeepEnsemble: predict before fit');
    const means: Float64Array[] = [];
    const variances: Float64Array[] = [];
    for (const member of this.members) {
      const p = await predictCgcnnDistribution(member, graphs);
      means.push(p.mean);
      if (p.variance) variances.push(p.variance);
    }
    return { means, variances: variances.length > 0 ? variances : undefined };
  }

  toJSON(): unknown {
    return {
      kind: this.kind,
      options: this.options,
      calibration: this.calibration,
      members: this.members.map((m) => ({
        weights: weightsToJSON(m.weights),
        normalizer: m.normalizer,
        bestEpoch: m.bestEpoch,
        history: m.history,
      })),
    };
  }

  static fromJSON(json: unknown): CgcnnDeepEnsemble {
    const j = json as {
      kind: string;
      // Models stored before these options existed lack them.
      options: Omit<DeepEnsembleOptions, 'calibrationFraction' | 'validation'> & {
        calibrationFraction?: number;
        validation?: EnsembleValidation;
      };
      calibration?: EnsembleCalibration | null;
      members: {
        weights: Parameters<typeof weightsFromJSON>[0];
        normalizer: TrainedCgcnn['normalizer'];
        bestEpoch: number;
        history: TrainedCgcnn['history'];
      }[];
    };
    if (j?.kind !== 'cgcnn_deep_ensemble')
      throw new Error('CgcnnDeepEnsemble.fromJSON: kind is not cgcnn_deep_ensemble');
    // Models stored before calibration existed load with their spread as it was.
    const ensemble = new CgcnnDeepEnsemble({ calibrationFraction: 0, ...j.options });
    ensemble.calibration = j.calibration ?? null;
    ensemble.members = j.members.map((m) => ({
      config: j.options.config,
      weights: weightsFromJSON(m.weights),
      normalizer: m.normalizer,
      bestEpoch: m.bestEpoch,
      history: m.history,
      resumedFromEpoch: 0,
    }));
    return ensemble;
  }
}
