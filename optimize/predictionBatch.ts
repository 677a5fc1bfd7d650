/**
 * Batch selection from fixed predictions — for a surrogate trained elsewhere (the CGCNN deep
 * ensemble, trained by the trainSurrogate activity) whose predictions over the open candidates
 * are all the proposal step has. The network cannot be refitted on a fantasy: with an
 * EnsembleBelief (the members' joint predictions) each pick is fantasized at its mean and the
 * next is scored with the stds that leaves (Kriging believer); without one the q picks are the q
 * best acquisition scores. Thompson: q draws, each taking its best unpicked candidate; joint
 * draws from the belief (Hernández-Lobato et al. 2017 draw batch members from a neural network's
 * posterior likewise), else independent marginal ones.
 */
import type { Prediction } from '../models/surrogate';
import { AcquisitionSpec, scoreAcquisition } from './acquisition';
import { weightByFeasibility } from './constraints';
import type { EnsembleBelief } from './ensembleBelief';
import type { BatchProposal } from './proposeBatch';
import type { Rng } from './rng';

/**
 * `pred` and `incumbent` are oriented for maximization (see orientTargets). With `logPof` (outcome
 * constraints, per candidate: Σ log P(feasible)) the scores are EI·PoF, PI·PoF or log EI + log PoF,
 * and `incumbent` is the best feasible measurement: null when none is feasible yet, and then PoF
 * alone ranks (Gardner et al. 2014), as proposeBatch does. `belief` (over the same candidates,
 * pending experiments already fantasized) makes ei, log_ei, pi and ucb batches Kriging-believer
 * ones; the stored std of each pick stays the prediction's own.
 */
/**
 * How a batch's q picks were made: the Kriging believer on an ensemble's joint belief, Thompson
 * draws from it (joint over candidates) or from each candidate's marginal (no belief), or the q
 * best scores (no belief, greedy, q = 1, or no incumbent yet).
 */
export type BatchRule = 'top_q' | 'believer' | 'joint_thompson' | 'marginal_thompson';

export function selectFromPrediction(
  pred: Prediction,
  q: number,
  acquisition: AcquisitionSpec,
  incumbent: number | null,
  rng: Rng,
  logPof?: Float64Array,
  belief?: EnsembleBelief,
): BatchProposal & { rule: BatchRule } {
  const m = pred.mean.length;
  if (!Number.isInteger(q) || q < 1 || q > m)
    throw new Error(`q must be an integer in [1, ${m}] (pool size), got ${q}`);
  if (logPof && !['ei', 'log_ei', 'pi'].includes(acquisition.kind))
    throw new Error(`feasibility weighting needs ei, log_ei or pi, not ${acquisition.kind}`);
  if (!logPof && incumbent === null) throw new Error('selectFromPrediction: an incumbent is needed');
  if (belief && belief.size !== m)
    throw new Error(`an ensemble belief over ${belief.size} candidates for a prediction of ${m}`);
  // The stored std of each pick is the prediction's own, not a fantasy-shrunk one.
  const batch = (rule: BatchRule, picks: { indices: number[]; scores: number[] }) => ({
    ...picks,
    mean: picks.indices.map((i) => pred.mean[i]),
    std: picks.indices.map((i) => pred.std[i]),
    rule,
  });
  if (acquisition.kind === 'thompson') {
    // With the ensemble's belief, joint draws (the members' correlations kept); else marginal.
    const draw = () =>
      belief ? belief.sample(rng) : scoreAcquisition(acquisition, pred, incumbent as number, rng);
    return batch(belief ? 'joint_thompson' : 'marginal_thompson', sequentialPicks(q, draw));
  }
  const score = (p: Prediction) => {
    const scores =
      incumbent === null ? new Float64Array(m) : scoreAcquisition(acquisition, p, incumbent, rng);
    if (logPof) weightByFeasibility(scores, logPof, acquisition.kind === 'log_ei', incumbent === null);
    return scores;
  };
  // Only σ changes under a believer fantasy: greedy (and PoF alone) would pick the same q.
  if (!belief || q === 1 || acquisition.kind === 'greedy' || incumbent === null) {
    const scores = score(pred);
    const indices = topScores(scores, q, pred.mean);
    return batch('top_q', { indices, scores: indices.map((i) => scores[i]) });
  }
  return batch(
    'believer',
    sequentialPicks(
      q,
      () => score({ mean: pred.mean, std: belief.std() }),
      (i) => belief.fantasize(i),
      pred.mean,
    ),
  );
}

/**
 * q picks one at a time: score every candidate, take the best not yet taken (ties as in
 * topScores), then `after` it (a believer fantasizes it; Thompson draws afresh anyway).
 */
export function sequentialPicks(
  q: number,
  score: () => Float64Array,
  after: (i: number) => void = () => {},
  tiebreak?: ArrayLike<number>,
): { indices: number[]; scores: number[] } {
  const indices: number[] = [];
  const scores: number[] = [];
  let picked: Uint8Array | undefined;
  for (let k = 0; k < q; k++) {
    const s = score();
    picked ??= new Uint8Array(s.length);
    let best = -1;
    for (let i = 0; i < s.length; i++)
      if (!picked[i] && (best < 0 || outranks(s, tiebreak, i, best))) best = i;
    picked[best] = 1;
    indices.push(best);
    scores.push(s[best]);
    after(best);
  }
  return { indices, scores };
}

/**
 * Indices of the q highest scores, highest first. Ties go to the higher `tiebreak` (the predicted
 * mean: EI underflows to the same 0 for every candidate far below the incumbent, and a
 * believer's fantasies can leave σ ≈ 0), then to the lower index (deterministic).
 */
export function topScores(scores: ArrayLike<number>, q: number, tiebreak?: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i)
    .sort((a, b) => (outranks(scores, tiebreak, a, b) ? -1 : outranks(scores, tiebreak, b, a) ? 1 : a - b))
    .slice(0, q);
}

/** Whether candidate i ranks above j: a higher score, or an equal one and a higher tiebreak. */
function outranks(scores: ArrayLike<number>, tiebreak: ArrayLike<number> | undefined, i: number, j: number) {
  return (
    scores[i] > scores[j] || (scores[i] === scores[j] && tiebreak !== undefined && tiebreak[i] > tiebreak[j])
  );
}
