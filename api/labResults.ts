import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Db } from 'mongodb';
import { LabResult, LabResultAck, ValidationError, parseOrThrow } from '../schemas';
import {
  ExperimentDoc,
  getExperiment,
  outcomeOf,
  recordMeasurement,
  recordPartialResult,
} from '../store/experiments';
import { experimentWorkflowId, labResultRecordedSignal } from '../workflows/definitions';

export class UnknownExperimentError extends Error {
  constructor(readonly experimentId: string) {
    super(`unknown experiment_id "${experimentId}": no such experiment was requested`);
    this.name = 'UnknownExperimentError';
  }
}

const mismatch = (field: string, given: string, expected: string) =>
  new ValidationError('lab result', [
    { path: field, message: `"${given}" does not match the experiment's "${expected}"` },
  ]);

/**
 * The one path by which any lab (HTTP, CLI, simulated) delivers a result. Validates it against
 * its request, writes it to MongoDB exactly once, then signals the experiment's workflow.
 * Storing first means an acknowledged result is never lost: if the signal does not arrive (the
 * API died in between), the lab's retry re-sends it and the workflow's reconciliation finds it.
 *  - Final results are idempotent by experiment id: a re-post is acknowledged duplicate=true
 *    and the first result stands, also after the experiment has finished.
 *  - Partial results are idempotent by (experiment id, idempotency key).
 *  - A result after the experiment timed out or was cancelled is recorded and flagged late.
 * A malformed or mismatched result throws a ValidationError naming the field; nothing is written.
 */
export async function submitLabResult(
  deps: { client: Client; db: Db },
  raw: unknown,
  opts: { experiment?: ExperimentDoc | null } = {},
): Promise<LabResultAck> {
  const result = parseOrThrow(LabResult, raw, 'lab result');
  // The HTTP route has read the experiment already (to check the lab's scope).
  const experiment =
    opts.experiment?.experiment_id === result.experiment_id
      ? opts.experiment
      : await getExperiment(deps.db, result.experiment_id);
  if (!experiment) throw new UnknownExperimentError(result.experiment_id);
  if (result.candidate_id !== experiment.candidate_id) {
    throw mismatch('candidate_id', result.candidate_id, experiment.candidate_id);
  }
  if (result.property !== experiment.property)
    throw mismatch('property', result.property, experiment.property);
  if (result.lab_id !== experiment.lab_id) throw mismatch('lab_id', result.lab_id, experiment.lab_id);
  checkValues(result, experiment);

  const ack = { experiment_id: experiment.experiment_id, accepted: true as const };
  if (result.partial) {
    const { duplicate } = await recordPartialResult(deps.db, experiment, {
      ...result,
      idempotency_key: result.idempotency_key as string,
    });
    return { ...ack, duplicate, partial: true, late: false };
  }
  const { measurement, duplicate, late } = await recordMeasurement(deps.db, experiment, result);
  // Re-signalled on duplicates too: that is how a lab's retry heals a signal lost to a crash.
  if (!late) await signalRecorded(deps.client, experiment.experiment_id, outcomeOf(measurement));
  return { ...ack, duplicate, partial: false, late };
}

/**
 * A final succeeded result carries every property its request asked for, in `values` beside the
 * primary `value`; none it did not ask for. Partial readings may carry any subset.
 */
function checkValues(result: LabResult, experiment: ExperimentDoc): void {
  const wanted = (experiment.properties ?? [experiment.property]).filter((p) => p !== experiment.property);
  const given = Object.keys(result.values ?? {});
  const issues = given
    .filter((p) => !wanted.includes(p))
    .map((p) => ({
      path: `values.${p}`,
      message: `experiment ${experiment.experiment_id} did not ask for "${p}"`,
    }));
  if (result.status === 'succeeded' && !result.partial) {
    for (const p of wanted.filter((p) => !given.includes(p))) {
      issues.push({
        path: `values.${p}`,
        message: `required: experiment ${experiment.experiment_id} asks for "${p}"`,
      });
    }
  }
  if (issues.length > 0) throw new ValidationError('lab result', issues);
}

async function signalRecorded(client: Client, experimentId: string, outcome: ReturnType<typeof outcomeOf>) {
  try {
    await client.workflow
      .getHandle(experimentWorkflowId(experimentId))
      .signal(labResultRecordedSignal, outcome);
  } catch (err) {
    // The experiment already finished (it learned this result earlier, or timed out): nothing to tell.
    if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message)) return;
    throw err;
  }
}
