/**
 * MD results: one `md_runs` document per candidate run (the MD-fidelity measurement), one
 * `md_jobs` document per cluster job (one temperature, one attempt), trajectories in GridFS
 * (bucket `md_trajectories`, file name = job name). Workflows see none of this beyond ids and the
 * small outcome. FerretDB refuses nested arrays, so the MSD curve is stored as JSON text.
 */
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Db, GridFSBucket, ObjectId } from 'mongodb';
import type { MdRunOrdering } from '../md/orderedStructure';
import type { MdOutcome, MdTemperatureResult } from '../schemas/mdStage';

export type MdRunStatus = 'running' | MdOutcome['status'];

export interface MdRunDoc {
  _id: string;
  campaign_id: string;
  iteration: number;
  candidate_id: string;
  structure_pool_id: string;
  /** The validated MdJobSpec (structure included) as JSON text. */
  spec_json: string;
  /** Present when the candidate's structure was disordered and ordered for MD. */
  ordering?: MdRunOrdering;
  status: MdRunStatus;
  created_at: string;
  finished_at: string | null;
  log10_sigma_300K: number | null;
  log10_sigma_300K_interval: [number, number] | null;
  activation_energy_eV: number | null;
  activation_energy_stderr_eV: number | null;
  temperatures: MdTemperatureResult[];
  failure_reason: string | null;
}

export interface MdJobDoc {
  _id: string; // job name
  run_id: string;
  campaign_id: string;
  candidate_id: string;
  temperature_K: number;
  attempt: number;
  executor: 'command' | 'slurm';
  /** SLURM job id (or local pid). */
  job_id: string | null;
  work_dir: string;
  phase: string;
  detail: string;
  /** When the job was first recorded (prepared for submission): the dashboard's job age. */
  created_at?: string;
  updated_at: string;
  result?: MdTemperatureResult & {
    steps_per_s: number | null;
    frames: number;
    frame_interval_fs: number;
    mean_temperature_K: number | null;
    /** [[lag_fs, msd_A2], ...] as JSON text. */
    msd_json: string;
  };
  trajectory?: { gridfs_id: string; bytes: number; file: string };
}

const runs = (db: Db) => db.collection<MdRunDoc>('md_runs');
const jobs = (db: Db) => db.collection<MdJobDoc>('md_jobs');
const TRAJECTORY_BUCKET = 'md_trajectories';

/** Idempotent: the first call writes the run; later calls (retries) return what is stored. */
export async function createMdRun(
  db: Db,
  run: Pick<
    MdRunDoc,
    '_id' | 'campaign_id' | 'iteration' | 'candidate_id' | 'structure_pool_id' | 'spec_json'
  > &
    Partial<Pick<MdRunDoc, 'ordering'>>,
): Promise<MdRunDoc> {
  const doc = await runs(db).findOneAndUpdate(
    { _id: run._id },
    {
      $setOnInsert: {
        ...run,
        status: 'running',
        created_at: new Date().toISOString(),
        finished_at: null,
        log10_sigma_300K: null,
        log10_sigma_300K_interval: null,
        activation_energy_eV: null,
        activation_energy_stderr_eV: null,
        temperatures: [],
        failure_reason: null,
      },
    },
    { upsert: true, returnDocument: 'after' },
  );
  if (!doc) throw new Error(`md run ${run._id}: upsert returned nothing`);
  return doc;
}

export async function getMdRun(db: Db, runId: string): Promise<MdRunDoc | null> {
  return runs(db).findOne({ _id: runId });
}

export async function campaignMdRuns(db: Db, campaignId: string): Promise<MdRunDoc[]> {
  return runs(db).find({ campaign_id: campaignId }).sort({ _id: 1 }).toArray();
}

export async function finishMdRun(
  db: Db,
  runId: string,
  outcome: MdOutcome & { activation_energy_stderr_eV: number | null },
): Promise<void> {
  await runs(db).updateOne(
    { _id: runId },
    {
      $set: {
        status: outcome.status,
        finished_at: new Date().toISOString(),
        log10_sigma_300K: outcome.log10_sigma_300K,
        log10_sigma_300K_interval: outcome.log10_sigma_300K_interval,
        activation_energy_eV: outcome.activation_energy_eV,
        activation_energy_stderr_eV: outcome.activation_energy_stderr_eV,
        temperatures: outcome.temperatures,
        failure_reason: outcome.failure_reason,
      },
    },
  );
}

/** Creates or updates a job's document (upsert by job name). */
export async function recordMdJob(
  db: Db,
  name: string,
  fields: Omit<Partial<MdJobDoc>, '_id' | 'updated_at' | 'created_at'>,
): Promise<void> {
  await jobs(db).updateOne(
    { _id: name },
    {
      $set: { ...fields, updated_at: new Date().toISOString() },
      $setOnInsert: { created_at: new Date().toISOString() },
    },
    { upsert: true },
  );
}

export async function getMdJob(db: Db, name: string): Promise<MdJobDoc | null> {
  return jobs(db).findOne({ _id: name });
}

export async function runMdJobs(db: Db, runId: string): Promise<MdJobDoc[]> {
  return jobs(db).find({ run_id: runId }).sort({ temperature_K: 1, attempt: 1 }).toArray();
}

/**
 * Uploads a trajectory file to GridFS under `name` once: a retry finds the stored file. GridFS
 * writes the file document after the last chunk, so an interrupted upload is simply redone.
 */
export async function saveTrajectory(
  db: Db,
  name: string,
  file: string,
  metadata: Record<string, unknown> = {},
): Promise<{ gridfs_id: string; bytes: number }> {
  const bucket = new GridFSBucket(db, { bucketName: TRAJECTORY_BUCKET });
  const existing = await bucket.find({ filename: name }).limit(1).toArray();
  if (existing[0]) return { gridfs_id: existing[0]._id.toHexString(), bytes: existing[0].length };
  const upload = bucket.openUploadStream(name, { metadata: { ...metadata, source_file: file } });
  await pipeline(fs.createReadStream(file), upload);
  return { gridfs_id: upload.id.toHexString(), bytes: upload.length };
}

export async function readTrajectory(db: Db, gridfsId: string): Promise<Buffer> {
  const bucket = new GridFSBucket(db, { bucketName: TRAJECTORY_BUCKET });
  const chunks: Buffer[] = [];
  for await (const c of bucket.openDownloadStream(new ObjectId(gridfsId))) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function ensureMdIndexes(db: Db): Promise<void> {
  await runs(db).createIndex({ campaign_id: 1 });
  await jobs(db).createIndex({ run_id: 1 });
}
