import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { createCampaignActivities } from '../activities/campaign';
import type { createLabActivities } from '../activities/lab';
import { ExperimentOutcome, ExperimentRequest, LabResult, LabResultAck, parseOrThrow } from '../schemas';
import { TASK_QUEUES, submitLabResultUpdate } from './definitions';

// Single-document writes: a short timeout means a crashed worker's attempt is retried within seconds.
const lab = proxyActivities<ReturnType<typeof createLabActivities>>({
  taskQueue: TASK_QUEUES.lab,
  startToCloseTimeout: '10 seconds',
});
const store = proxyActivities<ReturnType<typeof createCampaignActivities>>({
  taskQueue: TASK_QUEUES.orchestration,
  startToCloseTimeout: '10 seconds',
});

/**
 * One experiment on one candidate: dispatch the request to its lab, wait (days if need be) for
 * the lab's result through the `submitLabResult` update, persist it once, return its outcome.
 */
export async function experimentWorkflow(request: ExperimentRequest): Promise<ExperimentOutcome> {
  let result: LabResult | undefined;
  let outcome: ExperimentOutcome | undefined = undefined;

  setHandler(
    submitLabResultUpdate,
    async (posted): Promise<LabResultAck> => {
      const ack = { experiment_id: request.experiment_id, accepted: true as const };
      // First result wins; a re-post (lab retry, network duplicate) is acknowledged, not applied.
      if (result !== undefined) return { ...ack, duplicate: true };
      result = posted;
      await condition(() => outcome !== undefined); // ack only once the measurement is stored
      return { ...ack, duplicate: false };
    },
    {
      // Runs before anything is written to history: a malformed result leaves no trace.
      validator: (posted) => {
        const r = parseOrThrow(LabResult, posted, 'lab result');
        if (r.experiment_id !== request.experiment_id) {
          throw new Error(
            `lab result: experiment_id "${r.experiment_id}" does not match "${request.experiment_id}"`,
          );
        }
        if (r.candidate_id !== request.candidate_id) {
          throw new Error(
            `lab result: candidate_id "${r.candidate_id}" does not match experiment's "${request.candidate_id}"`,
          );
        }
        if (r.property !== request.property) {
          throw new Error(
            `lab result: property "${r.property}" does not match requested "${request.property}"`,
          );
        }
      },
    },
  );

  try {
    await lab.dispatchExperiment(request);
    await condition(() => result !== undefined);
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => store.markExperimentCancelled(request.experiment_id));
    }
    throw err;
  }
  if (result === undefined) throw ApplicationFailure.nonRetryable('unreachable: no lab result');
  // Once a lab has answered, its result is stored even if the campaign is being cancelled.
  const posted = result;
  outcome = await CancellationScope.nonCancellable(() => store.recordMeasurement(request, posted));
  await condition(allHandlersFinished);
  return outcome;
}
