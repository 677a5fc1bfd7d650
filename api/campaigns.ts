import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { Db } from 'mongodb';
import { BatchDecision, CampaignSpec, CampaignStatus, parseOrThrow } from '../schemas';
import { summarizeOutcomes } from '../optimize/outcomeSummary';
import { campaignBatches } from '../store/batches';
import { getCampaign, listCampaigns } from '../store/campaigns';
import { campaignMeasurements } from '../store/experiments';
import { campaignWorkflow } from '../workflows/campaign';
import {
  TASK_QUEUES,
  cancelSignal,
  decideBatchUpdate,
  pauseSignal,
  resumeSignal,
  statusQuery,
} from '../workflows/definitions';
import { HttpError } from './errors';
import { modelQualityByProperty, summarizeModelQuality } from './modelQuality';

/** Campaign operations shared by the HTTP API and the CLI. */
export interface CampaignDeps {
  client: Client;
  db: Db;
}

const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;

/** Validates the spec (every bad field named), then starts the campaign workflow. */
export async function startCampaign(
  deps: CampaignDeps,
  rawSpec: unknown,
  campaignId?: string,
): Promise<{ campaign_id: string; spec: CampaignSpec }> {
  const spec = parseOrThrow(CampaignSpec, rawSpec, 'campaign spec');
  const id = campaignId ?? `${spec.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  if (!CAMPAIGN_ID.test(id)) throw new HttpError(400, 'validation', `campaign_id "${id}" is not a valid id`);
  try {
    await deps.client.workflow.start(campaignWorkflow, {
      workflowId: id,
      taskQueue: TASK_QUEUES.orchestration,
      args: [{ spec: rawSpec as CampaignSpec }],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new HttpError(409, 'conflict', `campaign "${id}" already exists`);
    }
    throw err;
  }
  return { campaign_id: id, spec };
}

/**
 * Live status from the workflow; for a finished campaign, the last snapshot stored in MongoDB.
 * With `summaries` (the default) it also gets, computed here from the stored measurements and
 * batches because the workflow keeps only counters: `model_quality` (every campaign) and, for a
 * multi-objective or constrained campaign, `outcomes` (Pareto front, feasibility). The dashboard
 * turns them off: it reads those collections itself on every poll.
 */
export async function campaignStatus(
  deps: CampaignDeps,
  campaignId: string,
  { summaries = true }: { summaries?: boolean } = {},
): Promise<CampaignStatus> {
  let status: CampaignStatus;
  try {
    status = await deps.client.workflow.getHandle(campaignId).query(statusQuery);
  } catch (err) {
    const stored = await getCampaign(deps.db, campaignId);
    if (stored?.last_status) status = stored.last_status;
    else if (err instanceof WorkflowNotFoundError || !stored) {
      throw new HttpError(404, 'not_found', `no campaign "${campaignId}"`);
    } else throw err;
  }
  const spec = summaries ? (await getCampaign(deps.db, campaignId))?.spec : undefined;
  if (!spec) return status;
  const [measurements, batches] = await Promise.all([
    campaignMeasurements(deps.db, campaignId),
    campaignBatches(deps.db, campaignId),
  ]);
  const outcomes = summarizeOutcomes(spec, measurements);
  return {
    ...status,
    ...(outcomes ? { outcomes } : {}),
    model_quality: modelQualityByProperty(spec, measurements, batches).map(summarizeModelQuality),
  };
}

export async function signalCampaign(
  deps: CampaignDeps,
  campaignId: string,
  action: 'pause' | 'resume' | 'cancel',
): Promise<void> {
  const handle = deps.client.workflow.getHandle(campaignId);
  try {
    if (action === 'pause') await handle.signal(pauseSignal);
    else if (action === 'resume') await handle.signal(resumeSignal);
    else await handle.signal(cancelSignal, {});
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new HttpError(404, 'not_found', `no running campaign "${campaignId}"`);
    }
    throw err;
  }
}

export async function campaignSummaries(deps: CampaignDeps) {
  return listCampaigns(deps.db);
}

/** A PI's decision on the batch awaiting approval, through the campaign's `decideBatch` update. */
export async function decideBatch(
  deps: CampaignDeps,
  campaignId: string,
  decision: Omit<BatchDecision, 'decided_by'>,
  decidedBy: string,
): Promise<{ accepted: true; iteration: number }> {
  const body = parseOrThrow(BatchDecision, { ...decision, decided_by: decidedBy }, 'batch decision');
  try {
    return await deps.client.workflow
      .getHandle(campaignId)
      .executeUpdate(decideBatchUpdate, { args: [body] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      throw new HttpError(409, 'conflict', err.cause?.message ?? err.message);
    }
    if (err instanceof WorkflowNotFoundError)
      throw new HttpError(404, 'not_found', `no running campaign "${campaignId}"`);
    throw err;
  }
}
