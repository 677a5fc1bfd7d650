/**
 * MD activities on their own task queue (crucible-md), run by workers/md.ts on a machine that can
 * reach the cluster (sbatch/squeue) or run the engine itself (command executor). Every activity is
 * idempotent: job names are deterministic, submission re-attaches to an existing job, the run and
 * job documents are upserts and a trajectory is stored in GridFS once per job name.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { readPymatgenJson } from '../materials/pymatgenJson';
import { writeExtendedXyz } from '../materials/extendedXyz';
import { analyseTrajectory } from '../md/analysis';
import {
  CommandExecutor,
  type JobHandle,
  type JobStatus,
  type MdExecutor,
  SlurmExecutor,
  type SubmitResult,
  TERMINAL_PHASES,
  prepareMdJob,
} from '../md/executors';
import { type MdJobKey, type MdJobSpec, mdJobGroupPrefix, mdJobName, parseMdJobSpec } from '../md/jobSpec';
import { orderedForMd } from '../md/orderedStructure';
import { mdOutcome, temperatureResult } from '../md/runOutcome';
import { readExtendedXyzFrames } from '../md/trajectory';
import type { MdJobTemplate, MdOutcome, MdTemperatureResult } from '../schemas/mdStage';
import {
  createMdRun,
  finishMdRun as storeFinishMdRun,
  getMdRun,
  recordMdJob,
  saveTrajectory,
} from '../store/mdRuns';
import { type MdSlotDoc, claimMdSlot, releaseMdSlot } from '../store/mdSlots';
import { getStructure } from '../store/structures';

export interface MdActivityDeps {
  db: Db;
  /** Python with ase + chgnet (infra/install-md-python.sh); default CRUCIBLE_MD_PYTHON. */
  python?: string;
  /** Job directories (on a cluster: a folder the compute nodes see); default CRUCIBLE_MD_ROOT. */
  root?: string;
  /**
   * How long a claimed job slot is safe from reconciliation (the claim → sbatch window); default
   * 15 minutes, above the submit activity's 10-minute start-to-close timeout.
   */
  slotGraceMs?: number;
}

export interface PrepareMdRunInput {
  run_id: string;
  campaign_id: string;
  iteration: number;
  candidate_id: string;
  structure_pool_id: string;
  job: MdJobTemplate;
}

export interface MdJobRef {
  run_id: string;
  temperature_K: number;
  attempt: number;
}

export type SubmitMdJobResult =
  { kind: 'submitted' | 'attached'; handle: JobHandle } | { kind: 'deferred'; active: number; limit: number };

export function defaultMdRoot(): string {
  const home = process.env.CRUCIBLE_HOME ?? path.join(os.homedir(), '.cache', 'crucible');
  return process.env.CRUCIBLE_MD_ROOT ?? path.join(home, 'md-jobs');
}

/** Non-retryable: the same input fails the same way on every attempt. */
const inputError = (message: string, type = 'MdInputError') => ApplicationFailure.nonRetryable(message, type);

