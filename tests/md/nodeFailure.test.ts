/**
 * A node failure on the real one-node SLURM cluster: while the MD child workflow's job runs, the
 * node is set DOWN (`scontrol update State=DOWN`), which kills the job as NODE_FAIL (jobs are
 * submitted --no-requeue, so SLURM does not requeue it itself). The workflow must resubmit it
 * exactly once, under the attempt-1 name, and succeed; with max_resubmits 0 it must end failed,
 * naming the node failure. The node is put back in service in a finally and again in afterAll,
 * and each test first checks that no job but its own runs there, so no other work is killed.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { LocalCrucible } from '../../cli/runtime';
import { mdJobGroupPrefix } from '../../md/jobSpec';
import { LI2O_PYMATGEN } from '../../md/referenceCells';
import type { MdOutcome, MdStageSpecInput } from '../../schemas';
import { MdStageSpec } from '../../schemas';
import { runMdJobs } from '../../store/mdRuns';
import { saveStructures } from '../../store/structures';
import { TASK_QUEUES, mdRunId, mdWorkflowId } from '../../workflows/definitions';
import { mdCandidateWorkflow } from '../../workflows/md';
import { createMdWorker } from '../../workers/md';
import { temporalAddress } from '../../workers/env';
import { startTestCrucible, stopTestCrucible, uniqueName, waitFor } from '../helpers/integration';
import { chgnetSkipReason, describeIf, slurmSkipReason } from './helpers';

const reason =
  slurmSkipReason() ??
  chgnetSkipReason() ??
  (process.getuid?.() !== 0
    ? 'setting a node DOWN needs SLURM operator rights (root, as infra/slurm/start.sh runs the cluster)'
    : null);
const STRUCTURES = 'md-nodefail-structures';

/** One temperature, a few hundred steps: long enough to be caught running, cheap to rerun. */
const JOB: MdStageSpecInput['job'] = {
  temperatures_K: [1200],
  timestep_fs: 2,
  equilibration_steps: 20,
  production_steps: 150,
  sampling_interval_steps: 5,
  supercell_min_length_A: 0,
  seed: 7,
  resources: { cores: 1, gpus: 0, wall_time_minutes: 10 },
  executor: 'slurm',
};

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
const nodeState = (node: string) => sh('sinfo', ['-h', '-n', node, '-o', '%t']);

/**
 * Puts the node back in service: RESUME if it is still down or drained (with ReturnToService=2
 * it usually is back already, and RESUME on an idle node is refused), then waits until it
 * accepts jobs. Throws, naming the state, if it does not come back within 30 s.
 */
