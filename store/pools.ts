import type { Db } from 'mongodb';
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
  value: number;
}

const candidateKey = (poolId: string, candidateId: string) => `${poolId}/${candidateId}`;

export async function getPool(db: Db, poolId: string): Promise<PoolDoc | null> {
  return db.collection<PoolDoc>('pools').findOne({ _id: poolId });
}

/**
 * Writes a pool: first clears whatever a crashed earlier import left under this pool id, then
 * inserts candidates (and hidden labels) in chunks, and writes the pool document with
 * complete=true last, so a half-imported pool is never taken as complete. Plain inserts, not
 * per-document upserts: FerretDB's SQLite backend takes ~10 ms per upsert but bulk-inserts fast.
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
  const total = pool.rows.length;
  const candidates = db.collection<CandidateDoc>('candidates');
  const truth = db.collection<LabTruthDoc>('lab_truth');
  await db.collection<PoolDoc>('pools').deleteOne({ _id: poolId });
  await candidates.deleteMany({ pool_id: poolId });
  await truth.deleteMany({ pool_id: poolId });
  for (let start = 0; start < total; start += chunk) {
    const rows = pool.rows.slice(start, start + chunk);
    await candidates.insertMany(
      rows.map((r) => ({
        _id: candidateKey(poolId, r.candidateId),
        pool_id: poolId,
        candidate_id: r.candidateId,
        formula: r.formula ?? null,
        features: r.features,
      })),
      { ordered: false },
    );
    if (labelled) {
      await truth.insertMany(
        rows.map((r) => ({
          _id: candidateKey(poolId, r.candidateId),
          pool_id: poolId,
          candidate_id: r.candidateId,
          value: r.label as number,
        })),
        { ordered: false },
      );
    }
    onProgress(Math.min(start + chunk, total), total);
  }
  await db.collection<PoolDoc>('pools').insertOne({
    _id: poolId,
    source,
    feature_names: pool.featureNames,
    size: total,
    labelled,
    complete: true,
    imported_at: new Date().toISOString(),
  });
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
  const doc = await db
    .collection<LabTruthDoc>('lab_truth')
    .findOne({ _id: candidateKey(poolId, candidateId) });
  return doc ? doc.value : null;
}

export async function loadLabTruth(db: Db, poolId: string): Promise<Map<string, number>> {
  const docs = await db.collection<LabTruthDoc>('lab_truth').find({ pool_id: poolId }).toArray();
  return new Map(docs.map((d) => [d.candidate_id, d.value]));
}
