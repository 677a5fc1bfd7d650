/**
 * Names shared by workflows, workers and clients: task queues, signals, queries, updates and
 * workflow ids. Importing this file pulls in no I/O.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BatchDecision, CampaignStatus, LabResult, LabResultAck } from '../schemas';

/** One queue per kind of work, so each can scale on its own machines. */
export const TASK_QUEUES = {
  orchestration: 'crucible-orchestration',
  ml: 'crucible-ml',
  lab: 'crucible-lab',
} as const;

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const cancelSignal = defineSignal<[{ reason?: string }?]>('cancel');
export const statusQuery = defineQuery<CampaignStatus>('status');
/** A PI's approval, trim or rejection of the batch awaiting approval. */
export const decideBatchUpdate = defineUpdate<{ accepted: true; iteration: number }, [BatchDecision]>(
  'decideBatch',
);
/** A lab's result for one experiment, sent to that experiment's workflow. */
export const submitLabResultUpdate = defineUpdate<LabResultAck, [LabResult]>('submitLabResult');

export const experimentId = (campaignId: string, iteration: number, candidateId: string) =>
  `${campaignId}-i${iteration}-${candidateId}`;
export const experimentWorkflowId = (experimentId: string) => `experiment-${experimentId}`;
