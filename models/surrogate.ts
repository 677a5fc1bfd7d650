/**
 * The contract every surrogate model meets, so campaign code can swap a Gaussian process for a
 * random forest (or later models) without knowing which one it holds.
 */

/**
 * Predictions at a set of inputs. `std` is the standard deviation of the latent function
 * (observation noise excluded) for the Gaussian process, and the spread across trees for
 * ensembles; each model documents its own meaning.
 */
export interface Prediction {
  mean: Float64Array;
  std: Float64Array;
}

/**
 * A deep ensemble's prediction with its members kept: deviations[k][i] is member k's mean at
 * input i minus the ensemble mean, over √M and times the calibration scale, so Σₖ deviations[k][i]²
 * is the members' spread in std[i]² (the rest is their own predicted variance).
 */
export interface EnsemblePrediction extends Prediction {
  deviations: Float64Array[];
}

export interface Surrogate {
  readonly kind: string;
  fit(X: readonly (readonly number[])[], y: readonly number[]): void;
  predict(X: readonly (readonly number[])[]): Prediction;
  /** Plain JSON, enough for `restoreSurrogate` to reproduce predictions exactly. */
  toJSON(): unknown;
}

export type SurrogateSpec =
  | { kind: 'gp' }
  | { kind: 'random_forest'; trees?: number }
  | { kind: 'gradient_boosting'; members?: number; stages?: number; uncertainty?: 'ensemble' | 'quantile' }
  | { kind: 'kernel_ridge' }
  | { kind: 'mlp_ensemble'; members?: number }
  | { kind: 'sparse_gp'; inducing?: number };

/**
 * A surrogate that can absorb extra (fantasized) observations cheaply, keeping its fitted
 * hyperparameters: batch selection uses this for the Kriging believer.
 */
export interface Conditionable extends Surrogate {
  conditionOn(X: readonly (readonly number[])[], y: readonly number[]): Surrogate;
}

export function isConditionable(s: Surrogate): s is Conditionable {
  return typeof (s as Partial<Conditionable>).conditionOn === 'function';
}