async function ensureNodeUp(node: string): Promise<void> {
  let state = '';
  for (let i = 0; i < 60; i++) {
    state = nodeState(node);
    if (/^(idle|mix|alloc|comp)$/.test(state)) return;
    if (/^(down|drain|drng|fail)/.test(state)) {
      try {
        sh('scontrol', ['update', `NodeName=${node}`, 'State=RESUME']);
      } catch {
        // it may have returned by itself in between; the next look decides
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`SLURM node ${node} did not return to service (state ${state})`);
}

describeIf(reason)('MD child workflow after a SLURM node failure (real cluster)', () => {
  jest.setTimeout(600_000);
  let crucible: LocalCrucible;
  let connection: NativeConnection;
  let mdWorker: Worker;
  let running: Promise<void>;
  let node: string;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-md-nodefail-'));

  beforeAll(async () => {
    const nodes = sh('sinfo', ['-h', '-N', '-o', '%N']).split('\n');
    if (nodes.length !== 1)
      throw new Error(`expected the one-node test cluster, sinfo lists ${nodes.join(', ')}`);
    node = nodes[0];
    await ensureNodeUp(node);
    crucible = await startTestCrucible('crucible_test_md_nodefail');
    connection = await NativeConnection.connect({ address: temporalAddress() });
    mdWorker = await createMdWorker({
      connection,
      db: crucible.db,
      python: process.env.CRUCIBLE_MD_PYTHON,
      root,
    });
    running = mdWorker.run();
    await saveStructures(crucible.db, STRUCTURES, [
      {
        candidate_id: 'li2o',
        formula: 'Li2O',
        num_sites: 12,
        is_ordered: true,
        space_group: { number: 225, symbol: 'Fm-3m' },
        matches_stated_space_group: null,
        structure_json: JSON.stringify(LI2O_PYMATGEN),
      },
    ]);
  });
  afterAll(async () => {
    // Whatever happened above, later tests get a node that accepts jobs.
    if (node) await ensureNodeUp(node);
    mdWorker?.shutdown();
    await running;
    await connection?.close();
    await stopTestCrucible(crucible);
  });

  /**
   * Starts the child workflow, waits until its attempt-0 job runs, sets the node DOWN, puts it
   * back, and returns the outcome with the run's job documents.
   */
  const runWithNodeFailure = async (maxResubmits: number) => {
    const campaignId = uniqueName('mdnodefail');
    const runId = mdRunId(campaignId, 1, 'li2o');
    const md = MdStageSpec.parse({
      top_k: 1,
      job: JOB,
      structure_pool_id: STRUCTURES,
      poll_interval_seconds: 1,
      max_resubmits: maxResubmits,
      retry: { maximum_attempts: 3, initial_interval_seconds: 0.5 },
    });
    const handle = await crucible.client.workflow.start(mdCandidateWorkflow, {
      workflowId: mdWorkflowId(runId),
      taskQueue: TASK_QUEUES.orchestration,
      args: [
        {
          run_id: runId,
          campaign_id: campaignId,
          iteration: 1,
          candidate_id: 'li2o',
          structure_pool_id: STRUCTURES,
          md,
        },
      ],
    });
    let first: Awaited<ReturnType<typeof runMdJobs>>[number];
    try {
      first = await waitFor(
        'the attempt-0 job to run',
        async () => {
          const [j] = await runMdJobs(crucible.db, runId);
          if (!j?.job_id) return null;
          return /JobState=RUNNING/.test(sh('scontrol', ['show', 'job', '-o', j.job_id])) ? j : null;
        },
        120_000,
      );
      // Only this test's job may be running there: a node failure kills every job on the node.
      const others = sh('squeue', ['-h', '-t', 'RUNNING', '-w', node, '-o', '%i %j'])
        .split('\n')
        .filter((l) => l && !l.startsWith(`${first.job_id} `));
      if (others.length)
        throw new Error(`refusing to set ${node} DOWN: other jobs run there: ${others.join('; ')}`);
      sh('scontrol', ['update', `NodeName=${node}`, 'State=DOWN', 'Reason=crucible-test']);
      await waitFor(
        'SLURM to end the job NODE_FAIL',
        async () => /JobState=NODE_FAIL/.test(sh('scontrol', ['show', 'job', '-o', first.job_id!])) || null,
        60_000,
      );
    } catch (err) {
      // Leave no job behind: cancelling the workflow scancels its job (the MD worker still runs).
      await handle.cancel().catch(() => undefined);
      await handle.result().catch(() => undefined);
      throw err;
    } finally {
      await ensureNodeUp(node);
    }
    const outcome: MdOutcome = await handle.result();
    const jobs = await runMdJobs(crucible.db, runId);
    // Every job SLURM saw for this campaign (live and recently finished; MinJobAge is 5 min).
    const slurmJobs = sh('squeue', ['-h', '-t', 'all', '-o', '%i|%j|%T'])
      .split('\n')
      .filter((l) => l.split('|')[1]?.startsWith(mdJobGroupPrefix(campaignId)));
    return { outcome, jobs, slurmJobs, first };
  };

  it('resubmits the job lost to the node failure exactly once (attempt 1) and succeeds', async () => {
    const { outcome, jobs, slurmJobs, first } = await runWithNodeFailure(2);
    expect(outcome.failure_reason).toBeNull();
    expect(outcome.status).toBe('succeeded');
    expect(outcome.temperatures.map((t) => t.temperature_K)).toEqual([1200]);
    expect(outcome.temperatures[0].diffusivity_cm2_per_s).toBeGreaterThan(0);

    expect(jobs.map((j) => [j.attempt, j.phase])).toEqual([
      [0, 'node_failure'],
      [1, 'completed'],
    ]);
    const [lost, resubmitted] = jobs;
    expect(lost.job_id).toBe(first.job_id);
    expect(lost.detail).toMatch(/^NODE_FAIL/);
    expect(resubmitted._id).toMatch(/-T1200-a1-[0-9a-f]{12}$/);
    expect(resubmitted.job_id).not.toBe(lost.job_id);
    expect(resubmitted.result?.frames).toBe(31);
    // SLURM agrees: two jobs for this campaign, the lost one NODE_FAIL, the new one COMPLETED.
    expect(slurmJobs.map((l) => l.split('|').filter((_, k) => k !== 1)).sort()).toEqual(
      [
        [lost.job_id, 'NODE_FAIL'],
        [resubmitted.job_id, 'COMPLETED'],
      ].sort(),
    );
    expect(nodeState(node)).toMatch(/^(idle|mix|alloc|comp)$/);
  });

  it('with max_resubmits 0 ends failed, naming the node failure, without resubmitting', async () => {
    const { outcome, jobs, slurmJobs } = await runWithNodeFailure(0);
    expect(outcome.status).toBe('failed');
    expect(outcome.failure_reason).toMatch(/^1200 K: job \S+ \(\d+\) ended node_failure: NODE_FAIL/);
    expect(jobs.map((j) => [j.attempt, j.phase])).toEqual([[0, 'node_failure']]);
    expect(slurmJobs).toHaveLength(1);
  });
});
