/**
 * A batch from models trained elsewhere (the CGCNN ensembles of a campaign, one per objective),
 * whose predictions over the open candidates are all the proposal has. Pure: the ML activity
 * passes the predictions, the measurements and the pool's feature rows (for outcome-constraint
 * models), and stores what this returns.
 *
 * - One objective: the acquisition of its prediction (optimize/predictionBatch). When the
 *   prediction keeps its members (EnsemblePrediction), a Kriging-believer batch on the
 *   ensemble's joint belief (optimize/ensembleBelief), pending experiments fantasized first;
 *   otherwise the q best scores.
 * - Several: ParEGO on posterior samples (parEgoSampledAcquisition) with this iteration's
 *   weights, drawn from `seed` exactly as a feature surrogate's ParEGO draws them; with every
 *   objective's members kept, each pick is fantasized in every objective's belief before the
 *   next is scored (fresh draws, the stds that leaves), else the q best.
 * - Outcome constraints: feature surrogates fitted here weight the scores by P(feasible); the
 *   incumbent is the best feasible measurement (scalarized, with several objectives).
 */
import type { SurrogateContext } from '../models/index';
import type { EnsemblePrediction, Prediction } from '../models/surrogate';
import { AcquisitionSpec, orientTargets } from './acquisition';
import {
  constraintPicks,
  feasibleIncumbent,
  fitConstraintModels,
  objectiveRows,
  parEgoWeights,
  type MeasuredPoint,
  type Objective,
  type OutcomeBound,
  type PropertyPrediction,
} from './campaignProposal';
import { weightByFeasibility } from './constraints';
import { EnsembleBelief } from './ensembleBelief';
import { parEgoSampledAcquisition, parEgoScalarize } from './parego';
import { selectFromPrediction, sequentialPicks, topScores, type BatchRule } from './predictionBatch';
import { createRng } from './rng';

export interface ModelPredictionProposalInput {
  /** One per objective (primary first), in the property's own units, over the same candidates. */
  predictions: readonly (Prediction | EnsemblePrediction)[];
  /** Each objective's ensemble (as `predictions`) at the pending experiments' candidates, fantasized first. */
  pending?: readonly EnsemblePrediction[];
  objectives: readonly Objective[];
  /** Feature rows of the predicted candidates (what the constraint surrogates see). */
  X_pool: readonly (readonly number[])[];
  measured: readonly MeasuredPoint[];
  constraints: readonly OutcomeBound[];
  q: number;
  seed: number;
  acquisition: AcquisitionSpec;
  rho?: number;
  context: SurrogateContext;
}

export interface ModelPredictionProposal {
  /** Indices into the predicted candidates, best first. */
  indices: number[];
  scores: number[];
  /** ParEGO's weights of this iteration (several objectives only). */
  weights?: number[];
  /** Per pick: P(feasible) under the constraint models (constrained only). */
  feasibility?: number[];
  /** Per objective (its model's prediction) and outcome-constraint property, at each pick. */
  predictions: Record<string, PropertyPrediction>;
  /** Measurements with every objective (what the scalarization is normalized on). */
  train_size: number;
  /** How the q picks were made (predictionBatch's BatchRule). */
  batchRule: BatchRule;
}

const isEnsemble = (p: Prediction): p is EnsemblePrediction =>
  Array.isArray((p as EnsemblePrediction).deviations) && (p as EnsemblePrediction).deviations.length > 1;

/**
 * The ensemble's joint belief over the candidates with the pending experiments fantasized;
 * none without members. Units need no orienting: flipping every deviation leaves the covariance.
 */
function ensembleBelief(prediction: Prediction, pending: EnsemblePrediction | undefined) {
  if (!isEnsemble(prediction)) return undefined;
  const belief = new EnsembleBelief(prediction);
  if (pending)
    for (let i = 0; i < pending.mean.length; i++)
      belief.fantasizeOther(
        pending.deviations.map((d) => d[i]),
        pending.std[i],
      );
  return belief;
}