export function createMdActivities(deps: MdActivityDeps) {
  const { db } = deps;
  const root = deps.root ?? defaultMdRoot();
  const python = deps.python ?? process.env.CRUCIBLE_MD_PYTHON;
  // One executor per kind for the life of the worker (the command executor counts its own jobs).
  const executors: Record<'command' | 'slurm', MdExecutor> = {
    command: new CommandExecutor(),
    slurm: new SlurmExecutor(),
  };
  // The limit across processes and machines is the slot claim in MongoDB (store/mdSlots.ts).
  // This process also serializes a campaign's submissions and still lets the executor count the
  // campaign's active jobs: a second guard that the lock keeps exact in-process, for jobs that
  // hold no slot (submitted by hand under the campaign's prefix, or before slots existed).
  const locks = new Map<string, Promise<unknown>>();
  const withLock = async <T>(key: string, f: () => Promise<T>): Promise<T> => {
    const prev = locks.get(key) ?? Promise.resolve();
    const next = prev.then(f, f);
    locks.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  };

  const loadRun = async (runId: string): Promise<{ spec: MdJobSpec }> => {
    const run = await getMdRun(db, runId);
    if (!run) throw inputError(`MD run ${runId} was never prepared`);
    return { spec: JSON.parse(run.spec_json) as MdJobSpec };
  };
  const keyOf = (spec: MdJobSpec, ref: MdJobRef): MdJobKey => ({
    campaign_id: spec.campaign_id,
    iteration: spec.iteration,
    candidate_id: spec.candidate_id,
    temperature_K: ref.temperature_K,
    attempt: ref.attempt,
  });
  const executorOf = (handle: JobHandle) => executors[handle.executor];
  const slotGraceMs = deps.slotGraceMs ?? 15 * 60_000;
  /** Whether a slot's job is queued or running, as its executor sees it now. */
  const slotJobActive = async (slot: MdSlotDoc): Promise<boolean> => {
    // A local job's pid is meaningful only on the machine that started it.
    if (slot.executor === 'command' && slot.host !== os.hostname()) return true;
    const executor = executors[slot.executor];
    const handle = await executor.find(slot.holder, slot.work_dir);
    return handle !== null && !TERMINAL_PHASES.has((await executor.status(handle)).phase);
  };

  return {
    /** Resolves the candidate's structure, validates the job spec, records the run. */
    async prepareMdRun(input: PrepareMdRunInput): Promise<{ temperatures_K: number[] }> {
      const doc = await getStructure(db, input.structure_pool_id, input.candidate_id);
      if (!doc) {
        throw inputError(
          `no structure for candidate ${input.candidate_id} in pool ${input.structure_pool_id} (import its CIF first)`,
        );
      }
      let prepared: ReturnType<typeof orderedForMd>;
      try {
        prepared = orderedForMd(
          readPymatgenJson(JSON.parse(doc.structure_json), `structure ${doc._id}`),
          input.job.order_disordered,
          input.candidate_id,
        );
      } catch (err) {
        throw inputError((err as Error).message, 'MdStructureError');
      }
      const { structure, ordering } = prepared;
      let spec: MdJobSpec;
      try {
        spec = parseMdJobSpec({
          ...input.job,
          campaign_id: input.campaign_id,
          iteration: input.iteration,
          candidate_id: input.candidate_id,
          structure: { candidate_id: input.candidate_id, extxyz: writeExtendedXyz(structure) },
        });
      } catch (err) {
        throw inputError((err as Error).message, 'ValidationError');
      }
      await createMdRun(db, {
        _id: input.run_id,
        campaign_id: input.campaign_id,
        iteration: input.iteration,
        candidate_id: input.candidate_id,
        structure_pool_id: input.structure_pool_id,
        spec_json: JSON.stringify(spec),
        ...(ordering ? { ordering } : {}),
      });
      return { temperatures_K: spec.temperatures_K };
    },

    /**
     * Writes the job's inputs and submits it, or re-attaches to the job of the same name; defers
     * (submits nothing) when the campaign already has `max_concurrent` jobs queued or running.
     * The job first claims one of the campaign's slots in MongoDB (store/mdSlots.ts), shared by
     * every MD worker; a retry finds the slot it claimed. The slot is freed when a poll sees the
     * job end, on cancel, on a submission that left no job, or by reconciliation.
     */
    async submitMdJob(input: MdJobRef & { max_concurrent: number }): Promise<SubmitMdJobResult> {
      if (!python) throw new Error('CRUCIBLE_MD_PYTHON is not set on this MD worker');
      const { spec } = await loadRun(input.run_id);
      const key = keyOf(spec, input);
      const job = prepareMdJob({ root, spec, key, structureExtxyz: spec.structure.extxyz!, python });
      const group = mdJobGroupPrefix(spec.campaign_id);
      const executor = executors[spec.executor];
      const r = await withLock(group, async () => {
        const slot = await claimMdSlot(db, {
          group,
          limit: input.max_concurrent,
          holder: job.name,
          executor: spec.executor,
          work_dir: job.workDir,
          graceMs: slotGraceMs,
          isActive: slotJobActive,
        });
        if (slot.kind === 'full')
          return { kind: 'deferred' as const, active: slot.active, limit: slot.limit };
        let sub: SubmitResult;
        try {
          sub = await executor.submit(job, { groupPrefix: group, maxConcurrent: input.max_concurrent });
        } catch (err) {
          // Free the slot only when no job of this name exists: a submit that failed after sbatch
          // took the job keeps its slot (the retry attaches); the reconciler frees it otherwise.
          if ((await executor.find(job.name, job.workDir).catch(() => undefined)) === null) {
            await releaseMdSlot(db, job.name, `submission failed: ${(err as Error).message}`);
          }
          throw err;
        }
        if (sub.kind === 'deferred')
          await releaseMdSlot(db, job.name, 'executor deferred: jobs without a slot');
        return sub;
      });
      if (r.kind === 'deferred') return { kind: 'deferred', active: r.active, limit: r.limit };
      await recordMdJob(db, job.name, {
        run_id: input.run_id,
        campaign_id: spec.campaign_id,
        candidate_id: spec.candidate_id,
        temperature_K: input.temperature_K,
        attempt: input.attempt,
        executor: spec.executor,
        job_id: r.handle.id,
        work_dir: job.workDir,
        phase: 'pending',
        detail: r.kind,
      });
      return { kind: r.kind, handle: r.handle };
    },

    /**
     * Polls the job every `poll_s` with a heartbeat each time, for at most `window_s`; returns
     * its status (terminal or not). The workflow sleeps on a timer between windows.
     */
    async awaitMdJob(input: { handle: JobHandle; window_s: number; poll_s: number }): Promise<JobStatus> {
      const ctx = Context.current();
      const deadline = Date.now() + input.window_s * 1000;
      let lastPhase = '';
      for (;;) {
        const s = await executorOf(input.handle).status(input.handle);
        ctx.heartbeat({ phase: s.phase, steps_done: s.stepsDone, steps_total: s.stepsTotal });
        if (s.phase !== lastPhase) {
          lastPhase = s.phase;
          await recordMdJob(db, input.handle.name, { phase: s.phase, detail: s.detail });
        }
        if (TERMINAL_PHASES.has(s.phase)) await releaseMdSlot(db, input.handle.name, `job ended ${s.phase}`);
        if (TERMINAL_PHASES.has(s.phase) || Date.now() + input.poll_s * 1000 > deadline) return s;
        await ctx.sleep(input.poll_s * 1000); // throws when the workflow cancels this activity
      }
    },

    /** scancel (or kill) the job of this run/temperature/attempt if it exists and is not finished. */
    async cancelMdJob(input: MdJobRef): Promise<{ cancelled: boolean; job_id: string | null }> {
      const { spec } = await loadRun(input.run_id);
      const name = mdJobName(keyOf(spec, input));
      const executor = executors[spec.executor];
      const handle = await executor.find(name, path.join(root, name));
      const ended = !handle || TERMINAL_PHASES.has((await executor.status(handle)).phase);
      if (handle && !ended) {
        await executor.cancel(handle);
        await recordMdJob(db, name, { phase: 'cancelled', detail: 'cancelled by Crucible' });
      }
      // After the job is gone (or never was): a slot claimed for it is free either way.
      await releaseMdSlot(db, name, 'cancelled by Crucible');
      return { cancelled: !ended, job_id: handle?.id ?? null };
    },

    /**
     * Reads a completed job's outputs, analyses the trajectory (MSD → D → Nernst–Einstein σ),
     * stores the trajectory in GridFS and the result in md_jobs; returns the small summary.
     */
    async collectMdJob(input: MdJobRef & { handle: JobHandle }): Promise<MdTemperatureResult> {
      const ctx = Context.current();
      const { spec } = await loadRun(input.run_id);
      let outputs;
      try {
        outputs = await executorOf(input.handle).collect(input.handle);
      } catch (err) {
        throw inputError((err as Error).message, 'MdEngineError');
      }
      ctx.heartbeat('analysing');
      const analysis = (() => {
        try {
          const traj = readExtendedXyzFrames(
            fs.readFileSync(outputs.trajectoryPath, 'utf8'),
            Number(outputs.log.frame_interval_fs),
          );
          return {
            traj,
            a: analyseTrajectory(traj, {
              mobileSpecies: spec.mobile_species,
              temperature_K: input.temperature_K,
            }),
          };
        } catch (err) {
          throw inputError(
            `analysis of ${input.handle.name} failed: ${(err as Error).message}`,
            'MdAnalysisError',
          );
        }
      })();
      const { traj, a } = analysis;
      ctx.heartbeat('storing trajectory');
      const stored = await saveTrajectory(db, input.handle.name, outputs.trajectoryPath, {
        run_id: input.run_id,
        temperature_K: input.temperature_K,
      });
      const result = temperatureResult(a, { job_name: input.handle.name, volume_A3: traj.lattice.volume });
      await recordMdJob(db, input.handle.name, {
        phase: 'completed',
        detail: 'collected',
        result: {
          ...result,
          steps_per_s: typeof outputs.log.steps_per_s === 'number' ? outputs.log.steps_per_s : null,
          frames: traj.frames.length,
          frame_interval_fs: traj.frameInterval_fs,
          mean_temperature_K:
            typeof outputs.log.mean_temperature_K === 'number' ? outputs.log.mean_temperature_K : null,
          msd_json: JSON.stringify(Array.from(a.msd.lag_fs, (t, i) => [t, a.msd.msd_A2[i]])),
        },
        trajectory: { gridfs_id: stored.gridfs_id, bytes: stored.bytes, file: outputs.trajectoryPath },
      });
      return result;
    },

    /** Arrhenius over the temperatures (≥ 2) → σ(300 K) with its 95 % interval; stores the outcome. */
    async finishMdRun(input: {
      run_id: string;
      campaign_id: string;
      iteration: number;
      candidate_id: string;
      structure_pool_id: string;
      status: MdOutcome['status'];
      temperatures: MdTemperatureResult[];
      failure_reason: string | null;
    }): Promise<MdOutcome> {
      // A run that failed before prepare recorded it (no structure, bad spec) is recorded here.
      const run = await createMdRun(db, {
        _id: input.run_id,
        campaign_id: input.campaign_id,
        iteration: input.iteration,
        candidate_id: input.candidate_id,
        structure_pool_id: input.structure_pool_id,
        spec_json: 'null',
      });
      const outcome = mdOutcome(run, input);
      await storeFinishMdRun(db, input.run_id, outcome);
      const { activation_energy_stderr_eV: _, ...small } = outcome;
      return small;
    },
  };
}
