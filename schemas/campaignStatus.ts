import { z } from 'zod';

export const CampaignState = z.enum(['importing', 'seeding', 'running', 'paused', 'completed', 'cancelled']);
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
  workflow_runs: z
    .number()
    .int()
    .min(1)
    .describe('1 + how many times history was bounded by continue-as-new'),
});
export type CampaignStatus = z.infer<typeof CampaignStatus>;
