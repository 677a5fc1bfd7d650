import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { MdJobRef, createMdActivities } from '../activities/md';
import type { JobHandle, JobStatus } from '../md/executors/types';
import type { MdOutcome, MdStageSpec, MdTemperatureResult } from '../schemas/mdStage';
import { TASK_QUEUES } from './definitions';

type MdActivities = ReturnType<typeof createMdActivities>;

export interface MdCandidateInput {
  run_id: string;
  campaign_id: string;
  iteration: number;
  candidate_id: string;
  structure_pool_id: string;
  md: MdStageSpec;
}

const TERMINAL: ReadonlySet<JobStatus['phase']> = new Set([
  'completed',
  'failed',
  'timeout',
  'cancelled',
  'node_failure',
]);

/** The message a person needs from an activity that failed for good (after its retries). */
function reason(err: unknown, maxAttempts: number): string {
  if (err instanceof ActivityFailure) {
    const cause = err.cause as { message?: string } | undefined;
    const gaveUp =
      err.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED
        ? ` (gave up after ${maxAttempts} attempts)`
        : '';
    return `${err.activityType} failed${gaveUp}: ${cause?.message ?? err.message}`;
  }
  return (err as Error).message ?? String(err);
}

/**
 * MD of one candidate: prepare inputs → submit one cluster job per temperature (waiting in
 * Crucible while the campaign is at its job limit) → poll with heartbeats, timers between polls →
 * collect and analyse → Arrhenius → store → return the MD-fidelity outcome. A job lost to a node
 * failure is resubmitted under a new attempt name; activities retry with backoff on transient
 * errors and the run ends `failed`, with the reason, once their budget is spent. Cancelling this
 * workflow (the campaign was cancelled) scancels its jobs and ends it `cancelled`.
 */
export async function mdCandidateWorkflow(input: MdCandidateInput): Promise<MdOutcome> {
  const { md, run_id } = input;
  const pollS = md.poll_interval_seconds;
  const windowS = Math.min(300, Math.max(pollS, 10 * pollS));
  const retry = {
    initialInterval: md.retry.initial_interval_seconds * 1000,
    backoffCoefficient: 2,
    maximumInterval: 600_000,
    maximumAttempts: md.retry.maximum_attempts,
  };
  const acts = proxyActivities<MdActivities>({
    taskQueue: TASK_QUEUES.md,
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '2 minutes',
    retry,
  });
  const poller = proxyActivities<MdActivities>({
    taskQueue: TASK_QUEUES.md,
    startToCloseTimeout: (windowS + 120) * 1000,
    heartbeatTimeout: (2 * pollS + 30) * 1000,
    retry,
  });

  /** Jobs that may be queued or running now, for scancel on cancellation. */
  const live = new Map<number, MdJobRef>();

  const runTemperature = async (
    temperature_K: number,
  ): Promise<{ result: MdTemperatureResult } | { failure: string }> => {
    for (let attempt = 0; ; attempt++) {
      const ref: MdJobRef = { run_id, temperature_K, attempt };
      live.set(temperature_K, ref);
      let handle: JobHandle;
      for (let deferrals = 0; ; deferrals++) {
        const r = await acts.submitMdJob({ ...ref, max_concurrent: md.max_concurrent_jobs });
        if (r.kind !== 'deferred') {
          handle = r.handle;
          break;
        }
        // The campaign is at its job limit: wait here, not in the cluster's queue; back off to
        // at most 5 minutes between tries so a long wait stays a short history.
        await sleep(Math.min(300, pollS * 2 ** Math.min(deferrals, 10)) * 1000);
      }
      let s: JobStatus;
      for (;;) {
        s = await poller.awaitMdJob({ handle, window_s: windowS, poll_s: pollS });
        if (TERMINAL.has(s.phase)) break;
        await sleep(pollS * 1000);
      }
      live.delete(temperature_K);
      if (s.phase === 'completed') return { result: await acts.collectMdJob({ ...ref, handle }) };
      if (s.phase === 'node_failure' && attempt < md.max_resubmits) {
        await sleep(md.retry.initial_interval_seconds * 1000 * 2 ** attempt);
        continue;
      }
      return {
        failure: `${temperature_K} K: job ${handle.name} (${handle.id}) ended ${s.phase}: ${s.detail}`,
      };
    }
  };

  const finish = (
    status: MdOutcome['status'],
    temperatures: MdTemperatureResult[],
    failure_reason: string | null,
  ) =>
    CancellationScope.nonCancellable(() =>
      acts.finishMdRun({
        run_id,
        campaign_id: input.campaign_id,
        iteration: input.iteration,
        candidate_id: input.candidate_id,
        structure_pool_id: input.structure_pool_id,
        status,
        temperatures,
        failure_reason,
      }),
    );

  try {
    const { temperatures_K } = await acts.prepareMdRun({
      run_id,
      campaign_id: input.campaign_id,
      iteration: input.iteration,
      candidate_id: input.candidate_id,
      structure_pool_id: input.structure_pool_id,
      job: md.job,
    });
    const ends = await Promise.all(
      temperatures_K.map((T) =>
        runTemperature(T).catch((err) => {
          if (isCancellation(err)) throw err;
          live.delete(T);
          return { failure: `${T} K: ${reason(err, md.retry.maximum_attempts)}` };
        }),
      ),
    );
    const results = ends.flatMap((e) => ('result' in e ? [e.result] : []));
    const failures = ends.flatMap((e) => ('failure' in e ? [e.failure] : []));
    return await finish(
      failures.length ? 'failed' : 'succeeded',
      results,
      failures.length ? failures.join('; ') : null,
    );
  } catch (err) {
    if (isCancellation(err)) {
      return CancellationScope.nonCancellable(async () => {
        await Promise.all([...live.values()].map((ref) => acts.cancelMdJob(ref)));
        return finish('cancelled', [], 'cancelled with its campaign');
      });
    }
    if (err instanceof ActivityFailure) return finish('failed', [], reason(err, md.retry.maximum_attempts));
    throw ApplicationFailure.nonRetryable(reason(err, md.retry.maximum_attempts), 'MdWorkflowError');
  }
}
