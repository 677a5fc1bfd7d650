/**
 * The MD stage as workflows, end to end on real parts: Temporal + FerretDB (the test servers),
 * a one-node SLURM cluster and CHGNet. The MD child workflow runs a short NVT MD of Li2O at two
 * temperatures through sbatch, stores the summary in md_runs and the trajectories in GridFS;
 * failures end as clear `failed` outcomes; a campaign gates lab dispatch on the MD σ and a
 * campaign cancel scancels its running MD job.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { LocalCrucible } from '../../cli/runtime';
import { LI2O_PYMATGEN } from '../../md/referenceCells';
import type { MdOutcome, MdStageSpecInput } from '../../schemas';
import { MdStageSpec } from '../../schemas';
import { campaignBatches } from '../../store/batches';
import { campaignExperiments, campaignMeasurements } from '../../store/experiments';
import { mdJobGroupPrefix } from '../../md/jobSpec';
import { campaignMdRuns, getMdRun, readTrajectory, runMdJobs } from '../../store/mdRuns';
import { heldMdSlots } from '../../store/mdSlots';
import { saveStructures } from '../../store/structures';
import { campaignWorkflow } from '../../workflows/campaign';
import { TASK_QUEUES, cancelSignal, mdRunId, mdWorkflowId } from '../../workflows/definitions';
import { mdCandidateWorkflow } from '../../workflows/md';
import { createMdWorker } from '../../workers/md';
import { temporalAddress } from '../../workers/env';
import { csvSpec } from '../helpers/specs';
import { startTestCrucible, stopTestCrucible, uniqueName, waitFor } from '../helpers/integration';
import { chgnetSkipReason, describeIf, slurmSkipReason } from './helpers';

const reason = slurmSkipReason() ?? chgnetSkipReason();
const STRUCTURES = 'md-test-structures';

/** Cheap but real: 12-atom Li2O, two temperatures, 200 production steps each. */
const JOB: MdStageSpecInput['job'] = {
  temperatures_K: [1200, 1600],
  timestep_fs: 2,
  equilibration_steps: 20,
  production_steps: 200,
  sampling_interval_steps: 5,
  supercell_min_length_A: 0,
  seed: 7,
  resources: { cores: 1, gpus: 0, wall_time_minutes: 10 },
  executor: 'slurm',
};
const stage = (over: Partial<MdStageSpecInput> = {}) =>
  MdStageSpec.parse({
    top_k: 1,
    job: JOB,
    structure_pool_id: STRUCTURES,
    poll_interval_seconds: 1,
    retry: { maximum_attempts: 3, initial_interval_seconds: 0.5 },
    ...over,
  });

