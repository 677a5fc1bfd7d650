/**
 * Deep ensemble of CGCNNs (Lakshminarayanan et al., NeurIPS 2017): M members trained from
 * different seeds (initialization and shuffles); the prediction is the members' mean and the
 * uncertainty their standard deviation (epistemic spread; members have no variance head).
 *
 * Campaign integration: GraphSurrogate is models/surrogate.ts's Surrogate with crystal graphs
 * instead of feature rows and async fit/predict (tfjs reads GPU results asynchronously). An ML
 * activity builds graphs for the pool (materials/crystalGraph), calls fit on the labelled ones
 * and predict on the rest; the {mean, std} it returns is the same Prediction the acquisition
 * functions in optimize/ already consume, so EI/UCB work unchanged on CGCNN ensembles. toJSON
 * is what the model registry stores; CgcnnDeepEnsemble.fromJSON restores identical predictions.
 */
import type { CrystalGraph } from '../../materials/crystalGraph';
import type { Prediction } from '../../models/surrogate';
import { cgcnnConfig, type CgcnnConfig } from '../cgcnn/config';
import { deriveSeed } from '../random';
import { weightsFromJSON, weightsToJSON, type CheckpointSink } from '../training/checkpoint';
import {
  predictCgcnn,
  trainCgcnn,
  TRAINING_DEFAULTS,
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
}

export interface DeepEnsembleHooks {
  checkpoint?: CheckpointSink;
  onProgress?: (member: number, progress: TrainingProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Mean and (population) standard deviation across members, per input. */
export function ensembleMoments(memberPredictions: readonly Float64Array[]): Prediction {
  const m = memberPredictions.length;
  const n = memberPredictions[0]?.length ?? 0;
  const mean = new Float64Array(n);
  const std = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    let s = 0;
    for (const p of memberPredictions) s += p[i];
    mean[i] = s / m;
    let ss = 0;
    for (const p of memberPredictions) ss += (p[i] - mean[i]) ** 2;
    std[i] = Math.sqrt(ss / m);
  }
  return { mean, std };
}

export class CgcnnDeepEnsemble implements GraphSurrogate {
  readonly kind = 'cgcnn_deep_ensemble';
  readonly options: DeepEnsembleOptions;
  members: TrainedCgcnn[] = [];

  constructor(
    options: { members?: number; config?: CgcnnConfig; training?: Partial<TrainingOptions> } = {},
    private readonly hooks: DeepEnsembleHooks = {},
  ) {
    this.options = {
      members: options.members ?? 5,
      config: options.config ?? cgcnnConfig(),
      training: { ...TRAINING_DEFAULTS, ...options.training },
    };
  }

  /** Trains members one after another; each checkpoints under its own run key (its seed). */
  async fit(graphs: readonly CrystalGraph[], y: readonly number[]): Promise<void> {
    const trained: TrainedCgcnn[] = [];
    for (let k = 0; k < this.options.members; k += 1) {
      const seed = deriveSeed(this.options.training.seed, 500 + k);
      trained.push(
        await trainCgcnn(
          this.options.config,
          { graphs, targets: y },
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
  }

  async predict(graphs: readonly CrystalGraph[]): Promise<Prediction> {
    if (this.members.length === 0) throw new Error('CgcnnDeepEnsemble: predict before fit');
    const each: Float64Array[] = [];
    for (const member of this.members) each.push(await predictCgcnn(member, graphs));
    return ensembleMoments(each);
  }

  toJSON(): unknown {
    return {
      kind: this.kind,
      options: this.options,
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
      options: DeepEnsembleOptions;
      members: {
        weights: Parameters<typeof weightsFromJSON>[0];
        normalizer: TrainedCgcnn['normalizer'];
        bestEpoch: number;
        history: TrainedCgcnn['history'];
      }[];
    };
    if (j?.kind !== 'cgcnn_deep_ensemble')
      throw new Error('CgcnnDeepEnsemble.fromJSON: kind is not cgcnn_deep_ensemble');
    const ensemble = new CgcnnDeepEnsemble(j.options);
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
