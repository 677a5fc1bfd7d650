/**
 * The ML engine's persistence in MongoDB (FerretDB v1 included): training checkpoints and the
 * model registry. Weights live in GridFS (documents are limited to 16 MB and FerretDB v1 refuses
 * nested arrays); the documents hold small metadata and point at their file.
 *
 * - MongoCheckpointSink: ml/'s CheckpointSink. The latest checkpoint per run key is one GridFS
 *   file in bucket `ml_checkpoints` (a JSON header + the float32 tensors) and one head document
 *   in `ml_checkpoint_heads` pointing at it. A save writes the new file first, then moves the
 *   head (one single-document write), then deletes the old file: a crash at any point leaves
 *   either the old or the new checkpoint readable, never a torn one. A head never moves back to
 *   an older epoch, so a stale attempt of a retried activity cannot overwrite a newer one.
 * - MongoModelRegistry: ml/'s ModelRegistry. Records in `models` (_id `name@version`), the
 *   surrogate's JSON in GridFS bucket `models`. Registering is idempotent per (name, kind,
 *   dataKey), also across crashes and concurrent retries: a claim document (unique _id) fixes
 *   the version before anything else is written.
 */
import { GridFSBucket, MongoServerError, type Db, type ObjectId } from 'mongodb';
import type { WeightMap } from '../ml/cgcnn/params';
import type { CheckpointSink, TrainingCheckpoint } from '../ml/training/checkpoint';
import type { ModelRecord, ModelRegistry, RegisterModel } from '../ml/registry/modelRegistry';

const DUPLICATE_KEY = 11000;
const isDuplicateKey = (err: unknown) => err instanceof MongoServerError && err.code === DUPLICATE_KEY;

async function upload(
  bucket: GridFSBucket,
  filename: string,
  data: Buffer,
  metadata: Record<string, unknown>,
): Promise<ObjectId> {
  const stream = bucket.openUploadStream(filename, { metadata });
  await new Promise<void>((resolve, reject) => {
    stream.once('finish', () => resolve());
    stream.once('error', reject);
    stream.end(data);
  });
  return stream.id;
}

async function download(bucket: GridFSBucket, id: ObjectId): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of bucket.openDownloadStream(id)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function deleteQuietly(bucket: GridFSBucket, id: ObjectId): Promise<void> {
  try {
    await bucket.delete(id);
  } catch {
    // Already gone (a concurrent save removed it): nothing to clean.
  }
}

/** JSON that keeps NaN and ±Infinity (validation loss without a split, best loss before any epoch). */
function stringifyNumbers(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v,
  );
}

function parseNumbers<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) =>
    v && typeof v === 'object' && '$number' in v ? Number((v as { $number: string }).$number) : v,
  ) as T;
}

const TENSOR_GROUPS = ['weights', 'optimizer', 'bestWeights'] as const;

interface TensorEntry {
  group: (typeof TENSOR_GROUPS)[number];
  name: string;
  shape: number[];
  /** Offset and length in float32 elements within the data block. */
  offset: number;
  length: number;
}

/** [u32 header bytes][header JSON][zero padding to 4 bytes][float32 tensors, little-endian]. */
export function encodeCheckpoint(checkpoint: TrainingCheckpoint): Buffer {
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const group of TENSOR_GROUPS) {
    for (const [name, { shape, values }] of Object.entries(checkpoint[group])) {
      tensors.push({ group, name, shape, offset, length: values.length });
      offset += values.length;
    }
  }
  const { weights: _w, optimizer: _o, bestWeights: _b, ...meta } = checkpoint;
  const header = Buffer.from(stringifyNumbers({ meta, tensors }), 'utf8');
  const start = 4 + header.length + ((4 - (header.length % 4)) % 4);
  const out = Buffer.alloc(start + offset * 4);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  const data = new Float32Array(out.buffer, out.byteOffset + start, offset);
  for (const t of tensors) data.set(checkpoint[t.group][t.name].values, t.offset);
  return out;
}