describeIf(reason)('MD stage workflows (Temporal + SLURM + CHGNet)', () => {
  jest.setTimeout(900_000);
  let crucible: LocalCrucible;
  let connection: NativeConnection;
  let mdWorker: Worker;
  let running: Promise<void>;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-md-wf-'));

  beforeAll(async () => {
    crucible = await startTestCrucible('crucible_test_md');
    connection = await NativeConnection.connect({ address: temporalAddress() });
    mdWorker = await createMdWorker({
      connection,
      db: crucible.db,
      python: process.env.CRUCIBLE_MD_PYTHON,
      root,
    });
    running = mdWorker.run();
    const doc = (id: string) => ({
      candidate_id: id,
      formula: 'Li2O',
      num_sites: 12,
      is_ordered: true,
      space_group: { number: 225, symbol: 'Fm-3m' },
      matches_stated_space_group: null,
      structure_json: JSON.stringify(LI2O_PYMATGEN),
    });
    // cand000..cand002 have a structure; cand003 has none (its MD must fail cleanly).
    await saveStructures(crucible.db, STRUCTURES, ['cand000', 'cand001', 'cand002'].map(doc));
  });
  afterAll(async () => {
    mdWorker?.shutdown();
    await running;
    await connection?.close();
    await stopTestCrucible(crucible);
  });

  const runChild = (campaignId: string, candidateId: string, md = stage()) => {
    const runId = mdRunId(campaignId, 1, candidateId);
    return crucible.client.workflow.execute(mdCandidateWorkflow, {
      workflowId: mdWorkflowId(runId),
      taskQueue: TASK_QUEUES.orchestration,
      args: [
        {
          run_id: runId,
          campaign_id: campaignId,
          iteration: 1,
          candidate_id: candidateId,
          structure_pool_id: STRUCTURES,
          md,
        },
      ],
    });
  };

  it('runs CHGNet MD per temperature through sbatch, one job at a time under a limit of 1, and stores D, σ and the trajectories', async () => {
    const campaignId = uniqueName('mdwf');
    const t0 = Date.now();
    const outcome: MdOutcome = await runChild(campaignId, 'cand000', stage({ max_concurrent_jobs: 1 }));
    const wall_s = (Date.now() - t0) / 1000;
    expect(outcome.failure_reason).toBeNull();
    expect(outcome.status).toBe('succeeded');
    expect(outcome.temperatures.map((t) => t.temperature_K).sort()).toEqual([1200, 1600]);
    for (const t of outcome.temperatures) {
      expect(Number.isFinite(t.diffusivity_cm2_per_s) && t.diffusivity_cm2_per_s > 0).toBe(true);
      expect(Number.isFinite(t.conductivity_S_per_cm) && t.conductivity_S_per_cm > 0).toBe(true);
      expect(t.num_mobile).toBe(8);
    }
    expect(Number.isFinite(outcome.log10_sigma_300K)).toBe(true);
    expect(Number.isFinite(outcome.activation_energy_eV)).toBe(true);
    console.log(
      `MD child workflow: ${wall_s.toFixed(1)} s; ${outcome.temperatures
        .map(
          (t) =>
            `${t.temperature_K} K D=${t.diffusivity_cm2_per_s.toExponential(3)} σ=${t.conductivity_S_per_cm.toExponential(3)}`,
        )
        .join(
          ', ',
        )}; Ea=${outcome.activation_energy_eV?.toFixed(3)} eV log10σ(300K)=${outcome.log10_sigma_300K?.toFixed(2)} ${JSON.stringify(outcome.log10_sigma_300K_interval)}`,
    );

    // Stored: the summary in md_runs, each job in md_jobs with its trajectory in GridFS.
    const run = await getMdRun(crucible.db, outcome.run_id);
    expect(run?.status).toBe('succeeded');
    expect(run?.log10_sigma_300K).toBe(outcome.log10_sigma_300K);
    const jobs = await runMdJobs(crucible.db, outcome.run_id);
    expect(jobs).toHaveLength(2);
    for (const j of jobs) {
      expect(j.executor).toBe('slurm');
      expect(j.phase).toBe('completed');
      expect(j.result?.frames).toBe(41);
      expect(JSON.parse(j.result!.msd_json).length).toBeGreaterThan(2);
      const bytes = await readTrajectory(crucible.db, j.trajectory!.gridfs_id);
      expect(bytes.equals(fs.readFileSync(j.trajectory!.file))).toBe(true);
    }
    // The limit of one job per campaign: the second job started after the first ended.
    const times = jobs
      .map((j) => {
        const out = execFileSync('sacct', ['-c', '-n', '-P', '-o', 'JobID,Start,End', '-j', j.job_id!], {
          encoding: 'utf8',
        });
        const [, start, end] = out.trim().split('\n')[0].split('|');
        return { start: Date.parse(start), end: Date.parse(end) };
      })
      .sort((a, b) => a.start - b.start);
    expect(times[1].start).toBeGreaterThanOrEqual(times[0].end);
    // Both jobs gave their slot back when they ended.
    expect(await heldMdSlots(crucible.db, mdJobGroupPrefix(campaignId))).toEqual([]);
    // Never in workflow history: no payload carries trajectory or structure text.
    const history = await crucible.client.workflow.getHandle(mdWorkflowId(outcome.run_id)).fetchHistory();
    const payloads: string[] = [];
    const walk = (o: unknown): void => {
      if (o instanceof Uint8Array) payloads.push(Buffer.from(o).toString('utf8'));
      else if (o && typeof o === 'object') for (const v of Object.values(o)) walk(v);
    };
    walk(history);
    expect(payloads.some((p) => p.includes('Lattice='))).toBe(false);
    expect(Math.max(...payloads.map((p) => p.length))).toBeLessThan(10_000);
  });

  it('ends failed, naming the cause, when the candidate has no structure (no retries)', async () => {
    const outcome = await runChild(uniqueName('mdwf'), 'cand003');
    expect(outcome.status).toBe('failed');
    expect(outcome.failure_reason).toMatch(/prepareMdRun failed: no structure for candidate cand003/);
    expect((await getMdRun(crucible.db, outcome.run_id))?.status).toBe('failed');
  });

  it('ends failed after the retry budget when sbatch keeps refusing the job', async () => {
    const md = stage({ job: { ...JOB, resources: { cores: 1, wall_time_minutes: 10, partition: 'nope' } } });
    const campaignId = uniqueName('mdwf');
    const outcome = await runChild(campaignId, 'cand000', md);
    expect(outcome.status).toBe('failed');
    expect(outcome.failure_reason).toMatch(
      /submitMdJob failed \(gave up after 3 attempts\): sbatch failed: .*invalid partition/i,
    );
    // A refused submission left no job, so it left no slot claimed either.
    expect(await heldMdSlots(crucible.db, mdJobGroupPrefix(campaignId))).toEqual([]);
  });

  it('ends failed with the timeout when a job outlives its wall time', async () => {
    const md = stage({
      job: {
        ...JOB,
        temperatures_K: [1200],
        production_steps: 1_000_000,
        resources: { cores: 1, wall_time_minutes: 1 },
      },
    });
    const outcome = await runChild(uniqueName('mdwf'), 'cand000', md);
    expect(outcome.status).toBe('failed');
    expect(outcome.failure_reason).toMatch(/ended timeout/);
  });

  it('campaign: MD for the top candidate only, and with a gate only MD candidates that pass go to the lab', async () => {
    const pool = path.join(root, 'pool.csv');
    fs.writeFileSync(
      pool,
      ['id,x1,x2,y', 'cand000,0.1,0.9,1', 'cand001,0.5,0.5,2', 'cand002,0.9,0.1,3', 'cand003,0.3,0.3,4'].join(
        '\n',
      ) + '\n',
    );
    const spec = csvSpec(pool, {
      acquisition: { kind: 'greedy', batch_size: 2 },
      budget: { experiments: 4, iterations: 1 },
      seed_experiments: { count: 2, method: 'random' },
      md: {
        top_k: 1,
        job: JOB,
        structure_pool_id: STRUCTURES,
        poll_interval_seconds: 1,
        gate_lab: { min_log10_sigma_300k: -100 },
        retry: { maximum_attempts: 2, initial_interval_seconds: 0.5 },
      },
    });
    const handle = await crucible.client.workflow.start(campaignWorkflow, {
      workflowId: uniqueName('mdcampaign'),
      taskQueue: TASK_QUEUES.orchestration,
      args: [{ spec }],
    });
    const { status } = await handle.result();
    expect(status.state).toBe('completed');
    const [batch] = (await campaignBatches(crucible.db, handle.workflowId)).filter((b) => b.iteration === 1);
    expect(batch.candidate_ids).toHaveLength(2);
    const [promoted, notPromoted] = batch.candidate_ids;
    const runs = await campaignMdRuns(crucible.db, handle.workflowId);
    expect(runs.map((r) => r.candidate_id)).toEqual([promoted]);
    const requested = (await campaignExperiments(crucible.db, handle.workflowId))
      .filter((e) => e.iteration === 1)
      .map((e) => e.candidate_id);
    const measured = new Set(
      (await campaignMeasurements(crucible.db, handle.workflowId)).map((m) => m.candidate_id),
    );
    // Under a gate, a candidate without an MD result never goes to the lab.
    expect(requested).not.toContain(notPromoted);
    if (promoted === 'cand003') {
      // No structure: its MD failed, so the gate keeps it from the lab too.
      expect(runs[0].status).toBe('failed');
      expect(requested).toEqual([]);
    } else {
      expect(runs[0].status).toBe('succeeded');
      expect(Number.isFinite(runs[0].log10_sigma_300K)).toBe(true);
      expect(requested).toEqual([promoted]);
      expect(measured.has(promoted)).toBe(true);
    }
    console.log(
      `gate campaign: batch ${batch.candidate_ids.join(', ')}; MD ${runs.map((r) => `${r.candidate_id}:${r.status} log10σ300=${r.log10_sigma_300K}`).join(', ')}; lab ${requested.join(', ')}`,
    );
  });

  it('campaign cancel during MD scancels the running job and ends the run cancelled', async () => {
    const pool = path.join(root, 'pool2.csv');
    fs.writeFileSync(pool, ['id,x1,y', 'cand000,0.1,1', 'cand001,0.5,2', 'cand002,0.9,3'].join('\n') + '\n');
    const spec = csvSpec(pool, {
      acquisition: { kind: 'greedy', batch_size: 1 },
      budget: { experiments: 3, iterations: 2 },
      seed_experiments: { count: 1, method: 'random' },
      md: {
        top_k: 1,
        job: { ...JOB, temperatures_K: [1200], production_steps: 1_000_000 },
        structure_pool_id: STRUCTURES,
        poll_interval_seconds: 1,
      },
    });
    const handle = await crucible.client.workflow.start(campaignWorkflow, {
      workflowId: uniqueName('mdcancel'),
      taskQueue: TASK_QUEUES.orchestration,
      args: [{ spec }],
    });
    const job = await waitFor(
      'the MD job to run',
      async () => {
        const [run] = await campaignMdRuns(crucible.db, handle.workflowId);
        const [j] = run ? await runMdJobs(crucible.db, run._id) : [];
        return j?.phase === 'running' ? j : null;
      },
      300_000,
    );
    const group = mdJobGroupPrefix(handle.workflowId);
    expect((await heldMdSlots(crucible.db, group)).map((slot) => slot.holder)).toEqual([job._id]);
    await handle.signal(cancelSignal, { reason: 'test' });
    const { status } = await handle.result();
    expect(status.state).toBe('cancelled');
    const [run] = await campaignMdRuns(crucible.db, handle.workflowId);
    expect(run.status).toBe('cancelled');
    const state = execFileSync('scontrol', ['show', 'job', '-o', job.job_id!], { encoding: 'utf8' });
    expect(state).toMatch(/JobState=CANCELLED/);
    expect(await heldMdSlots(crucible.db, group)).toEqual([]);
  });
});
