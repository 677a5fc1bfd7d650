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
