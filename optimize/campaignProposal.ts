/**
 * A campaign iteration's proposal when the campaign has more than the one objective: a second
 * objective (ParEGO, Knowles 2006) and/or outcome constraints (Gardner et al. 2014). Pure: the
 * ML activity passes the measurements and pool rows, and stores what this returns.
 *
 * - ParEGO: the iteration's simplex weights are drawn from `seed` (the activity derives it from
 *   the spec's random_seed and the iteration, so a retry or a replay draws the same weights);
 *   the measured objectives are scalarized with the augmented Chebyshev function and one
 *   surrogate of the scalar proposes the batch.
 * - Outcome constraints: each gets its own surrogate, fitted to the measurements of its
 *   property, and the acquisition of every candidate is weighted by its probability of
 *   feasibility (log form with log EI). The incumbent is the best measured feasible value.
 * - Per-property predictions: every pick also gets each objective's and each constraint's
 *   predicted mean/std in the property's own units, so model quality (parity, calibration) can
 *   be judged per property even when the batch was chosen by a ParEGO scalar.
 */
import { createSurrogate, Prediction, SurrogateContext } from '../models/index';
import { fitColumnScaling } from '../models/standardize';
import type { SurrogateSpec } from '../models/surrogate';
import { AcquisitionSpec, orientTargets } from './acquisition';
import { logProbabilityOfFeasibility } from './constraints';
import { parEgoScalarize, PAREGO_RHO, sampleSimplexWeights } from './parego';
import { BatchProposal, proposeBatch } from './proposeBatch';
import { createRng } from './rng';

export interface Objective {
  property: string;
  direction: 'maximize' | 'minimize';
}

export interface OutcomeBound {
  property: string;
  min?: number;
  max?: number;
  surrogate: SurrogateSpec;
}

/** One measured candidate: its features and every property measured on it (primary included). */
export interface MeasuredPoint {
  x: number[];
  values: Readonly<Record<string, number>>;
}

export interface CampaignProposalInput {
  measured: readonly MeasuredPoint[];
  X_pool: number[][];
  X_pending: number[][];
  q: number;
  seed: number;
  /** The primary objective first; two or more: ParEGO. */
  objectives: readonly Objective[];
  rho?: number;
  constraints: readonly OutcomeBound[];
  surrogate: SurrogateSpec;
  acquisition: AcquisitionSpec;
}

/** Per pick, a surrogate's mean/std of one property in its own units (null: no model of it yet). */
export interface PropertyPrediction {
  mean: (number | null)[];
  std: (number | null)[];
}

export interface CampaignProposal extends BatchProposal {
  /** Measurements the objective surrogate learned from (those with every objective measured). */
  train_size: number;
  /** ParEGO's simplex weights of this iteration, one per objective (multi-objective only). */
  weights?: number[];
  /** Per pick: P(feasible) under the constraint surrogates (constrained campaigns only). */
  feasibility?: number[];
  /** mean/std are of the ParEGO scalar, not of the primary objective. */
  scalarized: boolean;
  /** Per objective and outcome-constraint property: its prediction for each pick. */
  predictions: Record<string, PropertyPrediction>;
}

const isMeasured = (p: MeasuredPoint, property: string) => Number.isFinite(p.values[property]);

/** Measurements usable for the objective surrogate: every objective measured. */
export function objectiveRows(measured: readonly MeasuredPoint[], objectives: readonly Objective[]) {
  return measured.filter((p) => objectives.every((o) => isMeasured(p, o.property)));
}

/** True when a measurement satisfies every outcome constraint (a constraint not measured on it: false). */
export function isFeasible(values: Readonly<Record<string, number>>, constraints: readonly OutcomeBound[]) {
  return constraints.every((c) => {
    const v = values[c.property];
    return Number.isFinite(v) && (c.min === undefined || v >= c.min) && (c.max === undefined || v <= c.max);
  });
}

/** Weights of ParEGO's iteration for a seed: a stream apart from the surrogate's and acquisition's. */
export function parEgoWeights(objectives: number, seed: number): number[] {
  return sampleSimplexWeights(objectives, createRng((seed ^ 0x9e3779b9) >>> 0));
}

/** Each outcome constraint's model of the pool, and what the acquisition weighting needs from them. */
export interface ConstraintModels {
  /** Per pool row: Σ log P(feasible) over the constraints. */
  logPof: Float64Array;
  /** Per pool row: 1 when every constraint's posterior mean lies within its bounds. */
  meanFeasible: Uint8Array;
  /** Per constraint property (only those measured at least once): its prediction of the pool. */
  predictions: Map<string, Prediction>;
}

/**
 * Fits one surrogate per outcome constraint on the measurements of its property and evaluates
 * the pool (Gardner et al. 2014). A constraint never measured yet has nothing to learn from and
 * does not weight (PoF 1). Null without constraints.
 */
