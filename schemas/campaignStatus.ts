import { z } from 'zod';

export const CampaignState = z.enum([
  'importing',
  'seeding',
  'running',
  'paused',
  'awaiting_approval',
  'completed',
  'cancelled',
]);
export type CampaignState = z.infer<typeof CampaignState>;

export const StopReason = z.enum([
  'experiment_budget',
  'iteration_budget',
  'target_reached',
  'pool_exhausted',
  'cancelled',
]);
export type StopReason = z.infer<typeof StopReason>;

export const BestSoFar = z.object({ candidate_id: z.string(), value: z.number(), experiment_id: z.string() });
export type BestSoFar = z.infer<typeof BestSoFar>;

/** One measured candidate with every objective (and constraint) value it has. */
export const OutcomePoint = z.object({
  candidate_id: z.string(),
  experiment_id: z.string(),
  values: z.record(z.string(), z.number()),
  feasible: z.boolean().describe('every outcome constraint measured and within its bounds'),
});

/**
 * Objectives and constraints of a multi-objective or constrained campaign, from its stored
 * measurements (the API adds it to the status; the workflow itself keeps only counters).
 */
export const CampaignOutcomes = z.object({
  objectives: z.array(z.object({ property: z.string(), direction: z.enum(['maximize', 'minimize']) })),
  constraints: z.array(
    z.object({
      property: z.string(),
      min: z.number().nullable(),
      max: z.number().nullable(),
      measured: z.number().int().describe('measurements of this property'),
      satisfied: z.number().int().describe('of those, within the bounds'),
    }),
  ),
  excluded_elements: z.array(z.string()),
  measured: z.number().int().describe('succeeded measurements with every objective'),
  feasible: z.number().int().describe('of those, satisfying every outcome constraint'),
  hypervolume: z
    .object({
      value: z.number(),
      reference_point: z.array(z.number()).describe("per objective, in each property's units"),
      reference: z.enum(['spec', 'inferred']),
    })
    .nullable()
    .optional()
    .describe(
      'two or more objectives: the volume the feasible front dominates above the reference point (null before any feasible point)',
    ),
  pareto_front: z
    .array(OutcomePoint)
    .describe('non-dominated feasible points (all objectives); with one objective, the best feasible point'),
});
export type CampaignOutcomes = z.infer<typeof CampaignOutcomes>;

/**
 * How well the surrogate of one property predicted what was then measured: each succeeded
 * measurement against the prediction stored with the batch that picked it.
 */
export const ModelQualitySummary = z.object({
  property: z.string(),
  role: z.enum(['objective', 'constraint']),
  n: z.number().int().describe('measurements of this property with a prediction from pick time'),
  mae: z.number().nullable().describe('mean |measured − predicted|; null while n is 0'),
  rmse: z.number().nullable(),
  coverage_68: z
    .number()
    .nullable()
    .describe('share within predicted ± σ (σ combined with the lab uncertainty); calibrated ≈ 0.68'),
  coverage_95: z.number().nullable().describe('share within ± 1.96 σ; calibrated ≈ 0.95'),
  mean_std: z.number().nullable().describe('mean predicted σ'),
});
export type ModelQualitySummary = z.infer<typeof ModelQualitySummary>;

/** The answer to the campaign's `status` query. */
export const CampaignStatus = z.object({
  campaign_id: z.string(),
  state: CampaignState,
  iteration: z.number().int().min(0),
  best: BestSoFar.nullable(),
  pending_experiments: z.array(z.string()),
  budget: z.object({
    experiments_used: z.number().int().min(0),
    experiments_max: z.number().int().min(1),
    iterations_used: z.number().int().min(0),
    iterations_max: z.number().int().min(1),
  }),
  failed_experiments: z.number().int().min(0),
  stop_reason: StopReason.nullable(),
  awaiting_approval: z
    .object({ iteration: z.number().int(), candidate_ids: z.array(z.string()), requested_at: z.string() })
    .nullable(),
  workflow_runs: z
    .number()
    .int()
    .min(1)
    .describe('1 + how many times history was bounded by continue-as-new'),
  outcomes: CampaignOutcomes.optional().describe(
    'multi-objective or constrained campaigns: Pareto front and feasibility (added by the API)',
  ),
  model_quality: z
    .array(ModelQualitySummary)
    .optional()
    .describe('per objective (primary first) and outcome constraint (added by the API)'),
});
export type CampaignStatus = z.infer<typeof CampaignStatus>;

/** A PI's decision on a proposed batch (the `decideBatch` update). */
export const BatchDecision = z
  .object({
    iteration: z.number().int().min(0).describe('0 is the seed batch'),
    decision: z.enum(['approve', 'reject', 'trim']),
    candidate_ids: z.array(z.string().min(1)).min(1).optional().describe('for trim: the candidates to keep'),
    reason: z.string().max(2000).optional(),
    decided_by: z.string().min(1).max(200),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.decision === 'trim' && !d.candidate_ids) {
      ctx.addIssue({
        code: 'custom',
        path: ['candidate_ids'],
        message: 'trim needs the candidate_ids to keep',
      });
    }
  });
export type BatchDecision = z.infer<typeof BatchDecision>;
