/** Surrogate factory and deserializer: the only entry point campaign code needs. */
import { GaussianProcess, GaussianProcessJson } from './gaussianProcess';
import { GradientBoosting, GradientBoostingJson } from './gradientBoosting';
import { KernelRidge, KernelRidgeJson } from './kernelRidge';
import { MlpEnsemble, MlpEnsembleJson } from './mlpEnsemble';
import { RandomForest, RandomForestJson } from './randomForest';
import { SparseGaussianProcess, SparseGpJson } from './sparseGp';
import type { Scaling } from './standardize';
import type { Surrogate, SurrogateSpec } from './surrogate';

export type { Prediction, Surrogate, SurrogateSpec } from './surrogate';

/**
 * What the caller knows beyond the training rows. `inputScaling`: column scaling of the whole
 * candidate pool, used by the GP (trees are scale-invariant and ignore it).
 */
export interface SurrogateContext {
  inputScaling?: Scaling;
}

export function createSurrogate(
  spec: SurrogateSpec,
  seed: number,
  context: SurrogateContext = {},
): Surrogate {
  if (!Number.isFinite(seed)) throw new Error(`surrogate seed must be a finite number, got ${seed}`);
  switch (spec?.kind) {
    case 'gp':
      // MAP with the dimension-scaled prior: ML-II collapses in high dimensions (hyperpriors.ts).
      return new GaussianProcess(
        { lengthscalePrior: 'dimension_scaled', inputScaling: context.inputScaling },
        seed,
      );
    case 'random_forest':
      return new RandomForest({ trees: spec.trees }, seed);
    case 'gradient_boosting':
      // The quantile mode's three models see every row: one "member", no bootstrap.
      return spec.uncertainty === 'quantile'
        ? new GradientBoosting(
            { members: spec.members ?? 1, bootstrap: false, stages: spec.stages, uncertainty: 'quantile' },
            seed,
          )
        : new GradientBoosting({ members: spec.members, stages: spec.stages }, seed);
    case 'kernel_ridge':
      return new KernelRidge({ inputScaling: context.inputScaling });
    case 'mlp_ensemble':
      return new MlpEnsemble({ members: spec.members, inputScaling: context.inputScaling }, seed);
    case 'sparse_gp':
      return new SparseGaussianProcess({ inducing: spec.inducing, inputScaling: context.inputScaling }, seed);
    default:
      throw new Error(`unknown surrogate kind: ${String((spec as { kind?: unknown })?.kind)}`);
  }
}

/** Rebuilds a fitted surrogate from its toJSON() output; predictions are identical. */
export function restoreSurrogate(json: unknown): Surrogate {
  const kind = (json as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case 'gp':
      return GaussianProcess.fromJSON(json as GaussianProcessJson);
    case 'random_forest':
      return RandomForest.fromJSON(json as RandomForestJson);
    case 'gradient_boosting':
      return GradientBoosting.fromJSON(json as GradientBoostingJson);
    case 'kernel_ridge':
      return KernelRidge.fromJSON(json as KernelRidgeJson);
    case 'mlp_ensemble':
      return MlpEnsemble.fromJSON(json as MlpEnsembleJson);
    case 'sparse_gp':
      return SparseGaussianProcess.fromJSON(json as SparseGpJson);
    default:
      throw new Error(`cannot restore surrogate: unknown kind ${String(kind)}`);
  }
}
