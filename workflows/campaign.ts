import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { createCampaignActivities } from '../activities/campaign';
import type { createMlActivities } from '../activities/ml';
import type { Notification } from '../notifications/deliver';
import {
  BatchDecision,
  BestSoFar,
  CampaignSpec,
  CampaignSpecInput,
  CampaignState,
  CampaignStatus,
  ExperimentOutcome,
  StopReason,
  campaignObjectives,
  parseOrThrow,
  requiredProperties,
} from '../schemas';
import {
  TASK_QUEUES,
  cancelSignal,
  decideBatchUpdate,
  experimentId,
  experimentWorkflowId,
  pauseSignal,
  resumeSignal,
  statusQuery,
} from './definitions';
import { experimentWorkflow } from './experiment';
import { runMdStage } from './mdStage';

const io = proxyActivities<ReturnType<typeof createCampaignActivities>>({
  taskQueue: TASK_QUEUES.orchestration,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { nonRetryableErrorTypes: ['ValidationError', 'DataUnavailableError'] },
});
const snapshots = proxyActivities<ReturnType<typeof createCampaignActivities>>({
  taskQueue: TASK_QUEUES.orchestration,
  startToCloseTimeout: '10 seconds',
});
// A webhook or mail server may be down for a while; after ~30 minutes of retries the campaign
// goes on and the notification keeps its delivery error for the dashboard.
const notifier = proxyActivities<ReturnType<typeof createCampaignActivities>>({
  taskQueue: TASK_QUEUES.orchestration,
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 6,
  },
});
const ml = proxyActivities<ReturnType<typeof createMlActivities>>({
  taskQueue: TASK_QUEUES.ml,
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { nonRetryableErrorTypes: ['ValidationError'] },
});

// CGCNN surrogate training (spec.surrogate.kind 'cgcnn'): heartbeats every epoch of every member
// and resumes from its per-epoch checkpoints after a retry (ml/README.md).
const trainer = proxyActivities<ReturnType<typeof createMlActivities>>({
  taskQueue: TASK_QUEUES.ml,
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '5 minutes',
  retry: { nonRetryableErrorTypes: ['ValidationError', 'NotEnoughTrainingData'] },
});

/** What a campaign carries from one workflow run to the next (continue-as-new): ids and counters. */
export interface CampaignProgress {
  pool_id: string | null;
  pool_size: number;
  seeded: boolean;
  /** Next Bayesian-optimization iteration to run (iteration 0 is the seed batch). */
  iteration: number;
  experiments_used: number;
  failed_experiments: number;
  best: BestSoFar | null;
  workflow_runs: number;
}

export interface CampaignInput {
  spec: CampaignSpecInput;
  progress?: CampaignProgress;
}

export interface CampaignResult {
  status: CampaignStatus;
  pool_id: string;
}

const NEW_CAMPAIGN: CampaignProgress = {
  pool_id: null,
  pool_size: 0,
  seeded: false,
  iteration: 1,
  experiments_used: 0,
  failed_experiments: 0,
  best: null,
  workflow_runs: 1,
};

/**
 * A closed-loop campaign: import the pool, measure seed experiments, then iterate
 * fit → score → propose → experiment → learn until a budget or the target stops it.
 * Holds only ids and counters; pools, measurements and batches live in MongoDB.
 */
export async function campaignWorkflow(input: CampaignInput): Promise<CampaignResult> {
  let spec: CampaignSpec;
  try {
    spec = parseOrThrow(CampaignSpec, input.spec, 'campaign spec');
  } catch (err) {
    throw ApplicationFailure.nonRetryable((err as Error).message, 'ValidationError');
  }
  const campaignId = workflowInfo().workflowId;
  /** Records and sends a notification; a channel that stays down never stops the campaign. */
  const notify = async (kind: Notification['kind'], key: string, message: string) => {
    const n = { _id: `${campaignId}/${kind}/${key}`, campaign_id: campaignId, kind, message };
    await notifier
      .notify({ ...n, created_at: new Date().toISOString() }, spec.notifications)
      .catch(() => undefined);
  };
  try {
    return await runCampaign(input, spec, notify);
  } catch (err) {
    if (!(err instanceof ContinueAsNew) && !isCancellation(err)) {
      await notify(
        'campaign_failed',
        String(workflowInfo().runId),
        `${campaignId} failed: ${rootCause(err)}`,
      );
    }
    throw err;
  }
}

/**
 * For a cgcnn spec: the CGCNN deep ensemble of `property` trained on the campaign's measurements
 * so far (a new registered model version per iteration with new data; the primary objective's
 * under `<campaign>/cgcnn`, another objective's under `<campaign>/cgcnn/<property>`). Undefined
 * for other surrogates, and when too few measured candidates have structures yet (proposeBatch
 * then explores at random).
 */
