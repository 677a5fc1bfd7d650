/**
 * Batch selection for one campaign iteration: fit the surrogate, then pick q pool candidates.
 *
 * Acquisition-based kinds use the Kriging believer (Ginsbourger, Le Riche & Carraro 2010):
 * after each pick the model is told that the picked candidate's outcome equals its current
 * posterior mean, and the pool is rescored. For the GP this keeps the hyperparameters and only
 * shrinks uncertainty near the pick, so the next pick moves elsewhere; the random forest adds
 * the fantasy to one leaf per tree (see RandomForest.conditionOn); a surrogate without
 * conditionOn is refitted on the data plus fantasies. Pending (dispatched, unmeasured)
 * candidates are fantasized the same way before the first pick.
 *
 * Thompson sampling draws q independent posterior samples instead. For the GP each draw is a
 * joint sample over a candidate subset (the THOMPSON_SUBSET pool points with the highest
 * mean + 2·std, all of them when the pool is smaller); for other surrogates one tree/member's
 * prediction is one sample when available, else independent marginal draws.
 *
 * The GP's inputs are scaled by the mean/std of every candidate (training rows, pending and
 * pool), known before any measurement, rather than by the few training rows.
 */
import { GaussianProcess } from '../models/gaussianProcess';
import { createSurrogate, SurrogateContext } from '../models/index';
import { fitColumnScaling } from '../models/standardize';
import { choleskyWithJitter } from '../models/linalg';
import { RandomForest } from '../models/randomForest';
import { isConditionable, Prediction, Surrogate, SurrogateSpec } from '../models/surrogate';
import { checkMatrix, checkVector } from '../models/validate';
import { AcquisitionSpec, scoreAcquisition, ucbBetaSchedule } from './acquisition';
import { weightByFeasibility } from './constraints';
import { forestBelieverBatch } from './forestBatch';
import { gpBelieverBatch, isLazyAcquisition } from './gpBatch';
import { createRng, Rng } from './rng';

export interface BatchProposalInput {
  X_train: number[][];
  /** Already oriented for maximization (see orientTargets). */
  y_train: number[];
  /** Untested candidates (excluding pending). */
  X_pool: number[][];
  /** Dispatched but not yet measured: fantasized at the posterior mean. */
  X_pending?: number[][];
  q: number;
  surrogate: SurrogateSpec;
  acquisition: AcquisitionSpec;
  seed: number;
  /**
   * A surrogate already fitted to (X_train, y_train) — e.g. by an earlier activity or a
   * benchmark that times selection apart from fitting. Omitted: one is created from `surrogate`
   * and fitted here.
   */
  model?: Surrogate;
  /**
   * false: always use the generic Kriging-believer loop (conditionOn + predict on the whole
   * pool per pick) instead of the GP and forest fast paths (gpBatch.ts, forestBatch.ts), which
   * give the same picks. For tests and benchmarks.
   */
  fastPaths?: boolean;
  /**
   * Outcome constraints (Gardner et al. 2014), already evaluated by their own surrogates: per
   * X_pool row, log P(feasible) (summed over independent constraints) and whether every
   * constraint's posterior mean lies within its bounds (what the Kriging believer believes of a
   * pick). `incumbent`: the best y_train among measurements known to be feasible, null when none.
   * Scores become EI·PoF (PI·PoF; log EI + log PoF); with no feasible incumbent yet, PoF alone.
   * Only for ei, log_ei and pi; the GP and forest fast paths do not weight, so they are skipped.
   */
  feasibility?: { logPof: Float64Array; meanFeasible: Uint8Array; incumbent: number | null };
}

export interface BatchProposal {
  /** Indices into X_pool, in pick order. */
  indices: number[];
  /** Acquisition value of each pick when it was picked (sampled value for Thompson). */
  scores: number[];
  /**
   * Posterior mean / std of each pick from the first model (fitted to the measurements, with
   * pending candidates fantasized) — honest predictions, not shrunk by in-batch fantasies.
   */
  mean: number[];
  std: number[];
}

