/**
 * Real one-node SLURM cluster (infra/slurm/start.sh) and real CHGNet MD. Run with
 *   CRUCIBLE_SLURM=1 CRUCIBLE_MD_PYTHON=... npx jest --selectProjects md
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyseTrajectory } from '../../md/analysis';
import { type PreparedJob, SlurmExecutor, prepareMdJob, waitForJob } from '../../md/executors';
import { mdJobKeys, mdJobName, parseMdJobSpec } from '../../md/jobSpec';
import { readExtendedXyzFrames } from '../../md/trajectory';
import { LI2O_EXTXYZ, chgnetSkipReason, describeIf, slurmSkipReason } from './helpers';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-md-slurm-'));
const campaign = `t${Date.now().toString(36)}`;
const slurm = new SlurmExecutor();

function shellJob(name: string, argv: string[], wallTimeMinutes = 5): PreparedJob {
  const workDir = path.join(root, name);
  fs.mkdirSync(workDir, { recursive: true });
  return { name, workDir, argv, cores: 1, gpus: 0, wallTimeMinutes };
}

function jobsNamed(name: string): string[] {
  return execFileSync('squeue', ['-h', '-t', 'all', '-n', name, '-o', '%i'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

const slurmReason = slurmSkipReason();

describeIf(slurmReason)('SLURM executor outcomes (real one-node cluster)', () => {
  jest.setTimeout(240_000);

  it('maps a non-zero exit to failed, with the exit code', async () => {
    const r = await slurm.submit(shellJob(`${campaign}-fail`, ['bash', '-c', 'echo boom >&2; exit 3']));
    if (r.kind === 'deferred') throw new Error('deferred');
    const s = await waitForJob(slurm, r.handle, { pollMs: 500 });
    expect(s.phase).toBe('failed');
    expect(s.exitCode).toBe(3);
  });

  it('maps a job past its wall time to timeout', async () => {
    const r = await slurm.submit(shellJob(`${campaign}-timeout`, ['sleep', '600'], 1));
    if (r.kind === 'deferred') throw new Error('deferred');
    const s = await waitForJob(slurm, r.handle, { pollMs: 2000, timeoutMs: 200_000 });
    expect(s.phase).toBe('timeout');
  });

  it('maps scancel to cancelled', async () => {
    const r = await slurm.submit(shellJob(`${campaign}-cancel`, ['sleep', '600']));
    if (r.kind === 'deferred') throw new Error('deferred');
    // Cancel once it runs, as a campaign cancel would hit a running job.
    for (let i = 0; i < 60 && (await slurm.status(r.handle)).phase === 'pending'; i++) {
      await new Promise((res) => setTimeout(res, 250));
    }
    await slurm.cancel(r.handle);
    const s = await waitForJob(slurm, r.handle, { pollMs: 500 });
    expect(s.phase).toBe('cancelled');
  });

  it('defers instead of submitting past the per-campaign concurrency limit', async () => {
    const prefix = `${campaign}-lim-`;
    const first = await slurm.submit(shellJob(`${prefix}a`, ['sleep', '30']), {
      groupPrefix: prefix,
      maxConcurrent: 1,
    });
    expect(first.kind).toBe('submitted');
    const second = await slurm.submit(shellJob(`${prefix}b`, ['sleep', '30']), {
      groupPrefix: prefix,
      maxConcurrent: 1,
    });
    expect(second).toEqual({ kind: 'deferred', active: 1, limit: 1 });
    if (first.kind !== 'deferred') await slurm.cancel(first.handle);
  });

  it('re-attaches after the worker is killed between sbatch and completion: exactly one job', async () => {
    const name = `${campaign}-crash`;
    const workDir = path.join(root, name);
    fs.mkdirSync(workDir, { recursive: true });
    // node --import tsx (not the tsx CLI, which forks a child): SIGKILL must hit the worker itself.
    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'submitWorker.ts'), name, workDir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const first = await new Promise<{ kind: string; id: string }>((resolve, reject) => {
      worker.stdout.on('data', (d: Buffer) => resolve(JSON.parse(d.toString())));
      worker.on('exit', (code) => reject(new Error(`worker exited ${code} before submitting`)));
    });
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    worker.stdout.destroy();
    expect(first.kind).toBe('submitted');
    // The retried activity: same deterministic name, so it finds the job instead of a second sbatch.
    const retry = await slurm.submit({
      name,
      workDir,
      argv: ['sleep', '120'],
      cores: 1,
      gpus: 0,
      wallTimeMinutes: 5,
    });
    expect(retry.kind).toBe('attached');
    if (retry.kind === 'deferred') throw new Error('deferred');
    expect(retry.handle.id).toBe(first.id);
    expect(jobsNamed(name)).toEqual([first.id]);
    await slurm.cancel(retry.handle);
  });
});

const chgnetReason = slurmReason ?? chgnetSkipReason();

describeIf(chgnetReason)('CHGNet MD through SLURM, end to end', () => {
  jest.setTimeout(600_000);

  it('runs a short NVT MD of Li2O and gives finite, positive D and σ', async () => {
    const spec = parseMdJobSpec({
      campaign_id: campaign,
      iteration: 0,
      candidate_id: 'Li2O',
      structure: { candidate_id: 'Li2O' },
      temperatures_K: [1500],
      timestep_fs: 2,
      equilibration_steps: 20,
      production_steps: 200,
      sampling_interval_steps: 5,
      supercell_min_length_A: 0,
      seed: 42,
      resources: { cores: 1, gpus: 0, wall_time_minutes: 10 },
    });
    const [key] = mdJobKeys(spec);
    const job = prepareMdJob({
      root,
      spec,
      key,
      structureExtxyz: LI2O_EXTXYZ,
      python: process.env.CRUCIBLE_MD_PYTHON!,
    });
    expect(job.name).toBe(mdJobName(key));
    const r = await slurm.submit(job);
    if (r.kind === 'deferred') throw new Error('deferred');
    const s = await waitForJob(slurm, r.handle, { pollMs: 1000, timeoutMs: 580_000 });
    if (s.phase !== 'completed') {
      throw new Error(
        `MD job ${s.phase}: ${fs.readFileSync(path.join(job.workDir, 'slurm.err'), 'utf8').slice(-2000)}`,
      );
    }
    const out = await slurm.collect(r.handle);
    const traj = readExtendedXyzFrames(
      fs.readFileSync(out.trajectoryPath, 'utf8'),
      out.log.frame_interval_fs!,
    );
    const a = analyseTrajectory(traj, { mobileSpecies: 'Li', temperature_K: 1500 });
    console.log(
      `CHGNet Li2O 1500 K: ${out.log.steps_per_s?.toFixed(2)} steps/s, D=${a.diffusivity_cm2_per_s} ± ${a.diffusivityStdErr_cm2_per_s} cm²/s, σ=${a.conductivity_S_per_cm} S/cm`,
    );
    expect(Number.isFinite(a.diffusivity_cm2_per_s) && a.diffusivity_cm2_per_s > 0).toBe(true);
    expect(Number.isFinite(a.conductivity_S_per_cm) && a.conductivity_S_per_cm > 0).toBe(true);
    expect(traj.frames).toHaveLength(41);
  });
});