async function trainSurrogate(
  spec: CampaignSpec,
  campaignId: string,
  poolId: string,
  iteration: number,
  property: string = spec.objective.property,
): Promise<string | undefined> {
  if (spec.surrogate.kind !== 'cgcnn') return undefined;
  try {
    const model = await trainer.trainSurrogate({
      campaign_id: campaignId,
      pool_id: poolId,
      property,
      ...(property === spec.objective.property ? {} : { model_name: `${campaignId}/cgcnn/${property}` }),
      members: spec.surrogate.members,
      training: { epochs: spec.surrogate.epochs, seed: spec.random_seed },
      ...cgcnnConfigOf(spec.surrogate),
      tags: { iteration: String(iteration) },
    });
    return model.model_id;
  } catch (err) {
    if (
      err instanceof ActivityFailure &&
      err.cause instanceof ApplicationFailure &&
      err.cause.type === 'NotEnoughTrainingData'
    )
      return undefined;
    throw err;
  }
}

/**
 * The spec's CGCNN options as config overrides; none at all for a spec that sets neither, so its
 * training options (and the registry's model keys) stay what they were.
 */
function cgcnnConfigOf(surrogate: Extract<CampaignSpec['surrogate'], { kind: 'cgcnn' }>) {
  const a = surrogate.architecture;
  const config = {
    ...(surrogate.variance_head ? { varianceHead: true } : {}),
    ...(a
      ? {
          atomFeatureLength: a.atom_features,
          hiddenLength: a.hidden,
          convLayers: a.convolutions,
          hiddenLayers: a.hidden_layers,
        }
      : {}),
  };
  return Object.keys(config).length > 0 ? { config } : {};
}

/**
 * A multi-objective cgcnn spec: one ensemble per objective (ParEGO then scalarizes their
 * posterior samples), each trained once per iteration. Undefined until every objective has one.
 */
async function trainObjectiveSurrogates(
  spec: CampaignSpec,
  campaignId: string,
  poolId: string,
  iteration: number,
): Promise<Record<string, string> | undefined> {
  const ids: Record<string, string> = {};
  for (const { property } of campaignObjectives(spec)) {
    const id = await trainSurrogate(spec, campaignId, poolId, iteration, property);
    if (id === undefined) return undefined;
    ids[property] = id;
  }
  return ids;
}

/** An activity's failure arrives wrapped (ActivityFailure → ApplicationFailure): name the innermost. */
function rootCause(err: unknown): string {
  let e = err as Error & { cause?: unknown };
  while (e.cause instanceof Error) e = e.cause as Error & { cause?: unknown };
  return e.message;
}