/** Pool points kept for joint Thompson samples (the covariance is subset² in memory). */
export const THOMPSON_SUBSET = 1000;

export function proposeBatch(input: BatchProposalInput): BatchProposal {
  const { X_train, y_train, X_pool, q, seed } = input;
  const acquisition: AcquisitionSpec =
    input.acquisition.kind === 'ucb' && input.acquisition.betaSchedule
      ? {
          ...input.acquisition,
          beta: ucbBetaSchedule(
            input.acquisition.betaSchedule,
            X_train.length + (input.X_pending?.length ?? 0),
            X_pool.length,
          ),
        }
      : input.acquisition;
  const { cols: d } = checkMatrix(X_train, 'X_train');
  checkVector(y_train, 'y_train', X_train.length);
  const { rows: m } = checkMatrix(X_pool, 'X_pool', d);
  const pending = input.X_pending ?? [];
  if (pending.length > 0) checkMatrix(pending, 'X_pending', d);
  if (!Number.isInteger(q) || q < 1 || q > m)
    throw new Error(`q must be an integer in [1, ${m}] (pool size), got ${q}`);
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  const rng = createRng((seed ^ 0x5bd1e995) >>> 0); // acquisition draws, independent of the model's stream

  // The pool is known up front: scale features by all candidates, not by the few measured ones.
  // (Only needed to create or refit a surrogate, so not computed for a given model on a fast path.)
  const poolContext = (): SurrogateContext => ({
    inputScaling: fitColumnScaling([...X_train, ...pending, ...X_pool]),
  });
  let context: SurrogateContext | null = null;
  let surrogate = input.model;
  if (!surrogate) {
    context = poolContext();
    surrogate = createSurrogate(input.surrogate, seed, context);
    surrogate.fit(X_train, y_train);
  }
  const feasibility = input.feasibility;
  if (feasibility) {
    if (!['ei', 'log_ei', 'pi'].includes(acquisition.kind))
      throw new Error(`feasibility weighting needs ei, log_ei or pi, not ${acquisition.kind}`);
    if (feasibility.logPof.length !== m || feasibility.meanFeasible.length !== m)
      throw new Error(`feasibility for ${feasibility.logPof.length} points, pool has ${m}`);
  }
  if (input.fastPaths !== false && !feasibility) {
    if (surrogate instanceof GaussianProcess && isLazyAcquisition(acquisition.kind))
      return gpBelieverBatch(surrogate, X_pool, pending, q, { ...acquisition, kind: acquisition.kind });
    if (surrogate instanceof RandomForest && acquisition.kind !== 'thompson' && acquisition.kind !== 'random')
      return forestBelieverBatch(surrogate, X_pool, pending, q, acquisition, Math.max(...y_train), rng);
  }
  context ??= poolContext();
  let model = new Believer(surrogate, input.surrogate, seed, context, X_train, y_train);
  if (pending.length > 0) model = model.observe(pending, Array.from(model.current.predict(pending).mean));
  const first = model.current.predict(X_pool);
  const best = Math.max(...model.y);

  if (acquisition.kind === 'thompson') return thompsonBatch(model.current, X_pool, first, q, rng);

  const picked = new Uint8Array(m);
  const out: BatchProposal = { indices: [], scores: [], mean: [], std: [] };
  let pred: Prediction = first;
  let incumbent: number | null = feasibility ? feasibility.incumbent : best;
  for (let k = 0; k < q; k++) {
    const scores =
      incumbent === null
        ? new Float64Array(m) // no feasible point yet: PoF alone decides (below)
        : scoreAcquisition(acquisition, pred, incumbent, rng);
    if (feasibility)
      weightByFeasibility(scores, feasibility.logPof, acquisition.kind === 'log_ei', incumbent === null);
    const i = argmaxUnpicked(scores, picked);
    picked[i] = 1;
    out.indices.push(i);
    out.scores.push(scores[i]);
    out.mean.push(first.mean[i]);
    out.std.push(first.std[i]);
    // Random picks ignore the model, so fantasizing would only cost time.
    if (k + 1 < q && acquisition.kind !== 'random') {
      const fantasy = pred.mean[i];
      model = model.observe([X_pool[i]], [fantasy]);
      // Constrained: the believer also believes the constraint means, so an infeasible-looking
      // pick never raises the feasible incumbent.
      if (!feasibility || feasibility.meanFeasible[i])
        incumbent = incumbent === null ? fantasy : Math.max(incumbent, fantasy);
      pred = model.current.predict(X_pool);
    }
  }
  return out;
}

