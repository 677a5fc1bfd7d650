import { Db, MongoServerError } from 'mongodb';
import {
  ExperimentOutcome,
  ExperimentRequest,
  LabResult,
  Measurement,
  PartialResult,
  labIdOf,
} from '../schemas';

/** `timed_out` and `cancelled` are final for the campaign; a result may still arrive (flagged late). */
export type ExperimentStatus = 'requested' | 'measured' | 'failed' | 'cancelled' | 'timed_out';

export interface ExperimentDoc extends ExperimentRequest {
  _id: string;
  /** The lab that answers it (labIdOf(request.lab)); lab tokens are scoped by it. */
  lab_id: string;
  status: ExperimentStatus;
  requested_at: string;
  /** How many times dispatch ran for this id (retries after crashes); the request itself is written once. */
  dispatch_calls: number;
  /** Intermediate readings recorded so far (partial_results collection). */
  partial_results?: number;
  last_partial_at?: string;
  timed_out_at?: string;
  /** Webhook delivery of the request to its lab, when the lab registered one. */
  pushed_at?: string;
  push_attempts?: number;
}

interface MeasurementDoc extends Measurement {
  _id: string;
}

const DUPLICATE_KEY = 11000;
const isDuplicateKey = (err: unknown) => err instanceof MongoServerError && err.code === DUPLICATE_KEY;

/**
 * Each lab's open requests also sit in a small collection of their own (a copy of the experiment
 * document, removed when the experiment is answered, times out or is cancelled), so a lab's
 * poll reads only its own queue. FerretDB's SQLite backend pushes down nothing but `_id`
 * equality: a {lab_id, status} query scans every experiment ever requested, ~0.3 s at 5,000,
 * and 50 polling labs saturated it. The experiments collection stays the record.
 */
const labQueue = (db: Db, labId: string) => db.collection<ExperimentDoc>(`lab_queue.${labId}`);

async function leaveLabQueue(db: Db, experiment: Pick<ExperimentDoc, '_id' | 'lab_id'>): Promise<void> {
  await labQueue(db, experiment.lab_id).deleteOne({ _id: experiment._id });
}

/** Idempotent: the first call writes the request; later calls (activity retries) only count. */
export async function requestExperiment(db: Db, req: ExperimentRequest): Promise<ExperimentDoc> {
  const doc = await db.collection<ExperimentDoc>('experiments').findOneAndUpdate(
    { _id: req.experiment_id },
    {
      $setOnInsert: {
        ...req,
        lab_id: labIdOf(req.lab),
        status: 'requested',
        requested_at: new Date().toISOString(),
      },
      $inc: { dispatch_calls: 1 },
    },
    { upsert: true, returnDocument: 'after' },
  );
  if (!doc) throw new Error(`experiment ${req.experiment_id}: upsert returned nothing`);
  if (doc.status === 'requested') {
    await labQueue(db, doc.lab_id)
      .insertOne(doc)
      .catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
  }
  return doc;
}

export async function getExperiment(db: Db, experimentId: string): Promise<ExperimentDoc | null> {
  return db.collection<ExperimentDoc>('experiments').findOne({ _id: experimentId });
}

/** Moves an experiment to `status` (only from `onlyIf`, when given); it then leaves its lab's queue. */
export async function setExperimentStatus(
  db: Db,
  experimentId: string,
  status: ExperimentStatus,
  opts: { onlyIf?: ExperimentStatus } = {},
): Promise<void> {
  const experiments = db.collection<ExperimentDoc>('experiments');
  const current = await experiments.findOne({ _id: experimentId });
  if (!current || (opts.onlyIf !== undefined && current.status !== opts.onlyIf)) return;
  await experiments.updateOne({ _id: experimentId }, { $set: { status } });
  if (status !== 'requested') await leaveLabQueue(db, current);
}

/** Requests lab `labId` has not answered yet, oldest first. */
export async function pendingExperiments(db: Db, labId: string, limit = 100): Promise<ExperimentDoc[]> {
  return labQueue(db, labId).find({}).sort({ requested_at: 1 }).limit(limit).toArray();
}

export async function campaignExperiments(db: Db, campaignId: string): Promise<ExperimentDoc[]> {
  return db.collection<ExperimentDoc>('experiments').find({ campaign_id: campaignId }).toArray();
}

const FINISHED_FOR_CAMPAIGN: ExperimentStatus[] = ['timed_out', 'cancelled'];

export const outcomeOf = (m: Measurement): ExperimentOutcome => ({
  experiment_id: m.experiment_id,
  candidate_id: m.candidate_id,
  status: m.status,
  value: m.value,
});

/**
 * Writes the final result of an experiment exactly once (the measurement's _id is the
 * experiment id): a second call changes nothing and returns the stored measurement with
 * duplicate=true. A result for an experiment that already timed out or was cancelled is still
 * recorded, flagged `late`; the check runs again after the insert, so a timeout racing this
 * write is flagged too (see expireExperiment for the other side of that race).
 */
