import { Context } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { postSignedJson } from '../notifications/signing';
import type { ExperimentOutcome, ExperimentRequest } from '../schemas';
import { getLab } from '../store/labs';
import {
  expireExperiment,
  getExperiment,
  markPushed,
  requestExperiment,
  storedOutcome,
} from '../store/experiments';

/**
 * Lab dispatch on the lab queue. A request is written once per experiment id, however often a
 * retry calls this; labs pull pending requests over the HTTP API or, when registered with a
 * webhook, get them pushed. Results come back through api/labResults.ts.
 */
export function createLabActivities(deps: { db: Db }) {
  const { db } = deps;
  return {
    async dispatchExperiment(request: ExperimentRequest): Promise<{ dispatch_calls: number; push: boolean }> {
      const doc = await requestExperiment(db, request);
      const lab = await getLab(db, doc.lab_id);
      return { dispatch_calls: doc.dispatch_calls, push: Boolean(lab?.webhook_url && lab.webhook_secret) };
    },

    /**
     * POSTs the request to the lab's webhook, HMAC-signed; a non-2xx answer throws and the
     * workflow's retry policy backs off. The delivery id is the experiment id, so a lab that
     * receives a retry of a delivery it already took can tell.
     */
    async pushExperimentRequest(request: ExperimentRequest): Promise<{ delivered: boolean }> {
      const doc = await getExperiment(db, request.experiment_id);
      if (!doc) throw new Error(`experiment ${request.experiment_id} was never dispatched`);
      const lab = await getLab(db, doc.lab_id);
      if (!lab?.webhook_url || !lab.webhook_secret) return { delivered: false };
      await postSignedJson(lab.webhook_url, lab.webhook_secret, request.experiment_id, {
        type: 'experiment.requested',
        experiment: {
          experiment_id: doc.experiment_id,
          campaign_id: doc.campaign_id,
          candidate_id: doc.candidate_id,
          property: doc.property,
          properties: doc.properties ?? [doc.property],
          lab_id: doc.lab_id,
          requested_at: doc.requested_at,
        },
      });
      await markPushed(db, request.experiment_id, Context.current().info.attempt);
      return { delivered: true };
    },

    /** Reconciliation: a result stored by the API whose signal to the workflow was lost. */
    async findStoredOutcome(experimentId: string): Promise<ExperimentOutcome | null> {
      return storedOutcome(db, experimentId);
    },

    async expireExperiment(experimentId: string): Promise<ExperimentOutcome> {
      return expireExperiment(db, experimentId);
    },
  };
}