export function decodeCheckpoint(bytes: Buffer): TrainingCheckpoint {
  const headerLength = bytes.readUInt32LE(0);
  const { meta, tensors } = parseNumbers<{
    meta: Omit<TrainingCheckpoint, (typeof TENSOR_GROUPS)[number]>;
    tensors: TensorEntry[];
  }>(bytes.toString('utf8', 4, 4 + headerLength));
  const start = 4 + headerLength + ((4 - (headerLength % 4)) % 4);
  const total = (bytes.length - start) / 4;
  const data = new Float32Array(total);
  new Uint8Array(data.buffer).set(bytes.subarray(start));
  const groups: Record<(typeof TENSOR_GROUPS)[number], WeightMap> = {
    weights: {},
    optimizer: {},
    bestWeights: {},
  };
  for (const t of tensors) {
    groups[t.group][t.name] = { shape: t.shape, values: data.slice(t.offset, t.offset + t.length) };
  }
  return { ...meta, ...groups };
}

interface CheckpointHead {
  _id: string;
  file_id: ObjectId;
  epoch: number;
  bytes: number;
  saved_at: string;
}

export class MongoCheckpointSink implements CheckpointSink {
  private readonly bucket: GridFSBucket;
  saves = 0;

  constructor(private readonly db: Db) {
    this.bucket = new GridFSBucket(db, { bucketName: 'ml_checkpoints' });
  }

  private heads() {
    return this.db.collection<CheckpointHead>('ml_checkpoint_heads');
  }

  async load(runKey: string): Promise<TrainingCheckpoint | null> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const head = await this.heads().findOne({ _id: runKey });
      if (!head) return null;
      try {
        return decodeCheckpoint(await download(this.bucket, head.file_id));
      } catch (error) {
        // The head moved on and its old file was deleted between the two reads: read again.
        if (attempt === 2) throw error;
      }
    }
    return null;
  }

  async save(checkpoint: TrainingCheckpoint): Promise<void> {
    const bytes = encodeCheckpoint(checkpoint);
    const fileId = await upload(this.bucket, checkpoint.runKey, bytes, {
      run_key: checkpoint.runKey,
      epoch: checkpoint.epoch,
    });
    let previous: CheckpointHead | null;
    try {
      previous = await this.heads().findOneAndUpdate(
        { _id: checkpoint.runKey, epoch: { $lte: checkpoint.epoch } },
        {
          $set: {
            file_id: fileId,
            epoch: checkpoint.epoch,
            bytes: bytes.length,
            saved_at: new Date().toISOString(),
          },
        },
        { upsert: true, returnDocument: 'before' },
      );
    } catch (error) {
      // The head is at a later epoch (a newer attempt of this run got there first): ours is stale.
      await deleteQuietly(this.bucket, fileId);
      if (isDuplicateKey(error)) return;
      throw error;
    }
    this.saves += 1;
    if (previous && !previous.file_id.equals(fileId)) await deleteQuietly(this.bucket, previous.file_id);
  }

  /** Removes a run's checkpoint (after its model is registered). */
  async delete(runKey: string): Promise<void> {
    const head = await this.heads().findOneAndDelete({ _id: runKey });
    if (head) await deleteQuietly(this.bucket, head.file_id);
  }
}

interface ModelDoc {
  _id: string;
  name: string;
  version: number;
  kind: string;
  data_key: string;
  claim: string;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  created_at: string;
  file_id: ObjectId;
  bytes: number;
}

interface ClaimDoc {
  _id: string;
  name: string;
  version: number;
}

const claimKey = (name: string, kind: string, dataKey: string) => `${name}|${kind}|${dataKey}`;

export class MongoModelRegistry implements ModelRegistry {
  private readonly bucket: GridFSBucket;

  constructor(private readonly db: Db) {
    this.bucket = new GridFSBucket(db, { bucketName: 'models' });
  }

  /** Idempotent: call once per process (the store's other indexes live in store/db.ts). */
  static async ensureIndexes(db: Db): Promise<void> {
    await db.collection('models').createIndex({ name: 1, version: 1 });
    await db.collection('models').createIndex({ claim: 1 });
    await db.collection('predictions').createIndex({ model_id: 1 });
  }

  private models() {
    return this.db.collection<ModelDoc>('models');
  }

  private async toRecord(doc: ModelDoc): Promise<ModelRecord> {
    const model: unknown = JSON.parse((await download(this.bucket, doc.file_id)).toString('utf8'));
    return {
      id: doc._id,
      name: doc.name,
      version: doc.version,
      kind: doc.kind,
      dataKey: doc.data_key,
      metrics: doc.metrics,
      tags: doc.tags,
      createdAt: doc.created_at,
      model,
    };
  }

