import { Db, MongoServerError } from 'mongodb';
import { ExperimentRequest, LabResult, Measurement, labIdOf } from '../schemas';

export type ExperimentStatus = 'requested' | 'measured' | 'failed' | 'cancelled';

export interface ExperimentDoc extends ExperimentRequest {
  _id: string;
  /** The lab that answers it (labIdOf(request.lab)); lab tokens are scoped by it. */
  lab_id: string;
  status: ExperimentStatus;
  requested_at: string;
  /** How many times dispatch ran for this id (retries after crashes); the request itself is written once. */
  dispatch_calls: number;
}

interface MeasurementDoc extends Measurement {
  _id: string;
}

const DUPLICATE_KEY = 11000;
const isDuplicateKey = (err: unknown) => err instanceof MongoServerError && err.code === DUPLICATE_KEY;

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
  return doc;
}

export async function getExperiment(db: Db, experimentId: string): Promise<ExperimentDoc | null> {
  return db.collection<ExperimentDoc>('experiments').findOne({ _id: experimentId });
}

export async function setExperimentStatus(
  db: Db,
  experimentId: string,
  status: ExperimentStatus,
): Promise<void> {
  await db.collection<ExperimentDoc>('experiments').updateOne({ _id: experimentId }, { $set: { status } });
}

/** Requests lab `labId` has not answered yet, oldest first. */
export async function pendingExperiments(db: Db, labId: string, limit = 100): Promise<ExperimentDoc[]> {
  return db
    .collection<ExperimentDoc>('experiments')
    .find({ lab_id: labId, status: 'requested' })
    .sort({ requested_at: 1 })
    .limit(limit)
    .toArray();
}

export async function campaignExperiments(db: Db, campaignId: string): Promise<ExperimentDoc[]> {
  return db.collection<ExperimentDoc>('experiments').find({ campaign_id: campaignId }).toArray();
}

/**
 * Writes the measurement of an experiment exactly once (its _id is the experiment id). A second
 * call with the same id changes nothing and returns the stored measurement with duplicate=true.
 */
export async function recordMeasurement(
  db: Db,
  req: ExperimentRequest,
  result: LabResult,
): Promise<{ measurement: Measurement; duplicate: boolean }> {
  const measurement: Measurement = {
    experiment_id: req.experiment_id,
    campaign_id: req.campaign_id,
    candidate_id: req.candidate_id,
    iteration: req.iteration,
    property: req.property,
    status: result.status,
    value: result.status === 'succeeded' ? (result.value as number) : null,
    uncertainty: result.uncertainty ?? null,
    lab_id: result.lab_id,
    measured_at: result.measured_at,
    recorded_at: new Date().toISOString(),
  };
  const measurements = db.collection<MeasurementDoc>('measurements');
  let duplicate = false;
  try {
    await measurements.insertOne({ _id: req.experiment_id, ...measurement });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    duplicate = true;
  }
  const stored = await measurements.findOne({ _id: req.experiment_id });
  if (!stored) throw new Error(`measurement ${req.experiment_id} vanished after insert`);
  await setExperimentStatus(db, req.experiment_id, stored.status === 'succeeded' ? 'measured' : 'failed');
  const { _id, ...rest } = stored;
  return { measurement: rest, duplicate };
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