export function fitConstraintModels(
  measured: readonly MeasuredPoint[],
  X_pool: readonly (readonly number[])[],
  constraints: readonly OutcomeBound[],
  seed: number,
  context: SurrogateContext,
): ConstraintModels | null {
  if (constraints.length === 0) return null;
  const m = X_pool.length;
  const logPof = new Float64Array(m);
  const meanFeasible = new Uint8Array(m).fill(1);
  const predictions = new Map<string, Prediction>();
  constraints.forEach((c, k) => {
    const seen = measured.filter((p) => isMeasured(p, c.property));
    if (seen.length === 0) return;
    const model = createSurrogate(c.surrogate, (seed + 0x10001 * (k + 1)) >>> 0, context);
    model.fit(
      seen.map((p) => p.x),
      seen.map((p) => p.values[c.property]),
    );
    const pred = model.predict(X_pool as number[][]);
    predictions.set(c.property, pred);
    const bound = { lower: c.min, upper: c.max };
    for (let i = 0; i < m; i++) {
      logPof[i] += logProbabilityOfFeasibility(pred.mean[i], pred.std[i], bound);
      const mu = pred.mean[i];
      if ((c.min !== undefined && mu < c.min) || (c.max !== undefined && mu > c.max)) meanFeasible[i] = 0;
    }
  });
  return { logPof, meanFeasible, predictions };
}

/** Each constraint's prediction at the picked pool rows (null while the constraint has no model). */
export function constraintPicks(
  constraints: readonly OutcomeBound[],
  predictions: ReadonlyMap<string, Prediction>,
  picks: readonly number[],
): Record<string, PropertyPrediction> {
  return Object.fromEntries(
    constraints.map((c) => {
      const pred = predictions.get(c.property);
      return [
        c.property,
        {
          mean: picks.map((i) => (pred ? pred.mean[i] : null)),
          std: picks.map((i) => (pred ? pred.std[i] : null)),
        },
      ];
    }),
  );
}

/** The best (oriented) target among measurements that satisfy every constraint; null when none does. */
export function feasibleIncumbent(
  y: readonly number[],
  values: readonly Readonly<Record<string, number>>[],
  constraints: readonly OutcomeBound[],
): number | null {
  const feasible = y.filter((_, i) => isFeasible(values[i], constraints));
  return feasible.length > 0 ? Math.max(...feasible) : null;
}

export function proposeCampaignBatch(input: CampaignProposalInput): CampaignProposal {
  const { objectives, constraints, seed } = input;
  if (objectives.length === 0) throw new Error('proposeCampaignBatch: no objective');
  const rows = objectiveRows(input.measured, objectives);
  if (rows.length === 0) throw new Error('proposeCampaignBatch: no measurement has every objective');
  const X_train = rows.map((p) => p.x);
  const oriented = objectives.map((o) =>
    orientTargets(
      rows.map((p) => p.values[o.property]),
      o.direction,
    ),
  );
  let y_train: number[];
  let weights: number[] | undefined;
  if (objectives.length === 1) y_train = oriented[0];
  else {
    weights = parEgoWeights(objectives.length, seed);
    y_train = parEgoScalarize(
      rows.map((_, i) => oriented.map((col) => col[i])),
      weights,
      input.rho ?? PAREGO_RHO,
    );
  }

  // Same input scaling as the objective's surrogate: every candidate is known up front.
  const context: SurrogateContext = {
    inputScaling: fitColumnScaling([...X_train, ...input.X_pending, ...input.X_pool]),
  };
  const fitted = fitConstraintModels(input.measured, input.X_pool, constraints, seed, context);
  const constraintPredictions = fitted?.predictions ?? new Map<string, Prediction>();
  const feasibility = fitted
    ? {
        logPof: fitted.logPof,
        meanFeasible: fitted.meanFeasible,
        incumbent: feasibleIncumbent(
          y_train,
          rows.map((p) => p.values),
          constraints,
        ),
      }
    : undefined;

  const proposal = proposeBatch({
    X_train,
    y_train,
    X_pool: input.X_pool,
    X_pending: input.X_pending,
    q: input.q,
    surrogate: input.surrogate,
    acquisition: input.acquisition,
    seed,
    feasibility,
  });
  const picks = proposal.indices.map((i) => input.X_pool[i]);
  const predictions: Record<string, PropertyPrediction> = {};
  objectives.forEach((o, j) => {
    const sign = o.direction === 'maximize' ? 1 : -1;
    if (weights === undefined) {
      // One objective: the proposal's own (oriented) mean/std at pick time, as a plain campaign stores.
      predictions[o.property] = { mean: proposal.mean.map((v) => sign * v), std: [...proposal.std] };
      return;
    }
    // ParEGO modelled only the scalar: fit each objective on its own measurements (not on
    // pending fantasies, which would only shrink σ), in its own units.
    const seen = input.measured.filter((p) => isMeasured(p, o.property));
    const model = createSurrogate(input.surrogate, (seed + 0x20003 * (j + 1)) >>> 0, context);
    model.fit(
      seen.map((p) => p.x),
      seen.map((p) => p.values[o.property]),
    );
    const pred = model.predict(picks);
    predictions[o.property] = { mean: Array.from(pred.mean), std: Array.from(pred.std) };
  });
  Object.assign(predictions, constraintPicks(constraints, constraintPredictions, proposal.indices));
  return {
    ...proposal,
    train_size: rows.length,
    scalarized: weights !== undefined,
    predictions,
    ...(weights ? { weights } : {}),
    ...(feasibility
      ? {
          feasibility: proposal.indices.map((i) =>
            Math.exp((feasibility as { logPof: Float64Array }).logPof[i]),
          ),
        }
      : {}),
  };
}
