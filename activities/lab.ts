import type { Db } from 'mongodb';
import type { ExperimentRequest } from '../schemas';
import { requestExperiment } from '../store/experiments';

/**
 * Lab dispatch on the lab queue. A request is written once per experiment id, however often a
 * retry calls this; labs read pending requests from the store (simulated lab) or, later, the
 * HTTP API, and answer through the experiment workflow's `submitLabResult` update.
 */
export function createLabActivities(deps: { db: Db }) {
  return {
    async dispatchExperiment(request: ExperimentRequest): Promise<{ dispatch_calls: number }> {
      const doc = await requestExperiment(deps.db, request);
      return { dispatch_calls: doc.dispatch_calls };
    },
  };
}
