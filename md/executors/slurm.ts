/**
 * SLURM executor: sbatch / squeue / scontrol / sacct -c / scancel.
 * Idempotency: before sbatch, the job name is looked up in squeue (live and recently finished
 * jobs, kept MinJobAge seconds) and in `sacct -c` (the jobcomp file: finished jobs after that),
 * so a retried submit re-attaches to the job a crashed worker already submitted.
 * `sacct -c` ignores --name on the filetxt jobcomp, so names are filtered here.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { collectOutputs, readProgress } from './outputs';
import { jobScript } from './prepare';
import type {
  CollectedOutputs,
  JobHandle,
  JobPhase,
  JobStatus,
  MdExecutor,
  PreparedJob,
  SubmitOptions,
  SubmitResult,
} from './types';

const run = promisify(execFile);

/** Runs a SLURM command; a failure says which command and what SLURM wrote on stderr. */
async function slurm(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { encoding: 'utf8', timeout: 60_000 });
    return stdout;
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? '').trim();
    const err = new Error(`${cmd} failed: ${stderr || (e as Error).message}`, { cause: e });
    throw Object.assign(err, { stderr });
  }
}

/** SLURM job state (scontrol/squeue/sacct spelling, "CANCELLED by 0" included) → phase. */
export function phaseOfSlurmState(state: string): JobPhase {
  const s = state.trim().split(/\s+/)[0].toUpperCase();
  switch (s) {
    case 'PENDING':
    case 'CONFIGURING':
    case 'REQUEUED':
    case 'REQUEUE_HOLD':
    case 'REQUEUE_FED':
    case 'RESV_DEL_HOLD':
    case 'SUSPENDED':
    case 'STOPPED':
      return 'pending';
    case 'RUNNING':
    case 'COMPLETING':
    case 'SIGNALING':
    case 'STAGE_OUT':
    case 'RESIZING':
      return 'running';
    case 'COMPLETED':
      return 'completed';
    case 'FAILED':
    case 'OUT_OF_MEMORY':
    case 'SPECIAL_EXIT':
      return 'failed';
    case 'TIMEOUT':
    case 'DEADLINE':
      return 'timeout';
    case 'CANCELLED':
    case 'REVOKED':
      return 'cancelled';
    // Lost to the cluster, not to the job: resubmitted. PREEMPTED is a job killed by preemption;
    // jobs are submitted --no-requeue, so SLURM will not run it again (a requeued job shows
    // PENDING/REQUEUED instead).
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
    case 'LAUNCH_FAILED':
    case 'PREEMPTED':
      return 'node_failure';
    default:
      throw new Error(`unknown SLURM job state "${state}"`);
  }
}

