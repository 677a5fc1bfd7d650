import {
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { createCampaignActivities } from '../activities/campaign';
import type { createLabActivities } from '../activities/lab';
import type { ExperimentOutcome, ExperimentRequest } from '../schemas';
import { TASK_QUEUES, labResultRecordedSignal } from './definitions';

// Single-document writes: a short timeout means a crashed worker's attempt is retried within seconds.
const lab = proxyActivities<ReturnType<typeof createLabActivities>>({
  taskQueue: TASK_QUEUES.lab,
  startToCloseTimeout: '10 seconds',
});
// A lab's webhook may be down for hours: back off up to 30 minutes between tries, for about a day.
const push = proxyActivities<ReturnType<typeof createLabActivities>>({
  taskQueue: TASK_QUEUES.lab,
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 minutes',
    maximumAttempts: 60,
  },
});
const store = proxyActivities<ReturnType<typeof createCampaignActivities>>({
  taskQueue: TASK_QUEUES.orchestration,
  startToCloseTimeout: '10 seconds',
});

/** How often a waiting experiment checks the store for a result whose signal never came. */
export const RECONCILE_EVERY_MS = 30 * 60_000;

/**
 * One experiment on one candidate: dispatch the request to its lab (and push it when the lab
 * has a webhook), then wait (weeks if need be) until the API has stored the lab's result and
 * signalled it, or until the lab's result timeout, and return the outcome. The result itself
 * is written once by the API (api/labResults.ts), never by this workflow, so no result passes
 * through workflow history.
 */
export async function experimentWorkflow(request: ExperimentRequest): Promise<ExperimentOutcome> {
  let outcome: ExperimentOutcome | undefined;
  setHandler(labResultRecordedSignal, (o) => {
    if (o.experiment_id === request.experiment_id && outcome === undefined) outcome = o;
  });

  const timeoutMinutes = request.lab.kind === 'remote' ? request.lab.result_timeout_minutes : undefined;
  const deadline = timeoutMinutes === undefined ? Infinity : Date.now() + timeoutMinutes * 60_000;
  try {
    const dispatched = await lab.dispatchExperiment(request);
    if (dispatched.push) {
      // Not awaited: the lab may answer (pulling) before the push succeeds; a push that never
      // succeeds leaves the request pullable.
      void push.pushExperimentRequest(request).catch(() => undefined);
    }
    while (outcome === undefined) {
      const waitMs = Math.min(RECONCILE_EVERY_MS, deadline - Date.now());
      if (waitMs <= 0) {
        outcome = await lab.expireExperiment(request.experiment_id);
        break;
      }
      if (!(await condition(() => outcome !== undefined, waitMs))) {
        outcome ??= (await lab.findStoredOutcome(request.experiment_id)) ?? undefined;
      }
    }
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => store.markExperimentCancelled(request.experiment_id));
    }
    throw err;
  }
  return outcome;
}
