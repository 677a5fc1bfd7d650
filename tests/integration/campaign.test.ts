import { Worker } from '@temporalio/worker';
import { submitLabResult, UnknownExperimentError } from '../../api/labResults';
import type { LocalCrucible } from '../../cli/runtime';
import { SIMULATED_LAB_ID, ValidationError } from '../../schemas';
import { campaignBatches } from '../../store/batches';
import { getCampaign } from '../../store/campaigns';
import { campaignExperiments, campaignMeasurements, getMeasurement } from '../../store/experiments';
import { campaignWorkflow } from '../../workflows/campaign';
import {
  TASK_QUEUES,
  cancelSignal,
  experimentWorkflowId,
  pauseSignal,
  resumeSignal,
  statusQuery,
} from '../../workflows/definitions';
import { csvSpec } from '../helpers/specs';
import {
  startTestCrucible,
  stopTestCrucible,
  uniqueName,
  waitFor,
  workflowBundle,
  writeSyntheticPool,
} from '../helpers/integration';

const pool = writeSyntheticPool(60, 11);
let crucible: LocalCrucible;

beforeAll(async () => {
  crucible = await startTestCrucible('crucible_test_campaign');
});
afterAll(async () => {
  await stopTestCrucible(crucible);
});

const start = (spec: unknown, prefix = 'campaign') =>
  crucible.client.workflow.start(campaignWorkflow, {
    workflowId: uniqueName(prefix),
    taskQueue: TASK_QUEUES.orchestration,
    args: [{ spec: spec as never }],
  });

describe('campaignWorkflow on real Temporal and FerretDB', () => {
  let finishedId: string;
  let firstRunId: string;

  it('runs to its experiment budget, measuring every proposed candidate exactly once', async () => {
    const spec = csvSpec(pool.file, {
      budget: { experiments: 14, iterations: 10 },
      continue_as_new_every: 2,
    });
    const handle = await start(spec);
    const { status, pool_id } = await handle.result();
    finishedId = handle.workflowId;
    firstRunId = handle.firstExecutionRunId;

    expect(status.state).toBe('completed');
    expect(status.stop_reason).toBe('experiment_budget');
    expect(status.budget.experiments_used).toBe(14);
    expect(status.pending_experiments).toEqual([]);
    expect(status.workflow_runs).toBeGreaterThan(1); // history was bounded with continue-as-new

    const batches = await campaignBatches(crucible.db, handle.workflowId);
    const proposed = batches.flatMap((b) => b.candidate_ids);
    expect(batches[0].method).toBe('seed:random');
    expect(batches.slice(1).every((b) => b.method === 'gp+ei')).toBe(true);
    expect(proposed).toHaveLength(14);
    expect(new Set(proposed).size).toBe(14);

    const measurements = await campaignMeasurements(crucible.db, handle.workflowId);
    const perCandidate = new Map<string, number>();
    for (const m of measurements)
      perCandidate.set(m.candidate_id, (perCandidate.get(m.candidate_id) ?? 0) + 1);
    expect(measurements).toHaveLength(14);
    for (const id of proposed) expect(perCandidate.get(id)).toBe(1);
    // Noise-free simulated lab: each measurement is the hidden value, and best-so-far is their max.
    for (const m of measurements) expect(m.value).toBeCloseTo(pool.values.get(m.candidate_id) as number, 12);
    const maxMeasured = Math.max(...measurements.map((m) => m.value as number));
    expect(status.best?.value).toBe(maxMeasured);

    const experiments = await campaignExperiments(crucible.db, handle.workflowId);
    expect(experiments).toHaveLength(14);
    expect(experiments.every((e) => e.status === 'measured')).toBe(true);
    const stored = await getCampaign(crucible.db, handle.workflowId);
    expect(stored?.pool_id).toBe(pool_id);
    expect(stored?.last_status?.state).toBe('completed');
  });

  it('beats random search on the synthetic pool (GP + EI)', async () => {
    // The optimum region is small: random picks of 14 out of 60 rarely land in the top 3.
    const measurements = await campaignMeasurements(crucible.db, finishedId);
    const ranked = [...pool.values.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    const bestRank = Math.min(...measurements.map((m) => ranked.indexOf(m.candidate_id)));
    expect(bestRank).toBeLessThan(3);
  });

  it('replays every recorded history without non-determinism errors', async () => {
    const bundle = await workflowBundle();
    const experiments = await campaignExperiments(crucible.db, finishedId);
    const childId = experimentWorkflowId(experiments[0].experiment_id);
    const histories = [
      // The first run (seeds, early iterations) and the last one after continue-as-new.
      [finishedId, await crucible.client.workflow.getHandle(finishedId, firstRunId).fetchHistory()],
      [finishedId, await crucible.client.workflow.getHandle(finishedId).fetchHistory()],
      [childId, await crucible.client.workflow.getHandle(childId).fetchHistory()],
    ] as const;
    for (const [workflowId, history] of histories) {
      expect(history.events?.length).toBeGreaterThan(5);
      await Worker.runReplayHistory({ workflowBundle: { code: bundle.code } }, history, workflowId);
    }
  });

  it('stops when the target is reached', async () => {
    const best = Math.max(...pool.values.values());
    const target = best - 0.5;
    const handle = await start(
      csvSpec(pool.file, {
        objective: { property: 'y', direction: 'maximize', target },
        budget: { experiments: 60, iterations: 60 },
      }),
    );
    const { status } = await handle.result();
    expect(status.stop_reason).toBe('target_reached');
    expect(status.best?.value).toBeGreaterThanOrEqual(target);
    expect(status.budget.experiments_used).toBeLessThan(60);
  });

  it('pauses, resumes and cancels on signals', async () => {
    const spec = csvSpec(pool.file, {
      // Slow enough that the cancel below lands while the new batch is still at the lab.
      lab: { kind: 'simulated', delay_ms: 2000, noise_std: 0, failure_rate: 0, seed: 1 },
      budget: { experiments: 60, iterations: 60 },
    });
    const handle = await start(spec);
    await handle.signal(pauseSignal);
    // The seed batch in flight completes; then nothing new is proposed while paused.
    const paused = await waitFor('paused state', async () => {
      const s = await handle.query(statusQuery);
      return s.state === 'paused' && s.pending_experiments.length === 0 && s;
    });
    const batchesWhilePaused = (await campaignBatches(crucible.db, handle.workflowId)).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await campaignBatches(crucible.db, handle.workflowId)).length).toBe(batchesWhilePaused);
    expect((await handle.query(statusQuery)).budget.experiments_used).toBe(paused.budget.experiments_used);

    await handle.signal(resumeSignal);
    await waitFor('a new batch after resume', async () => {
      const s = await handle.query(statusQuery);
      return s.state === 'running' && s.pending_experiments.length > 0;
    });
    await handle.signal(cancelSignal, { reason: 'test' });
    const { status } = await handle.result();
    expect(status.state).toBe('cancelled');
    expect(status.stop_reason).toBe('cancelled');
    const experiments = await campaignExperiments(crucible.db, handle.workflowId);
    expect(experiments.some((e) => e.status === 'cancelled')).toBe(true);
    expect(experiments.every((e) => e.status !== 'requested')).toBe(true);
  });

  it('fails a campaign whose spec names a missing pool file, with an error naming the field', async () => {
    const handle = await start(csvSpec('/nonexistent/pool.csv'));
    await expect(handle.result()).rejects.toThrow();
    const description = await handle.describe();
    expect(description.status.name).toBe('FAILED');
    const history = await handle.fetchHistory();
    const failure = JSON.stringify(history.events?.at(-1));
    expect(failure).toContain('source.path');
  });
});

