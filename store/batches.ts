import { Db, MongoServerError } from 'mongodb';

/** One proposal of a campaign iteration (iteration 0 = seed experiments), written once. */
export interface BatchDoc {
  _id: string;
  campaign_id: string;
  iteration: number;
  candidate_ids: string[];
  /** Per pick: acquisition score and the surrogate's mean/std at pick time (null for seeds). */
  scores: (number | null)[];
  predicted_mean: (number | null)[];
  predicted_std: (number | null)[];
  method: string;
  train_size: number;
  created_at: string;
  /** ParEGO's simplex weights of this iteration, one per objective (multi-objective specs). */
  parego_weights?: number[];
  /**
   * Multi-objective or constrained specs: per objective and outcome-constraint property, each
   * pick's predicted mean/std in that property's units (null where no model of it existed yet).
   * Keyed by property (spec-validated: a safe MongoDB key). Absent on batches stored before it.
   */
  property_predictions?: Record<string, { mean: (number | null)[]; std: (number | null)[] }>;
  /** Per pick: P(feasible) under the outcome-constraint surrogates (constrained specs). */
  feasibility?: number[];
  /** The registered model that scored the pool (CGCNN surrogate; other surrogates are fitted in place). */
  model_id?: string;
  /** Multi-objective CGCNN campaigns: each objective's registered ensemble, by property. */
  model_ids?: Record<string, string>;
  /** Set when a PI decided on the batch (approval gate); excluded candidates are never proposed again. */
  decision?: 'approve' | 'reject' | 'trim';
  excluded_candidate_ids?: string[];
}

export const batchId = (campaignId: string, iteration: number) => `${campaignId}/iter-${iteration}`;

export async function getBatch(db: Db, campaignId: string, iteration: number): Promise<BatchDoc | null> {
  return db.collection<BatchDoc>('batches').findOne({ _id: batchId(campaignId, iteration) });
}

/** Inserts the batch unless one exists for that iteration; returns whichever is stored. */
export async function saveBatchOnce(db: Db, batch: Omit<BatchDoc, '_id'>): Promise<BatchDoc> {
  const _id = batchId(batch.campaign_id, batch.iteration);
  try {
    await db.collection<BatchDoc>('batches').insertOne({ _id, ...batch });
  } catch (err) {
    if (!(err instanceof MongoServerError && err.code === 11000)) throw err;
  }
  const stored = await db.collection<BatchDoc>('batches').findOne({ _id });
  if (!stored) throw new Error(`batch ${_id} vanished after insert`);
  return stored;
}

export async function campaignBatches(db: Db, campaignId: string): Promise<BatchDoc[]> {
  return db
    .collection<BatchDoc>('batches')
    .find({ campaign_id: campaignId })
    .sort({ iteration: 1 })
    .toArray();
}