  async register(entry: RegisterModel, now = new Date()): Promise<ModelRecord> {
    const claim = claimKey(entry.name, entry.kind, entry.dataKey);
    const existing = await this.models().findOne({ claim });
    if (existing) return this.toRecord(existing);
    // The claim fixes this (name, kind, data) to one version before the weights are written.
    const claims = this.db.collection<ClaimDoc>('model_claims');
    let claimed = await claims.findOne({ _id: claim });
    if (!claimed) {
      const counter = await this.db
        .collection<{ _id: string; next: number }>('model_versions')
        .findOneAndUpdate(
          { _id: entry.name },
          { $inc: { next: 1 } },
          { upsert: true, returnDocument: 'after' },
        );
      if (!counter) throw new Error(`model registry: version counter for ${entry.name} not returned`);
      try {
        await claims.insertOne({ _id: claim, name: entry.name, version: counter.next });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      claimed = await claims.findOne({ _id: claim });
      if (!claimed) throw new Error(`model registry: claim ${claim} vanished`);
    }
    const id = `${entry.name}@${claimed.version}`;
    const json = Buffer.from(JSON.stringify(entry.model), 'utf8');
    const fileId = await upload(this.bucket, id, json, { model_id: id, kind: entry.kind });
    const doc: ModelDoc = {
      _id: id,
      name: entry.name,
      version: claimed.version,
      kind: entry.kind,
      data_key: entry.dataKey,
      claim,
      metrics: { ...entry.metrics },
      tags: { ...entry.tags },
      created_at: now.toISOString(),
      file_id: fileId,
      bytes: json.length,
    };
    try {
      await this.models().insertOne(doc);
    } catch (error) {
      await deleteQuietly(this.bucket, fileId);
      if (!isDuplicateKey(error)) throw error;
      const winner = await this.models().findOne({ _id: id });
      if (!winner) throw new Error(`model registry: ${id} vanished`, { cause: error });
      return this.toRecord(winner);
    }
    return this.toRecord(doc);
  }

  async find(name: string, kind: string, dataKey: string): Promise<ModelRecord | null> {
    const doc = await this.models().findOne({ claim: claimKey(name, kind, dataKey) });
    return doc ? this.toRecord(doc) : null;
  }

  async get(id: string): Promise<ModelRecord | null> {
    const doc = await this.models().findOne({ _id: id });
    return doc ? this.toRecord(doc) : null;
  }

  async latest(name: string): Promise<ModelRecord | null> {
    const [doc] = await this.models().find({ name }).sort({ version: -1 }).limit(1).toArray();
    return doc ? this.toRecord(doc) : null;
  }

  async list(name: string): Promise<ModelRecord[]> {
    const docs = await this.models().find({ name }).sort({ version: 1 }).toArray();
    return Promise.all(docs.map((d) => this.toRecord(d)));
  }
}

/** One model's prediction for one candidate of a pool (`predictions`, _id `${model_id}/${candidate_id}`). */
export interface PredictionDoc {
  _id: string;
  model_id: string;
  pool_id: string;
  candidate_id: string;
  mean: number;
  std: number;
  created_at: string;
}

/** Idempotent: a prediction is written once per (model, candidate); rewrites keep the first. */
export async function savePredictions(db: Db, docs: Omit<PredictionDoc, '_id'>[]): Promise<void> {
  if (docs.length === 0) return;
  await db.collection<PredictionDoc>('predictions').bulkWrite(
    docs.map((d) => ({
      updateOne: {
        filter: { _id: `${d.model_id}/${d.candidate_id}` },
        update: { $setOnInsert: d },
        upsert: true,
      },
    })),
    { ordered: false },
  );
}

export async function modelPredictions(db: Db, modelId: string): Promise<PredictionDoc[]> {
  return db.collection<PredictionDoc>('predictions').find({ model_id: modelId }).sort({ _id: 1 }).toArray();
}

/**
 * Candidate ids with a stored structure in a pool, in id order after `after` (paging through a
 * large pool without holding its structures). Reads store/structures.ts's collection.
 */
export async function pooledStructureIds(
  db: Db,
  poolId: string,
  after = '',
  limit = 1000,
): Promise<string[]> {
  const docs = await db
    .collection<{ _id: string; pool_id: string; candidate_id: string }>('structures')
    .find({ pool_id: poolId, candidate_id: { $gt: after } })
    .project<{ candidate_id: string }>({ candidate_id: 1 })
    .sort({ candidate_id: 1 })
    .limit(limit)
    .toArray();
  return docs.map((d) => d.candidate_id);
}