describe('lab results through submitLabResult', () => {
  it('accepts a result once, acknowledges duplicates idempotently, and refuses malformed ones writing nothing', async () => {
    // The simulated lab is told to take a minute, so this test posts the results itself.
    const spec = csvSpec(pool.file, {
      lab: { kind: 'simulated', delay_ms: 60_000, noise_std: 0, failure_rate: 0, seed: 1 },
    });
    const handle = await start(spec, 'labapi');
    const experiments = await waitFor('seed requests', async () => {
      const e = await campaignExperiments(crucible.db, handle.workflowId);
      return e.length === 3 && e;
    });
    const exp = experiments[0];
    const deps = { client: crucible.client, db: crucible.db };
    const good = {
      experiment_id: exp.experiment_id,
      candidate_id: exp.candidate_id,
      property: 'y',
      status: 'succeeded',
      value: -1.25,
      lab_id: SIMULATED_LAB_ID,
      measured_at: new Date().toISOString(),
    };

    await expect(submitLabResult(deps, { ...good, value: 'high' })).rejects.toThrow(ValidationError);
    await expect(submitLabResult(deps, { ...good, value: 'high' })).rejects.toThrow(/value/);
    await expect(submitLabResult(deps, { ...good, candidate_id: 'someone-else' })).rejects.toThrow(
      /candidate_id: "someone-else" does not match/,
    );
    await expect(submitLabResult(deps, { ...good, property: 'band_gap' })).rejects.toThrow(/property/);
    await expect(submitLabResult(deps, { ...good, experiment_id: 'nope' })).rejects.toThrow(
      UnknownExperimentError,
    );
    expect(await getMeasurement(crucible.db, exp.experiment_id)).toBeNull();
    expect(
      (await campaignExperiments(crucible.db, handle.workflowId)).every((e) => e.status === 'requested'),
    ).toBe(true);

    const first = await submitLabResult(deps, good);
    const ack = { experiment_id: exp.experiment_id, accepted: true, partial: false, late: false };
    expect(first).toEqual({ ...ack, duplicate: false });
    const again = await submitLabResult(deps, { ...good, value: 99 });
    expect(again).toEqual({ ...ack, duplicate: true });
    await expect(submitLabResult(deps, { ...good, lab_id: 'robot-9' })).rejects.toThrow(/lab_id/);
    await crucible.client.workflow.getHandle(experimentWorkflowId(exp.experiment_id)).result();
    const afterClose = await submitLabResult(deps, good); // the experiment workflow has completed
    expect(afterClose.duplicate).toBe(true);

    const stored = await campaignMeasurements(crucible.db, handle.workflowId);
    expect(stored).toHaveLength(1);
    expect(stored[0].value).toBe(-1.25);
    // The campaign learns of the result when the child's completion reaches it.
    await waitFor('the campaign to count the measurement', async () => {
      return (await handle.query(statusQuery)).budget.experiments_used === 1;
    });

    await handle.signal(cancelSignal);
    expect((await handle.result()).status.state).toBe('cancelled');
  });
});
