/**
 * What a multi-objective or constrained campaign has found so far, from its measurements: the
 * Pareto front of the feasible measured points and how many satisfy each outcome constraint.
 */
import type { CampaignOutcomes, CampaignSpec, Measurement } from '../schemas';
import { orientTargets } from './acquisition';
import { nonDominatedIndices } from './pareto';

/** null for a plain single-objective spec without constraints (its status stays as it was). */
export function summarizeOutcomes(
  spec: CampaignSpec,
  measurements: readonly Measurement[],
): CampaignOutcomes | null {
  const constraints = (spec.constraints ?? []).flatMap((c) => (c.kind === 'outcome' ? [c] : []));
  const excluded = [
    ...new Set((spec.constraints ?? []).flatMap((c) => (c.kind === 'exclude_elements' ? c.elements : []))),
  ];
  if (!spec.multi_objective && constraints.length === 0 && excluded.length === 0) return null;
  const objectives = [spec.objective, ...(spec.multi_objective?.additional_objectives ?? [])].map((o) => ({
    property: o.property,
    direction: o.direction,
  }));
  const points = measurements
    .filter((m) => m.status === 'succeeded' && m.value !== null)
    .map((m) => ({
      candidate_id: m.candidate_id,
      experiment_id: m.experiment_id,
      values: { ...(m.values ?? {}), [m.property]: m.value as number },
    }))
    .sort((a, b) => (a.experiment_id < b.experiment_id ? -1 : a.experiment_id > b.experiment_id ? 1 : 0));
  const within = (v: number | undefined, c: (typeof constraints)[number]) =>
    v !== undefined &&
    Number.isFinite(v) &&
    (c.min === undefined || v >= c.min) &&
    (c.max === undefined || v <= c.max);
  const complete = points
    .filter((p) => objectives.every((o) => Number.isFinite(p.values[o.property])))
    .map((p) => ({ ...p, feasible: constraints.every((c) => within(p.values[c.property], c)) }));
  const feasible = complete.filter((p) => p.feasible);
  const oriented = objectives.map((o) =>
    orientTargets(
      feasible.map((p) => p.values[o.property]),
      o.direction,
    ),
  );
  const front = nonDominatedIndices(feasible.map((_, i) => oriented.map((col) => col[i])));
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
    // Best first in the primary objective (so, along a two-objective front, worst first in the other).
    pareto_front: front
      .map((i) => feasible[i])
      .sort((a, b) => oriented[0][feasible.indexOf(b)] - oriented[0][feasible.indexOf(a)]),
  };
}
