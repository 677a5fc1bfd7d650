/**
 * One interface for every place an MD job can run (this machine, a SLURM cluster, later others):
 * submit / status / cancel / collect. Submission is idempotent by job name: submitting a name
 * that already has a job attaches to it instead of starting a second one, so an activity retried
 * after a worker crash between "submit" and "record the id" never duplicates cluster work.
 */

/** Everything an executor needs to run one job; produced by prepareMdJob. */
export interface PreparedJob {
  /** Deterministic name (mdJobName): the idempotency key. */
  readonly name: string;
  /** Directory with the inputs; the job writes its outputs here too (shared with the cluster). */
  readonly workDir: string;
  /** Program and arguments, run with cwd = workDir. */
  readonly argv: readonly string[];
  readonly cores: number;
  readonly gpus: number;
  readonly wallTimeMinutes: number;
  readonly partition?: string;
  /** Extra environment for the job (e.g. OMP_NUM_THREADS). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface JobHandle {
  readonly executor: 'command' | 'slurm';
  readonly name: string;
  /** SLURM job id, or the pid of the local wrapper. */
  readonly id: string;
  readonly workDir: string;
}

export type SubmitResult =
  | { readonly kind: 'submitted' | 'attached'; readonly handle: JobHandle }
  /** Per-campaign concurrency limit reached: wait in Crucible and try again later. */
  | { readonly kind: 'deferred'; readonly active: number; readonly limit: number };

export interface SubmitOptions {
  /** Jobs whose names start with this prefix count against `maxConcurrent` (one campaign). */
  readonly groupPrefix?: string;
  readonly maxConcurrent?: number;
}

/** Where a job is. Terminal phases carry an outcome the workflow can act on. */
export type JobPhase =
  'pending' | 'running' | 'completed' | 'failed' | 'timeout' | 'cancelled' | 'node_failure';

export const TERMINAL_PHASES: ReadonlySet<JobPhase> = new Set([
  'completed',
  'failed',
  'timeout',
  'cancelled',
  'node_failure',
]);

/** node_failure is the cluster's fault: worth a retry under a new attempt; the others are not. */
export function isTransientFailure(phase: JobPhase): boolean {
  return phase === 'node_failure';
}

export interface JobStatus {
  readonly phase: JobPhase;
  /** Scheduler's own words (e.g. SLURM state + reason), for people reading the log. */
  readonly detail: string;
  readonly exitCode?: number;
  /** Seconds since the epoch, when known. */
  readonly submittedAt?: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** Engine progress (progress.json), for heartbeats. */
  readonly stepsDone?: number;
  readonly stepsTotal?: number;
}

export interface CollectedOutputs {
  /** Engine log (log.json): status, steps_per_s, num_atoms, volume_A3, frame_interval_fs... */
  readonly log: EngineLog;
  /** Path of the trajectory file (extxyz); large, so callers store it in GridFS, not history. */
  readonly trajectoryPath: string;
  readonly trajectoryBytes: number;
}

export interface EngineLog {
  readonly status: 'running' | 'completed' | 'failed';
  readonly error?: string;
  readonly num_atoms?: number;
  readonly num_mobile?: number;
  readonly volume_A3?: number;
  readonly steps_per_s?: number;
  readonly frame_interval_fs?: number;
  readonly mean_temperature_K?: number;
  readonly started_at?: number;
  readonly finished_at?: number;
  readonly [key: string]: unknown;
}

export interface MdExecutor {
  readonly kind: 'command' | 'slurm';
  submit(job: PreparedJob, options?: SubmitOptions): Promise<SubmitResult>;
  /** Looks a job up by name without submitting (null when none exists). */
  find(name: string, workDir: string): Promise<JobHandle | null>;
  status(handle: JobHandle): Promise<JobStatus>;
  cancel(handle: JobHandle): Promise<void>;
  /** Outputs of a completed job; throws with the engine's error when there are none. */
  collect(handle: JobHandle): Promise<CollectedOutputs>;
}