/** A fitted surrogate plus the (real + fantasized) data it has seen. */
class Believer {
  constructor(
    readonly current: Surrogate,
    private readonly spec: SurrogateSpec,
    private readonly seed: number,
    private readonly context: SurrogateContext,
    readonly X: readonly (readonly number[])[],
    readonly y: readonly number[],
  ) {}

  observe(X: readonly (readonly number[])[], y: readonly number[]): Believer {
    const Xa = [...this.X, ...X];
    const ya = [...this.y, ...y];
    let next: Surrogate;
    if (isConditionable(this.current)) next = this.current.conditionOn(X, y);
    else {
      next = createSurrogate(this.spec, this.seed, this.context);
      next.fit(Xa, ya);
    }
    return new Believer(next, this.spec, this.seed, this.context, Xa, ya);
  }
}

function thompsonBatch(
  model: Surrogate,
  X_pool: number[][],
  first: Prediction,
  q: number,
  rng: Rng,
): BatchProposal {
  const m = X_pool.length;
  const out: BatchProposal = { indices: [], scores: [], mean: [], std: [] };
  const picked = new Uint8Array(m);
  const take = (i: number, score: number) => {
    picked[i] = 1;
    out.indices.push(i);
    out.scores.push(score);
    out.mean.push(first.mean[i]);
    out.std.push(first.std[i]);
  };
  if (model instanceof GaussianProcess) {
    const subset = topByOptimism(first, Math.min(m, Math.max(THOMPSON_SUBSET, q)));
    const { mean, covariance } = model.predictJoint(subset.map((i) => X_pool[i]));
    const s = subset.length;
    const { L } = choleskyWithJitter(covariance, s, 1);
    for (let k = 0; k < q; k++) {
      const z = Float64Array.from({ length: s }, () => rng.normal());
      let bestJ = -1;
      let bestV = -Infinity;
      for (let a = 0; a < s; a++) {
        if (picked[subset[a]]) continue;
        let v = mean[a];
        for (let b = 0; b <= a; b++) v += L[a * s + b] * z[b];
        if (v > bestV) {
          bestV = v;
          bestJ = a;
        }
      }
      take(subset[bestJ], bestV);
    }
    return out;
  }
  const members = model instanceof RandomForest ? model.predictTrees(X_pool) : null;
  for (let k = 0; k < q; k++) {
    const sample = members
      ? members[rng.int(members.length)]
      : scoreAcquisition({ kind: 'thompson' }, first, 0, rng);
    const i = argmaxUnpicked(sample, picked);
    take(i, sample[i]);
  }
  return out;
}

/** The `count` pool indices with the largest mean + 2·std (where a sample's maximum will lie). */
function topByOptimism(pred: Prediction, count: number): number[] {
  const idx = Array.from({ length: pred.mean.length }, (_, i) => i);
  const u = (i: number) => pred.mean[i] + 2 * pred.std[i];
  idx.sort((a, b) => u(b) - u(a) || a - b);
  return idx.slice(0, count);
}

/** Largest score among unpicked entries; ties go to the lowest index (deterministic). */
function argmaxUnpicked(scores: ArrayLike<number>, picked: Uint8Array): number {
  let best = -1;
  let bestV = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    if (picked[i]) continue;
    if (best < 0 || scores[i] > bestV) {
      best = i;
      bestV = scores[i];
    }
  }
  return best;
}