export function proposeFromModelPredictions(input: ModelPredictionProposalInput): ModelPredictionProposal {
  const { objectives, constraints, predictions, measured } = input;
  if (predictions.length !== objectives.length)
    throw new Error(`${predictions.length} predictions for ${objectives.length} objectives`);
  const m = input.X_pool.length;
  for (const p of predictions)
    if (p.mean.length !== m)
      throw new Error(`a prediction of ${p.mean.length} candidates, ${m} feature rows`);
  const q = Math.min(input.q, m);
  const oriented = objectives.map((o, j) => ({
    mean: Float64Array.from(orientTargets(Array.from(predictions[j].mean), o.direction)),
    std: Float64Array.from(predictions[j].std),
  }));
  const fitted = fitConstraintModels(measured, input.X_pool, constraints, input.seed, input.context);
  const rng = createRng((input.seed ^ 0x5bd1e995) >>> 0);
  const rows = objectiveRows(measured, objectives);
  const Y = rows.map((p) =>
    objectives.map((o) => (o.direction === 'maximize' ? 1 : -1) * p.values[o.property]),
  );

  let indices: number[];
  let scores: number[];
  let weights: number[] | undefined;
  let batchRule: BatchRule;
  if (objectives.length === 1) {
    const belief = ensembleBelief(predictions[0], input.pending?.[0]);
    const y = Y.map((r) => r[0]);
    const incumbent = fitted
      ? feasibleIncumbent(
          y,
          rows.map((p) => p.values),
          constraints,
        )
      : Math.max(...y);
    ({
      indices,
      scores,
      rule: batchRule,
    } = selectFromPrediction(oriented[0], q, input.acquisition, incumbent, rng, fitted?.logPof, belief));
  } else {
    const w = parEgoWeights(objectives.length, input.seed);
    weights = w;
    const incumbent = fitted
      ? feasibleIncumbent(
          parEgoScalarize(Y, w, input.rho),
          rows.map((p) => p.values),
          constraints,
        )
      : undefined;
    const kind = input.acquisition.kind;
    if (kind !== 'ei' && kind !== 'log_ei' && kind !== 'pi' && kind !== 'greedy')
      throw new Error(`ParEGO over per-objective models needs ei, log_ei, pi or greedy, not ${kind}`);
    const scoreWith = (stds: readonly Float64Array[]) => {
      const sampled = parEgoSampledAcquisition(
        oriented.map((o, j) => ({ mean: o.mean, std: stds[j] })),
        Y,
        w,
        kind,
        rng,
        { rho: input.rho, incumbent },
      );
      if (fitted) weightByFeasibility(sampled.scores, fitted.logPof, kind === 'log_ei', incumbent === null);
      return sampled.scores;
    };
    // Every objective's ensemble fantasizes each pick (and the pending experiments) at its mean.
    const beliefs = predictions.map((p, j) => ensembleBelief(p, input.pending?.[j]));
    const believer =
      q > 1 && kind !== 'greedy' && incumbent !== null && beliefs.every((b) => b !== undefined);
    batchRule = believer ? 'believer' : 'top_q';
    if (!believer) {
      const all = scoreWith(oriented.map((o) => o.std));
      indices = topScores(all, q);
      scores = indices.map((i) => all[i]);
    } else {
      ({ indices, scores } = sequentialPicks(
        q,
        () => scoreWith(beliefs.map((b) => (b as EnsembleBelief).std())),
        (i) => beliefs.forEach((b) => b?.fantasize(i)),
      ));
    }
  }
  const at = (p: Prediction): PropertyPrediction => ({
    mean: indices.map((i) => p.mean[i]),
    std: indices.map((i) => p.std[i]),
  });
  return {
    indices,
    scores,
    ...(weights ? { weights } : {}),
    ...(fitted ? { feasibility: indices.map((i) => Math.exp(fitted.logPof[i])) } : {}),
    predictions: {
      ...Object.fromEntries(objectives.map((o, j) => [o.property, at(predictions[j])])),
      ...constraintPicks(constraints, fitted?.predictions ?? new Map(), indices),
    },
    train_size: rows.length,
    batchRule,
  };
}