async function runCampaign(
  input: CampaignInput,
  spec: CampaignSpec,
  notify: (kind: Notification['kind'], key: string, message: string) => Promise<void>,
): Promise<CampaignResult> {
  const campaignId = workflowInfo().workflowId;
  const progress: CampaignProgress = { ...(input.progress ?? NEW_CAMPAIGN) };
  const pending = new Set<string>();
  let state: CampaignState =
    progress.pool_id === null ? 'importing' : progress.seeded ? 'running' : 'seeding';
  let paused = false;
  let cancelRequested = false;
  let stopReason: StopReason | null = null;
  let batchScope: CancellationScope | undefined;
  let awaiting: CampaignStatus['awaiting_approval'] = null;
  let decision: BatchDecision | undefined;

  const status = (): CampaignStatus => ({
    campaign_id: campaignId,
    // Paused takes effect between batches; experiments already in flight still complete.
    state: awaiting
      ? 'awaiting_approval'
      : paused && (state === 'running' || state === 'seeding')
        ? 'paused'
        : state,
    iteration: progress.iteration - 1,
    best: progress.best,
    pending_experiments: [...pending],
    budget: {
      experiments_used: progress.experiments_used,
      experiments_max: spec.budget.experiments,
      iterations_used: progress.iteration - 1,
      iterations_max: spec.budget.iterations,
    },
    failed_experiments: progress.failed_experiments,
    stop_reason: stopReason,
    workflow_runs: progress.workflow_runs,
    awaiting_approval: awaiting,
  });

  setHandler(statusQuery, status);
  setHandler(pauseSignal, () => void (paused = true));
  setHandler(resumeSignal, () => void (paused = false));
  setHandler(cancelSignal, () => {
    cancelRequested = true;
    batchScope?.cancel();
  });

  setHandler(
    decideBatchUpdate,
    (d) => {
      decision = d;
      return { accepted: true as const, iteration: d.iteration };
    },
    {
      // A decision for another batch, a second decision or a trim to unknown ids is refused
      // before it reaches history.
      validator: (d) => {
        const parsed = parseOrThrow(BatchDecision, d, 'batch decision');
        if (!awaiting) throw new Error('no batch is awaiting approval');
        if (parsed.iteration !== awaiting.iteration) {
          throw new Error(
            `iteration ${parsed.iteration} is not awaiting approval (iteration ${awaiting.iteration} is)`,
          );
        }
        if (decision !== undefined) throw new Error(`batch ${awaiting.iteration} has already been decided`);
        const unknown = (parsed.candidate_ids ?? []).filter((id) => !awaiting?.candidate_ids.includes(id));
        if (parsed.decision === 'trim' && unknown.length > 0) {
          throw new Error(`candidate_ids: ${unknown.join(', ')} not in batch ${awaiting.iteration}`);
        }
      },
    },
  );

  /**
   * The approval gate: with `approval.required`, a batch waits for a PI's decision (reminding
   * every remind_after_minutes) and the decision goes to the audit log. Returns the candidates
   * to dispatch, or null when the campaign was cancelled while waiting.
   */
  const approve = async (iteration: number, candidateIds: string[]): Promise<string[] | null> => {
    if (!spec.approval?.required) return candidateIds;
    const remindMs = spec.approval.remind_after_minutes * 60_000;
    awaiting = { iteration, candidate_ids: candidateIds, requested_at: new Date().toISOString() };
    decision = undefined;
    const notice = (kind: 'approval_needed' | 'approval_reminder', n: number) =>
      notify(
        kind,
        `${iteration}/${n}`,
        `batch ${iteration} of ${campaignId} (${candidateIds.length} candidates) awaits approval`,
      );
    await notice('approval_needed', 0);
    for (let reminders = 1; decision === undefined && !cancelRequested; reminders++) {
      const decided = await condition(() => decision !== undefined || cancelRequested, remindMs);
      if (!decided) await notice('approval_reminder', reminders);
    }
    awaiting = null;
    const d = decision as BatchDecision | undefined;
    if (cancelRequested || d === undefined) return null;
    const kept =
      d.decision === 'approve'
        ? candidateIds
        : d.decision === 'trim'
          ? candidateIds.filter((id) => d.candidate_ids?.includes(id))
          : [];
    await snapshots.recordBatchDecision({
      campaign_id: campaignId,
      iteration,
      decision: d.decision,
      kept_candidate_ids: kept,
      excluded_candidate_ids: candidateIds.filter((id) => !kept.includes(id)),
      decided_by: d.decided_by,
      reason: d.reason ?? null,
      decided_at: new Date().toISOString(),
    });
    return kept;
  };

  const better = (a: number, b: number) => (spec.objective.direction === 'maximize' ? a > b : a < b);

  let resultsLearned = 0;
  const learn = (o: ExperimentOutcome) => {
    pending.delete(o.experiment_id);
    resultsLearned += 1;
    if (o.status === 'cancelled') return;
    progress.experiments_used += 1;
    if (o.status === 'failed' || o.value === null) {
      progress.failed_experiments += 1;
      return;
    }
    if (progress.best === null || better(o.value, progress.best.value)) {
      progress.best = { candidate_id: o.candidate_id, value: o.value, experiment_id: o.experiment_id };
    }
  };

  /** One child workflow per candidate; resolves when every one has a stored result (or was cancelled). */
  const runBatch = async (iteration: number, candidateIds: string[]) => {
    const scope = new CancellationScope();
    batchScope = scope;
    let batchDone = false;
    const watchdog = watchForStall(iteration, () => batchDone);
    try {
      await runChildren(scope, iteration, candidateIds);
    } finally {
      batchDone = true;
    }
    await watchdog;
    batchScope = undefined;
    await snapshots.saveCampaignStatus(status());
  };

  /**
   * With `notifications.stalled_after_minutes`: notify when that long passes without a lab
   * result, then again after twice as long, four times, ... (a lab down for a week sends a
   * handful of notices, not one per period); a result resets it.
   */
  const watchForStall = async (iteration: number, done: () => boolean) => {
    const minutes = spec.notifications?.stalled_after_minutes;
    if (minutes === undefined) return;
    let notices = 0;
    while (!done()) {
      const seen = resultsLearned;
      const waitMinutes = minutes * 2 ** notices;
      if (await condition(() => done() || resultsLearned !== seen, waitMinutes * 60_000)) {
        notices = 0;
        continue;
      }
      notices += 1;
      await notify(
        'stalled',
        `${iteration}/${seen}/${notices}`,
        `${campaignId}: no lab result for ${minutes * (2 ** notices - 1)} minutes; ${pending.size} experiments of batch ${iteration} pending`,
      );
    }
  };

  // Further objectives and outcome constraints are measured by the same experiment; a
  // single-property campaign's requests stay as they always were.
  const properties = requiredProperties(spec);
  const runChildren = async (scope: CancellationScope, iteration: number, candidateIds: string[]) => {
    await scope.run(async () => {
      // All children start in one workflow task; a cancel signal cancels the scope, and with it
      // both children still starting and children waiting for their lab.
      const children = candidateIds.map((candidateId) => {
        const id = experimentId(campaignId, iteration, candidateId);
        pending.add(id);
        const request = {
          experiment_id: id,
          campaign_id: campaignId,
          pool_id: progress.pool_id as string,
          candidate_id: candidateId,
          iteration,
          property: spec.objective.property,
          ...(properties.length > 1 ? { properties } : {}),
          lab: spec.lab,
        };
        return startChild(experimentWorkflow, {
          workflowId: experimentWorkflowId(id),
          taskQueue: TASK_QUEUES.orchestration,
          args: [request],
        })
          .then((handle) => handle.result())
          .then(learn, (err) => {
            if (!(cancelRequested && isCancellation(err))) throw err;
            learn({ experiment_id: id, candidate_id: candidateId, status: 'cancelled', value: null });
          });
      });
      await Promise.all(children);
    });
  };

  const targetReached = () =>
    spec.objective.target !== undefined &&
    progress.best !== null &&
    (progress.best.value === spec.objective.target || better(progress.best.value, spec.objective.target));

  const nextStopReason = (): StopReason | null => {
    if (cancelRequested) return 'cancelled';
    if (targetReached()) return 'target_reached';
    if (progress.experiments_used >= spec.budget.experiments) return 'experiment_budget';
    if (progress.iteration > spec.budget.iterations) return 'iteration_budget';
    if (progress.experiments_used >= progress.pool_size) return 'pool_exhausted';
    return null;
  };

  if (progress.pool_id === null) {
    const pool = await io.importPool({ campaign_id: campaignId, spec });
    progress.pool_id = pool.pool_id;
    progress.pool_size = pool.size;
    state = 'seeding';
  }
  if (!progress.seeded && !cancelRequested) {
    const seeds = await ml.chooseSeedExperiments({
      campaign_id: campaignId,
      pool_id: progress.pool_id,
      spec,
    });
    const kept = await approve(0, seeds.candidate_ids);
    if (kept !== null && kept.length > 0) await runBatch(0, kept);
    progress.seeded = true;
  }
  state = 'running';

  let iterationsThisRun = 0;
  for (;;) {
    await condition(() => !paused || cancelRequested);
    stopReason = nextStopReason();
    if (stopReason !== null) break;
    if (iterationsThisRun >= spec.continue_as_new_every || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof campaignWorkflow>({
        spec: input.spec,
        progress: { ...progress, workflow_runs: progress.workflow_runs + 1 },
      });
    }
    const q = Math.min(spec.acquisition.batch_size, spec.budget.experiments - progress.experiments_used);
    const models =
      spec.surrogate.kind === 'cgcnn' && spec.multi_objective
        ? {
            model_ids: await trainObjectiveSurrogates(spec, campaignId, progress.pool_id, progress.iteration),
          }
        : { model_id: await trainSurrogate(spec, campaignId, progress.pool_id, progress.iteration) };
    const batch = await ml.proposeBatch({
      campaign_id: campaignId,
      pool_id: progress.pool_id,
      iteration: progress.iteration,
      spec,
      q,
      ...models,
    });
    if (batch.candidate_ids.length === 0) {
      stopReason = 'pool_exhausted';
      break;
    }
    // The PI's decision comes first: it gates both the MD stage (cluster time) and the lab.
    const kept = await approve(progress.iteration, batch.candidate_ids);
    if (kept === null) continue; // cancelled while waiting: the loop's stop check ends it
    // MD stage (spec.md): the top candidates get MD child workflows; a gate may drop some.
    const toLab = await runMdStage({
      campaignId,
      poolId: progress.pool_id,
      iteration: progress.iteration,
      spec,
      candidateIds: kept,
      cancelled: () => cancelRequested,
    });
    if (toLab === null) continue; // cancelled during MD: the loop's stop check ends it
    if (toLab.length > 0) await runBatch(progress.iteration, toLab);
    progress.iteration += 1;
    iterationsThisRun += 1;
  }

  state = cancelRequested ? 'cancelled' : 'completed';
  const final = status();
  await snapshots.saveCampaignStatus(final);
  const best = progress.best
    ? `best ${spec.objective.property} ${progress.best.value} (${progress.best.candidate_id})`
    : 'no result';
  if (stopReason === 'target_reached') {
    await notify(
      'target_reached',
      'final',
      `${campaignId} reached its target: ${best} after ${progress.experiments_used} experiments`,
    );
  } else {
    await notify(
      'campaign_finished',
      'final',
      `${campaignId} stopped (${stopReason}): ${best} after ${progress.experiments_used} experiments`,
    );
  }
  return { status: final, pool_id: progress.pool_id };
}