export async function recordMeasurement(
  db: Db,
  experiment: ExperimentDoc,
  result: LabResult,
): Promise<{ measurement: Measurement; duplicate: boolean; late: boolean }> {
  const measurement: Measurement = {
    experiment_id: experiment.experiment_id,
    campaign_id: experiment.campaign_id,
    candidate_id: experiment.candidate_id,
    iteration: experiment.iteration,
    property: experiment.property,
    status: result.status,
    value: result.status === 'succeeded' ? (result.value as number) : null,
    ...(result.status === 'succeeded' && result.values ? { values: result.values } : {}),
    uncertainty: result.uncertainty ?? null,
    lab_id: result.lab_id,
    measured_at: result.measured_at,
    recorded_at: new Date().toISOString(),
    late: FINISHED_FOR_CAMPAIGN.includes(experiment.status),
  };
  const measurements = db.collection<MeasurementDoc>('measurements');
  let duplicate = false;
  try {
    await measurements.insertOne({ _id: experiment.experiment_id, ...measurement });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    duplicate = true;
  }
  let stored = duplicate ? await getMeasurement(db, experiment.experiment_id) : measurement;
  if (!stored) throw new Error(`measurement ${experiment.experiment_id} vanished after insert`);
  if (!stored.late) {
    // Read after the insert (see expireExperiment): a timeout that came in between is seen here.
    // On a duplicate too: a write that failed after the insert (a crash, a busy database) left
    // the experiment's status behind, and the lab's retry brings it up to date.
    // Filters stay on _id alone, the only one FerretDB's SQLite backend does not scan for.
    const now = await getExperiment(db, experiment.experiment_id);
    if (now && FINISHED_FOR_CAMPAIGN.includes(now.status) && !duplicate) {
      await measurements.updateOne({ _id: experiment.experiment_id }, { $set: { late: true } });
      stored = { ...stored, late: true };
    } else if (now?.status === 'requested') {
      const status = stored.status === 'succeeded' ? 'measured' : 'failed';
      await db
        .collection<ExperimentDoc>('experiments')
        .updateOne({ _id: experiment.experiment_id }, { $set: { status } });
    }
  }
  await leaveLabQueue(db, experiment);
  return { measurement: stored, duplicate, late: stored.late === true };
}

/**
 * The experiment's wait for its lab is over: marks it timed out unless a result is already
 * stored, and returns the outcome the campaign should learn (the stored result when one won the
 * race, else `timed_out`). Idempotent.
 */
export async function expireExperiment(db: Db, experimentId: string): Promise<ExperimentOutcome> {
  const experiments = db.collection<ExperimentDoc>('experiments');
  const experiment = await getExperiment(db, experimentId);
  if (!experiment) throw new Error(`experiment ${experimentId} does not exist`);
  if (experiment.status === 'requested') {
    await experiments.updateOne(
      { _id: experimentId },
      { $set: { status: 'timed_out', timed_out_at: new Date().toISOString() } },
    );
    await leaveLabQueue(db, experiment);
  }
  // Read after marking (see recordMeasurement): a result stored before the mark is seen here.
  const stored = await getMeasurement(db, experimentId);
  if (stored && !stored.late) {
    await experiments.updateOne(
      { _id: experimentId },
      {
        $set: { status: stored.status === 'succeeded' ? 'measured' : 'failed' },
        $unset: { timed_out_at: '' },
      },
    );
    return outcomeOf(stored);
  }
  return {
    experiment_id: experimentId,
    candidate_id: experiment.candidate_id,
    status: 'timed_out',
    value: null,
  };
}

/** The stored outcome of an experiment, if its result was recorded on time (reconciliation). */
export async function storedOutcome(db: Db, experimentId: string): Promise<ExperimentOutcome | null> {
  const stored = await getMeasurement(db, experimentId);
  return stored && !stored.late ? outcomeOf(stored) : null;
}

interface PartialResultDoc extends PartialResult {
  _id: string;
}

/** Records one intermediate reading once per (experiment, idempotency key); the experiment stays open. */
export async function recordPartialResult(
  db: Db,
  experiment: ExperimentDoc,
  result: LabResult & { idempotency_key: string },
): Promise<{ duplicate: boolean }> {
  const recordedAt = new Date().toISOString();
  const doc: PartialResultDoc = {
    _id: `${experiment.experiment_id}#${result.idempotency_key}`,
    experiment_id: experiment.experiment_id,
    idempotency_key: result.idempotency_key,
    value: result.value ?? null,
    ...(result.values ? { values: result.values } : {}),
    uncertainty: result.uncertainty ?? null,
    lab_id: result.lab_id,
    measured_at: result.measured_at,
    recorded_at: recordedAt,
  };
  try {
    await db.collection<PartialResultDoc>('partial_results').insertOne(doc);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return { duplicate: true };
  }
  await db
    .collection<ExperimentDoc>('experiments')
    .updateOne(
      { _id: experiment.experiment_id },
      { $inc: { partial_results: 1 }, $set: { last_partial_at: recordedAt } },
    );
  return { duplicate: false };
}

export async function partialResults(db: Db, experimentId: string): Promise<PartialResult[]> {
  const docs = await db
    .collection<PartialResultDoc>('partial_results')
    .find({ experiment_id: experimentId })
    .sort({ recorded_at: 1 })
    .toArray();
  return docs.map(({ _id, ...rest }) => rest);
}

/** Marks the request delivered to the lab's webhook. */
export async function markPushed(db: Db, experimentId: string, attempts: number): Promise<void> {
  await db
    .collection<ExperimentDoc>('experiments')
    .updateOne(
      { _id: experimentId },
      { $set: { pushed_at: new Date().toISOString(), push_attempts: attempts } },
    );
}

export async function getMeasurement(db: Db, experimentId: string): Promise<Measurement | null> {
  const doc = await db.collection<MeasurementDoc>('measurements').findOne({ _id: experimentId });
  if (!doc) return null;
  const { _id, ...rest } = doc;
  return rest;
}

export async function campaignMeasurements(db: Db, campaignId: string): Promise<Measurement[]> {
  const docs = await db
    .collection<MeasurementDoc>('measurements')
    .find({ campaign_id: campaignId })
    .toArray();
  return docs.map(({ _id, ...rest }) => rest);
}
