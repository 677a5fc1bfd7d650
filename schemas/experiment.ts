import { z } from 'zod';
import { LabSpec } from './campaignSpec';

/** What the campaign asks a lab to measure. `experiment_id` is the idempotency key everywhere. */
export const ExperimentRequest = z
  .object({
    experiment_id: z.string().min(1),
    campaign_id: z.string().min(1),
    pool_id: z.string().min(1),
    candidate_id: z.string().min(1),
    iteration: z.number().int().min(0),
    property: z.string().min(1),
    lab: LabSpec,
  })
  .strict();
export type ExperimentRequest = z.infer<typeof ExperimentRequest>;

/**
 * What a lab posts back. A succeeded result carries a finite value; a failed one a reason.
 * Labs may post the same result twice; the experiment id makes the second a no-op.
 */
export const LabResult = z
  .object({
    experiment_id: z.string().min(1),
    candidate_id: z.string().min(1),
    property: z.string().min(1),
    status: z.enum(['succeeded', 'failed']),
    value: z.number().finite().optional(),
    uncertainty: z.number().finite().min(0).optional(),
    failure_reason: z.string().min(1).optional(),
    lab_id: z.string().min(1),
    measured_at: z.iso.datetime({ offset: true }),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.status === 'succeeded' && r.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a succeeded result needs a finite value' });
    }
    if (r.status === 'failed' && r.value !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a failed result carries no value' });
    }
  });
export type LabResult = z.infer<typeof LabResult>;

/** The lab's acknowledgement: `duplicate` is true when this experiment already had a result. */
export const LabResultAck = z.object({
  experiment_id: z.string(),
  accepted: z.literal(true),
  duplicate: z.boolean(),
});
export type LabResultAck = z.infer<typeof LabResultAck>;

/** A persisted measurement (one per experiment id, never more). */
export const Measurement = z
  .object({
    experiment_id: z.string().min(1),
    campaign_id: z.string().min(1),
    candidate_id: z.string().min(1),
    iteration: z.number().int().min(0),
    property: z.string().min(1),
    status: z.enum(['succeeded', 'failed']),
    value: z.number().finite().nullable(),
    uncertainty: z.number().finite().nullable(),
    lab_id: z.string(),
    measured_at: z.string(),
    recorded_at: z.string(),
  })
  .strict();
export type Measurement = z.infer<typeof Measurement>;

/** What an experiment workflow returns to its campaign: small, ids and one number. */
export const ExperimentOutcome = z.object({
  experiment_id: z.string(),
  candidate_id: z.string(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  value: z.number().nullable(),
});
export type ExperimentOutcome = z.infer<typeof ExperimentOutcome>;
