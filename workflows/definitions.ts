/**
 * Names shared by workflows, workers and clients: task queues, signals, queries, updates and
 * workflow ids. Importing this file pulls in no I/O.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BatchDecision, CampaignStatus, ExperimentOutcome } from '../schemas';

/** One queue per kind of work, so each can scale on its own machines. */
export const TASK_QUEUES = {
  orchestration: 'crucible-orchestration',
  ml: 'crucible-ml',
  lab: 'crucible-lab',
  /** MD/HPC submission and polling (workers/md.ts), on a machine that reaches the cluster. */
  md: 'crucible-md',
} as const;

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const cancelSignal = defineSignal<[{ reason?: string }?]>('cancel');
export const statusQuery = defineQuery<CampaignStatus>('status');
/** A PI's approval, trim or rejection of the batch awaiting approval. */
export const decideBatchUpdate = defineUpdate<{ accepted: true; iteration: number }, [BatchDecision]>(
  'decideBatch',
);
/**
 * Sent by the API to an experiment's workflow once that experiment's result is stored in
 * MongoDB (the store, not the signal, is the record: a lost signal is healed by the lab's
 * retry or by the workflow's periodic reconciliation).
 */
export const labResultRecordedSignal = defineSignal<[ExperimentOutcome]>('labResultRecorded');

export const experimentId = (campaignId: string, iteration: number, candidateId: string) =>
  `${campaignId}-i${iteration}-${candidateId}`;
export const experimentWorkflowId = (experimentId: string) => `experiment-${experimentId}`;
/** One candidate's MD run in one iteration, and the child workflow that runs it. */
export const mdRunId = (campaignId: string, iteration: number, candidateId: string) =>
  `${experimentId(campaignId, iteration, candidateId)}-md`;
export const mdWorkflowId = (runId: string) => `md-${runId}`;
