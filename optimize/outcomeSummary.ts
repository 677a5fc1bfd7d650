/**
 * What a multi-objective or constrained campaign has found so far, from its measurements: the
 * Pareto front of the feasible measured points and how many satisfy each outcome constraint.
 */
import { campaignObjectives, excludedElements, measuredValues } from '../schemas';
import type { CampaignOutcomes, CampaignSpec, Measurement, OutcomeConstraint } from '../schemas';
import { orientTargets } from './acquisition';
import { hypervolume, inferReferencePoint } from './hypervolume';
import { nonDominatedIndices } from './pareto';

const outcomeConstraints = (spec: CampaignSpec): OutcomeConstraint[] =>
  (spec.constraints ?? []).flatMap((c) => (c.kind === 'outcome' ? [c] : []));

/** Measured, finite and within both bounds. */
const within = (v: number | undefined, c: OutcomeConstraint): boolean =>
  v !== undefined &&
  Number.isFinite(v) &&
  (c.min === undefined || v >= c.min) &&
  (c.max === undefined || v <= c.max);

/** One succeeded measurement with every objective measured, and whether it meets every outcome constraint. */
export interface OutcomePoint {
  candidate_id: string;
  experiment_id: string;
  values: Record<string, number>;
  feasible: boolean;
}

/** Every succeeded measurement as a point (all properties), in experiment order. */
function measuredPoints(measurements: readonly Measurement[]) {
  return measurements
    .filter((m) => m.status === 'succeeded' && m.value !== null)
    .map((m) => ({
      candidate_id: m.candidate_id,
      experiment_id: m.experiment_id,
      values: measuredValues(m),
    }))
    .sort((a, b) => (a.experiment_id < b.experiment_id ? -1 : a.experiment_id > b.experiment_id ? 1 : 0));
}

/** The points the front is computed from (every objective measured), with their feasibility. */
export function outcomePoints(spec: CampaignSpec, measurements: readonly Measurement[]): OutcomePoint[] {
  const objectives = campaignObjectives(spec);
  const constraints = outcomeConstraints(spec);
  return measuredPoints(measurements)
    .filter((p) => objectives.every((o) => Number.isFinite(p.values[o.property])))
    .map((p) => ({ ...p, feasible: constraints.every((c) => within(p.values[c.property], c)) }));
}

/** null for a plain single-objective spec without constraints (its status stays as it was). */
export function summarizeOutcomes(
  spec: CampaignSpec,
  measurements: readonly Measurement[],
): CampaignOutcomes | null {
  const constraints = outcomeConstraints(spec);
  const excluded = excludedElements(spec);
  if (!spec.multi_objective && constraints.length === 0 && excluded.length === 0) return null;
  const objectives = campaignObjectives(spec);
  const points = measuredPoints(measurements);
  const complete = outcomePoints(spec, measurements);
  const feasible = complete.filter((p) => p.feasible);
  const oriented = objectives.map((o) =>
    orientTargets(
      feasible.map((p) => p.values[o.property]),
      o.direction,
    ),
  );
  const rows = feasible.map((_, i) => oriented.map((col) => col[i]));
  const front = nonDominatedIndices(rows);
  return {
    objectives,
    constraints: constraints.map((c) => {
      const seen = points.filter((p) => p.values[c.property] !== undefined);
      return {
        property: c.property,
        min: c.min ?? null,
        max: c.max ?? null,
        measured: seen.length,
        satisfied: seen.filter((p) => within(p.values[c.property], c)).length,
      };
    }),
    excluded_elements: excluded,
    measured: complete.length,
    feasible: feasible.length,
    ...(objectives.length > 1
      ? {
          hypervolume: frontHypervolume(
            front.map((i) => rows[i]),
            objectives,
            spec.multi_objective?.reference_point,
          ),
        }
      : {}),
    // Best first in the primary objective (so, along a two-objective front, worst first in the other).
    pareto_front: front
      .map((i) => feasible[i])
      .sort((a, b) => oriented[0][feasible.indexOf(b)] - oriented[0][feasible.indexOf(a)]),
  };
}

/** Per objective, larger is better: minimized values negated (so applying it twice is the identity). */
const orienter =
  (objectives: readonly { direction: 'maximize' | 'minimize' }[]) =>
  (row: readonly number[]): number[] =>
    row.map((v, j) => (objectives[j].direction === 'maximize' ? v : -v));

/**
 * The hypervolume of the feasible front (oriented rows) above the spec's reference point, or one
 * inferred from the front as BoTorch does. An inferred point moves as the front grows, so only a
 * spec's fixed point makes values comparable over a campaign's life and between campaigns.
 */
function frontHypervolume(
  front: number[][],
  objectives: readonly { direction: 'maximize' | 'minimize' }[],
  specReference: readonly number[] | undefined,
): CampaignOutcomes['hypervolume'] {
  if (front.length === 0) return null;
  const orient = orienter(objectives);
  const reference = specReference ? orient(specReference) : inferReferencePoint(front);
  return {
    value: hypervolume(front, reference),
    reference_point: orient(reference), // its own inverse
    reference: specReference ? 'spec' : 'inferred',
  };
}

/**
 * The feasible front's hypervolume after each succeeded measurement with every objective, in the
 * order they were recorded, all above one reference point (oriented; the current summary's), so
 * the values are comparable along the campaign. Two or more objectives only.
 */
export function hypervolumeTrace(
  spec: CampaignSpec,
  measurements: readonly Measurement[],
  referencePoint: readonly number[],
): number[] {
  const objectives = campaignObjectives(spec);
  const orient = orienter(objectives);
  const reference = orient(referencePoint);
  const recorded = [...measurements].sort(
    (a, b) => a.recorded_at.localeCompare(b.recorded_at) || a.experiment_id.localeCompare(b.experiment_id),
  );
  const byExperiment = new Map(outcomePoints(spec, measurements).map((p) => [p.experiment_id, p]));
  const feasible: number[][] = [];
  const trace: number[] = [];
  for (const m of recorded) {
    const p = byExperiment.get(m.experiment_id);
    if (!p) continue;
    if (p.feasible) feasible.push(orient(objectives.map((o) => p.values[o.property])));
    trace.push(hypervolume(feasible, reference));
  }
  return trace;
}
