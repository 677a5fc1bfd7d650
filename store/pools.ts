import { Collection, Db, MongoBulkWriteError } from 'mongodb';
import type { LabelledPool } from '../data/csvPool';

interface PoolDoc {
  _id: string;
  source: Record<string, unknown>;
  feature_names: string[];
  size: number;
  labelled: boolean;
  complete: boolean;
  imported_at: string;
}
interface CandidateDoc {
  _id: string;
  pool_id: string;
  candidate_id: string;
  formula: string | null;
  features: number[];
}
/** Hidden labels of a retrospective pool; only the simulated lab and reports read them. */
interface LabTruthDoc {
  _id: string;
  pool_id: string;
  candidate_id: string;
  /** The target column's value; null when the pool has only further properties' labels. */
  value: number | null;
  /** Further properties' hidden labels (CSV property_columns). */
  values?: Record<string, number>;
}

const candidateKey = (poolId: string, candidateId: string) => `${poolId}/${candidateId}`;

export async function getPool(db: Db, poolId: string): Promise<PoolDoc | null> {
  return db.collection<PoolDoc>('pools').findOne({ _id: poolId });
}

/**
 * Writes a pool: inserts candidates (and hidden labels) in chunks, skipping documents already
 * there, and writes the pool document with complete=true last, so a half-imported pool is never
 * taken as complete and a re-run (or a concurrent import of the same pool) just fills the gaps.
 * Bulk inserts, not per-document upserts: FerretDB's SQLite backend takes ~10 ms per upsert.
 */
export async function savePool(
  db: Db,
  poolId: string,
  source: Record<string, unknown>,
  pool: LabelledPool,
  onProgress: (written: number, total: number) => void = () => {},
  chunk = 500,
): Promise<void> {
  const labelled = pool.rows.every((r) => r.label !== undefined);
  const hasProperties = pool.rows.some((r) => r.properties !== undefined);
  const total = pool.rows.length;
  const candidates = db.collection<CandidateDoc>('candidates');
  const truth = db.collection<LabTruthDoc>('lab_truth');
  for (let start = 0; start < total; start += chunk) {
    const rows = pool.rows.slice(start, start + chunk);
    await insertIgnoringDuplicates(
      candidates,
      rows.map((r) => ({
        _id: candidateKey(poolId, r.candidateId),
        pool_id: poolId,
        candidate_id: r.candidateId,
        formula: r.formula ?? null,
        features: r.features,
      })),
      { ordered: false },
    );
    if (labelled || hasProperties) {
      await insertIgnoringDuplicates(
        truth,
        rows.map((r) => ({
          _id: candidateKey(poolId, r.candidateId),
          pool_id: poolId,
          candidate_id: r.candidateId,
          value: r.label ?? null,
          ...(r.properties ? { values: r.properties } : {}),
        })),
        { ordered: false },
      );
    }
    onProgress(Math.min(start + chunk, total), total);
  }
  await db.collection<PoolDoc>('pools').replaceOne(
    { _id: poolId },
    {
      source,
      feature_names: pool.featureNames,
      size: total,
      labelled,
      complete: true,
      imported_at: new Date().toISOString(),
    },
    { upsert: true },
  );
}

/**
 * Pool ids are content-addressed, so a document that already exists (from a crashed import, or
 * a campaign importing the same pool at the same moment) is identical: skip it, never delete.
 */
async function insertIgnoringDuplicates<T extends { _id: string }>(
  collection: Collection<T>,
  docs: T[],
  options: { ordered: false },
): Promise<void> {
  try {
    await collection.insertMany(docs as never, options);
  } catch (err) {
    const writeErrors = err instanceof MongoBulkWriteError ? [err.writeErrors].flat() : null;
    if (!writeErrors || writeErrors.some((e) => e.code !== 11000)) throw err;
  }
}

export interface PoolMatrix {
  candidateIds: string[];
  formulas: (string | null)[];
  features: number[][];
}

/** All candidates of a pool, ordered by id so every consumer sees the same row order. */
export async function loadPoolMatrix(db: Db, poolId: string): Promise<PoolMatrix> {
  const docs = await db
    .collection<CandidateDoc>('candidates')
    .find({ pool_id: poolId })
    .sort({ candidate_id: 1 })
    .toArray();
  return {
    candidateIds: docs.map((d) => d.candidate_id),
    formulas: docs.map((d) => d.formula),
    features: docs.map((d) => d.features),
  };
}

export async function getCandidate(
  db: Db,
  poolId: string,
  candidateId: string,
): Promise<CandidateDoc | null> {
  return db.collection<CandidateDoc>('candidates').findOne({ _id: candidateKey(poolId, candidateId) });
}

export async function getLabTruth(db: Db, poolId: string, candidateId: string): Promise<number | null> {
  return (await getLabTruthValues(db, poolId, candidateId))?.value ?? null;
}

/** A candidate's hidden labels: the target's and further properties' (simulated lab only). */
export async function getLabTruthValues(
  db: Db,
  poolId: string,
  candidateId: string,
): Promise<{ value: number | null; values: Record<string, number> } | null> {
  const doc = await db
    .collection<LabTruthDoc>('lab_truth')
    .findOne({ _id: candidateKey(poolId, candidateId) });
  return doc ? { value: doc.value, values: doc.values ?? {} } : null;
}

/** The target column's hidden labels of a pool (candidates without one are left out). */
export async function loadLabTruth(db: Db, poolId: string): Promise<Map<string, number>> {
  const docs = await db.collection<LabTruthDoc>('lab_truth').find({ pool_id: poolId }).toArray();
  return new Map(docs.flatMap((d) => (d.value === null ? [] : [[d.candidate_id, d.value] as const])));
}
