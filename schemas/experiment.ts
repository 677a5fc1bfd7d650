import { z } from 'zod';
import { LabSpec, propertyName } from './campaignSpec';

/** Further measured properties by name (MongoDB-safe keys); `value` stays the primary property's. */
const PropertyValues = z
  .record(propertyName, z.number().finite())
  .describe('the other requested properties (ExperimentRequest.properties beyond property), by name');

/** What the campaign asks a lab to measure. `experiment_id` is the idempotency key everywhere. */
export const ExperimentRequest = z
  .object({
    experiment_id: z.string().min(1),
    campaign_id: z.string().min(1),
    pool_id: z.string().min(1),
    candidate_id: z.string().min(1),
    iteration: z.number().int().min(0),
    property: z.string().min(1),
    properties: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'every property to measure, `property` (the primary objective) first; absent: only `property`',
      ),
    lab: LabSpec,
  })
  .strict();
export type ExperimentRequest = z.infer<typeof ExperimentRequest>;

/**
 * What a lab posts back. A succeeded result carries a finite value; a failed one a reason.
 * Labs may post the same result twice; the experiment id makes the second a no-op.
 * A partial result (an intermediate reading: one replicate of three, a first impedance sweep)
 * is recorded beside the experiment without completing it; its idempotency key tells re-posts
 * of the same reading from new readings.
 */
export const LabResult = z
  .object({
    experiment_id: z.string().min(1).max(300),
    candidate_id: z.string().min(1).max(300),
    property: z.string().min(1).max(100),
    status: z.enum(['succeeded', 'failed']),
    value: z.number().finite().optional().describe('the measured value of `property`'),
    values: PropertyValues.optional(),
    uncertainty: z.number().finite().min(0).optional(),
    failure_reason: z.string().min(1).max(2000).optional(),
    lab_id: z.string().min(1).max(200),
    measured_at: z.iso.datetime({ offset: true }),
    partial: z.boolean().optional().describe('an intermediate reading; the experiment stays open'),
    idempotency_key: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('required for partial results; the Idempotency-Key header sets it too'),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.partial && r.idempotency_key === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['idempotency_key'],
        message: 'a partial result needs an idempotency key (body field or Idempotency-Key header)',
      });
    }
    if (r.partial && r.status === 'failed') {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'a partial result cannot be a failure' });
    }
    if (r.status === 'succeeded' && r.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a succeeded result needs a finite value' });
    }
    if (r.status === 'failed' && r.value !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a failed result carries no value' });
    }
    if (r.status === 'failed' && r.values !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'a failed result carries no values' });
    }
    if (r.values && r.property in r.values) {
      ctx.addIssue({
        code: 'custom',
        path: ['values', r.property],
        message: `"${r.property}" is the primary property: post it as value`,
      });
    }
  });
export type LabResult = z.infer<typeof LabResult>;

/**
 * The lab's acknowledgement: `duplicate` is true when this experiment (or, for a partial
 * result, this idempotency key) already had a result, and the stored one stands; `late` when
 * the result came after the experiment timed out or was cancelled: recorded, flagged, and left
 * out of the batch that was waiting for it.
 */
export const LabResultAck = z.object({
  experiment_id: z.string(),
  accepted: z.literal(true),
  duplicate: z.boolean(),
  partial: z.boolean(),
  late: z.boolean(),
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
    /** The other properties the request asked for (multi-objective and constrained campaigns). */
    values: z.record(z.string(), z.number().finite()).optional(),
    uncertainty: z.number().finite().nullable(),
    lab_id: z.string(),
    measured_at: z.string(),
    recorded_at: z.string(),
    /** Arrived after the experiment timed out or was cancelled. */
    late: z.boolean().optional(),
  })
  .strict();
export type Measurement = z.infer<typeof Measurement>;

/** Every property a succeeded measurement carries: the primary `value` and the further `values`. */
export function measuredValues(
  m: Pick<Measurement, 'property' | 'value' | 'values'>,
): Record<string, number> {
  return { ...(m.values ?? {}), [m.property]: m.value as number };
}

/** What an experiment workflow returns to its campaign: small, ids and one number. */
export const ExperimentOutcome = z.object({
  experiment_id: z.string(),
  candidate_id: z.string(),
  status: z.enum(['succeeded', 'failed', 'cancelled', 'timed_out']),
  value: z.number().nullable(),
});
export type ExperimentOutcome = z.infer<typeof ExperimentOutcome>;

/** One intermediate reading of an open experiment (stored once per idempotency key). */
export const PartialResult = z
  .object({
    experiment_id: z.string().min(1),
    idempotency_key: z.string().min(1),
    value: z.number().finite().nullable(),
    values: z.record(z.string(), z.number().finite()).optional(),
    uncertainty: z.number().finite().nullable(),
    lab_id: z.string(),
    measured_at: z.string(),
    recorded_at: z.string(),
  })
  .strict();
export type PartialResult = z.infer<typeof PartialResult>;
