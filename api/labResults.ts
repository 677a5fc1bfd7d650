import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Db } from 'mongodb';
import { LabResult, LabResultAck, ValidationError, parseOrThrow } from '../schemas';
import { getExperiment, getMeasurement } from '../store/experiments';
import { experimentWorkflowId, submitLabResultUpdate } from '../workflows/definitions';

export class UnknownExperimentError extends Error {
  constructor(readonly experimentId: string) {
    super(`unknown experiment_id "${experimentId}": no such experiment was requested`);
    this.name = 'UnknownExperimentError';
  }
}

/**
 * The one path by which any lab (simulated now, HTTP later) delivers a result: validate, then
 * the experiment workflow's `submitLabResult` update. Idempotent by experiment id: a re-post
 * is acknowledged with duplicate=true, also after the experiment workflow has finished.
 * A malformed result throws a ValidationError naming the field, and nothing is written.
 */
export async function submitLabResult(deps: { client: Client; db: Db }, raw: unknown): Promise<LabResultAck> {
  const result = parseOrThrow(LabResult, raw, 'lab result');
  const experiment = await getExperiment(deps.db, result.experiment_id);
  if (!experiment) throw new UnknownExperimentError(result.experiment_id);
  const handle = deps.client.workflow.getHandle(experimentWorkflowId(result.experiment_id));
  try {
    return await handle.executeUpdate(submitLabResultUpdate, { args: [result] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      // The workflow's validator refused it (ids or property do not match the request).
      throw new ValidationError('lab result', [{ path: '', message: err.cause?.message ?? err.message }]);
    }
    if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message)) {
      // The experiment is over: acknowledge a re-post of a stored result, refuse anything else.
      const stored = await getMeasurement(deps.db, result.experiment_id);
      if (stored) return { experiment_id: result.experiment_id, accepted: true, duplicate: true };
    }
    throw err;
  }
}