function epoch(t: string | undefined): number | undefined {
  if (!t || t === 'Unknown' || t === 'None' || t === 'N/A') return undefined;
  const ms = Date.parse(t); // SLURM prints local time without zone: parsed as local, as meant
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

interface SlurmRecord {
  id: string;
  name: string;
  state: string;
  reason?: string;
  exitCode?: number;
  submit?: string;
  start?: string;
  end?: string;
}

/** `scontrol show job -o ID` → key=value record (null when slurmctld no longer knows it). */
async function scontrolJob(id: string): Promise<SlurmRecord | null> {
  let out: string;
  try {
    out = await slurm('scontrol', ['show', 'job', '-o', id]);
  } catch (e) {
    if (/Invalid job id/i.test(String((e as { stderr?: string }).stderr ?? e))) return null;
    throw e;
  }
  const kv = new Map<string, string>();
  for (const m of out.matchAll(/(\w[\w/:]*)=(\S*)/g)) if (!kv.has(m[1])) kv.set(m[1], m[2]);
  return {
    id,
    name: kv.get('JobName') ?? '',
    state: kv.get('JobState') ?? 'UNKNOWN',
    reason: kv.get('Reason'),
    exitCode: Number((kv.get('ExitCode') ?? '').split(':')[0]),
    submit: kv.get('SubmitTime'),
    start: kv.get('StartTime'),
    end: kv.get('EndTime'),
  };
}

/** Finished jobs from the jobcomp file (`sacct -c`), optionally one id. */
async function sacctCompleted(id?: string): Promise<SlurmRecord[]> {
  const args = ['-c', '-n', '-P', '-o', 'JobID,JobName,State,ExitCode,Submit,Start,End'];
  if (id) args.push('-j', id);
  let out: string;
  try {
    out = await slurm('sacct', args);
  } catch {
    return []; // no jobcomp file yet (no job has finished on this cluster)
  }
  return out
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((l) => {
      const [jid, name, state, exit, submit, start, end] = l.split('|');
      return { id: jid, name, state, exitCode: Number(exit.split(':')[0]), submit, start, end };
    });
}

/** Live and recently finished jobs with this name (squeue -t all). */
async function squeueByName(name: string): Promise<SlurmRecord[]> {
  const out = await slurm('squeue', ['-h', '-t', 'all', '-n', name, '-o', '%i|%j|%T|%r']);
  return out
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((l) => {
      const [id, jobName, state, reason] = l.split('|');
      return { id, name: jobName, state, reason };
    })
    .filter((r) => r.name === name);
}

export interface SlurmExecutorOptions {
  /** Extra sbatch arguments (account, qos, constraint...). */
  readonly extraSbatchArgs?: readonly string[];
}

export class SlurmExecutor implements MdExecutor {
  readonly kind = 'slurm' as const;
  constructor(private readonly options: SlurmExecutorOptions = {}) {}

  async find(name: string, workDir: string): Promise<JobHandle | null> {
    // Newest first: a name normally has one job; if a human resubmitted, follow the latest.
    const byId = (a: SlurmRecord, b: SlurmRecord) => Number(b.id) - Number(a.id);
    const live = (await squeueByName(name)).sort(byId);
    const done = live.length ? [] : (await sacctCompleted()).filter((r) => r.name === name).sort(byId);
    const hit = live[0] ?? done[0];
    return hit ? { executor: 'slurm', name, id: hit.id, workDir } : null;
  }

  /** Jobs of this user in squeue (pending or running) whose name starts with `prefix`. */
  async countActive(prefix: string): Promise<number> {
    const out = await slurm('squeue', ['-h', '-t', 'PENDING,RUNNING,CONFIGURING,COMPLETING', '-o', '%j']);
    return out.split('\n').filter((n) => n.startsWith(prefix)).length;
  }

  async submit(job: PreparedJob, options: SubmitOptions = {}): Promise<SubmitResult> {
    const existing = await this.find(job.name, job.workDir);
    if (existing) return { kind: 'attached', handle: existing };
    if (options.maxConcurrent !== undefined && options.groupPrefix !== undefined) {
      const active = await this.countActive(options.groupPrefix);
      if (active >= options.maxConcurrent) return { kind: 'deferred', active, limit: options.maxConcurrent };
    }
    const script = path.join(job.workDir, 'job.sh');
    fs.writeFileSync(script, jobScript(job), { mode: 0o755 });
    for (const stale of ['exit_code', 'log.json', 'progress.json'])
      fs.rmSync(path.join(job.workDir, stale), { force: true });
    const args = [
      '--parsable',
      '-J',
      job.name,
      '-D',
      job.workDir,
      '-o',
      path.join(job.workDir, 'slurm.out'),
      '-e',
      path.join(job.workDir, 'slurm.err'),
      // A job lost to a node failure (or preemption) ends NODE_FAIL (PREEMPTED) instead of being
      // requeued under the same id (SLURM's default, JobRequeue=1): Crucible resubmits it under
      // a new attempt name, bounded by md.max_resubmits, with its stale outputs cleared first.
      '--no-requeue',
      '-N',
      '1',
      '-n',
      '1',
      '-c',
      String(job.cores),
      `--time=${job.wallTimeMinutes}`,
      ...(job.gpus > 0 ? [`--gres=gpu:${job.gpus}`] : []),
      ...(job.partition ? ['-p', job.partition] : []),
      ...(this.options.extraSbatchArgs ?? []),
      script,
    ];
    const id = (await slurm('sbatch', args)).trim().split(';')[0];
    if (!/^\d+$/.test(id)) throw new Error(`sbatch printed "${id}", expected a job id`);
    return { kind: 'submitted', handle: { executor: 'slurm', name: job.name, id, workDir: job.workDir } };
  }

  async status(handle: JobHandle): Promise<JobStatus> {
    const rec =
      (await scontrolJob(handle.id)) ?? (await sacctCompleted(handle.id)).find((r) => r.id === handle.id);
    if (!rec)
      throw new Error(`SLURM job ${handle.id} (${handle.name}) is unknown to squeue/scontrol and sacct -c`);
    const phase = phaseOfSlurmState(rec.state);
    return {
      phase,
      detail: `${rec.state}${rec.reason && rec.reason !== 'None' ? ` (${rec.reason})` : ''}`,
      exitCode: Number.isFinite(rec.exitCode) ? rec.exitCode : undefined,
      submittedAt: epoch(rec.submit),
      startedAt: epoch(rec.start),
      endedAt: phase === 'pending' || phase === 'running' ? undefined : epoch(rec.end),
      ...readProgress(handle.workDir),
    };
  }

  async cancel(handle: JobHandle): Promise<void> {
    await slurm('scancel', [handle.id]);
  }

  async collect(handle: JobHandle): Promise<CollectedOutputs> {
    return collectOutputs(handle.workDir);
  }
}
