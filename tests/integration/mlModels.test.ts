import { MockActivityEnvironment } from '@temporalio/testing';
import * as path from 'node:path';
import { GridFSBucket, type Db, type MongoClient } from 'mongodb';
import { createMaterialsActivities } from '../../activities/materials';
import {
  createSurrogateTrainingActivities,
  type PredictPoolResult,
  type TrainSurrogateResult,
} from '../../activities/ml';
import { crystalGraph } from '../../materials/crystalGraph';
import { readPymatgenJson } from '../../materials/pymatgenJson';
import { useBackend } from '../../ml/backends/select';
import { CgcnnDeepEnsemble } from '../../ml/ensemble/deepEnsemble';
import type { TrainingCheckpoint } from '../../ml/training/checkpoint';
import { connectMongo } from '../../store/db';
import { recordMeasurement, requestExperiment } from '../../store/experiments';
import { modelPredictions, MongoCheckpointSink, MongoModelRegistry } from '../../store/models';
import { getStructure } from '../../store/structures';
import { SHARED_DATASETS } from '../helpers/python';
import { requireServers, uniqueName } from '../helpers/integration';

jest.setTimeout(300_000);

const { mongoUri } = requireServers();
let client: MongoClient;
let db: Db;
let client2: MongoClient;
let db2: Db;
beforeAll(async () => {
  await useBackend('wasm');
  ({ client, db } = await connectMongo(mongoUri, uniqueName('crucible_test_ml')));
  ({ client: client2, db: db2 } = await connectMongo(mongoUri, uniqueName('crucible_test_ml_ref')));
});
afterAll(async () => {
  await db.dropDatabase();
  await db2.dropDatabase();
  await client.close();
  await client2.close();
});

function checkpoint(runKey: string, epoch: number): TrainingCheckpoint {
  const values = (n: number, k: number) =>
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k) / 3);
  return {
    runKey,
    epoch,
    weights: {
      'a.kernel': { shape: [3, 4], values: values(12, epoch) },
      'a.bias': { shape: [4], values: values(4, 1) },
    },
    optimizer: {
      'adam.step': { shape: [1], values: Float32Array.of(epoch) },
      'adam.m': { shape: [16], values: values(16, 2) },
    },
    bestWeights: { 'a.kernel': { shape: [3, 4], values: values(12, 0) } },
    bestEpoch: 1,
    bestValidationLoss: epoch === 1 ? Infinity : 0.25,
    normalizer: { mean: -3.5, std: 1.25 },
    history: [{ epoch: 1, trainLoss: 1.5, validationLoss: NaN, validationError: NaN, seconds: 0.1 }],
    stopped: false,
  };
}

describe('MongoCheckpointSink (GridFS)', () => {
  it('stores and loads a checkpoint exactly, NaN and Infinity included', async () => {
    const sink = new MongoCheckpointSink(db);
    expect(await sink.load('run-a')).toBeNull();
    const saved = checkpoint('run-a', 1);
    await sink.save(saved);
    expect(await sink.load('run-a')).toEqual(saved);
  });

  it('keeps only the newest epoch per run, and a stale attempt cannot move it back', async () => {
    const sink = new MongoCheckpointSink(db);
    const files = db.collection('ml_checkpoints.files');
    for (const epoch of [1, 2, 3]) await sink.save(checkpoint('run-b', epoch));
    expect(await files.countDocuments({ filename: 'run-b' })).toBe(1);
    await sink.save(checkpoint('run-b', 2)); // a zombie attempt one epoch behind
    const loaded = await sink.load('run-b');
    expect(loaded?.epoch).toBe(3);
    expect(loaded?.weights['a.kernel'].values).toEqual(checkpoint('run-b', 3).weights['a.kernel'].values);
    expect(await files.countDocuments({ filename: 'run-b' })).toBe(1);
    await sink.delete('run-b');
    expect(await sink.load('run-b')).toBeNull();
    expect(await files.countDocuments({ filename: 'run-b' })).toBe(0);
  });
});

describe('MongoModelRegistry', () => {
  it('versions per name, is idempotent per training data (also concurrently), and stores >16 MB models', async () => {
    const registry = new MongoModelRegistry(db);
    await MongoModelRegistry.ensureIndexes(db);
    const entry = { name: 'm', kind: 'k', dataKey: 'd1', metrics: { mae: 0.5 }, tags: { campaign_id: 'c' } };
    const first = await registry.register({ ...entry, model: { w: [1, 2, 3] } });
    expect(first.id).toBe('m@1');
    expect((await registry.register({ ...entry, model: { w: [9] } })).id).toBe('m@1');
    const racing = await Promise.all(
      [0, 1, 2, 3].map((i) => registry.register({ ...entry, dataKey: 'd2', model: { w: [i] } })),
    );
    expect(new Set(racing.map((r) => r.id))).toEqual(new Set([racing[0].id]));
    const big = 'x'.repeat(20 * 1024 * 1024); // over MongoDB's 16 MB document limit
    const third = await registry.register({ ...entry, dataKey: 'd3', model: { big } });
    expect((await registry.list('m')).map((r) => r.dataKey)).toEqual(['d1', 'd2', 'd3']);
    expect((await registry.latest('m'))?.id).toBe(third.id);
    const loaded = await registry.get('m@1');
    expect(loaded).toMatchObject({
      id: 'm@1',
      version: 1,
      metrics: { mae: 0.5 },
      tags: { campaign_id: 'c' },
    });
    expect(loaded?.model).toEqual({ w: [1, 2, 3] });
    expect(((await registry.get(third.id))?.model as { big: string }).big.length).toBe(big.length);
    expect(await registry.find('m', 'k', 'd2')).toMatchObject({ id: racing[0].id });
    expect(await registry.get('m@99')).toBeNull();
    // The losers of the race left no weights behind.
    const bucketFiles = await new GridFSBucket(db, { bucketName: 'models' }).find({}).toArray();
    expect(bucketFiles).toHaveLength(3);
  });
});

/** The 10 CGCNN sample CIFs as a pool with structures, and one campaign's measurements of them. */
async function seedCampaign(target: Db, campaignId: string): Promise<string[]> {
  await new MockActivityEnvironment().run(createMaterialsActivities({ db: target }).importStructures, {
    pool_id: 'sample',
    source: path.join(SHARED_DATASETS, 'cgcnn-sample'),
  });
  const ids = ['1000041', '1000050', '1101051', '1507756', '7206075', '9000046', '9009743', '9011050'];
  for (const [i, id] of ids.entries()) {
    const experiment = await requestExperiment(target, {
      experiment_id: `${campaignId}-${id}`,
      campaign_id: campaignId,
      pool_id: 'sample',
      candidate_id: id,
      iteration: 0,
      property: 'log10_sigma',
      lab: { kind: 'remote', lab_id: 'robot-1' },
    });
    await recordMeasurement(target, experiment, {
      experiment_id: experiment.experiment_id,
      candidate_id: id,
      property: 'log10_sigma',
      status: 'succeeded',
      value: -2 - 0.3 * i,
      lab_id: 'robot-1',
      measured_at: '2026-11-27T10:00:00Z',
    });
  }
  return ids;
}

describe('trainSurrogate activity', () => {
  const input = {
    campaign_id: 'camp-ml',
    pool_id: 'sample',
    members: 2,
    training: { epochs: 4, batchSize: 4, patience: 10, learningRate: 0.01, seed: 3 },
    config: { atomFeatureLength: 16, hiddenLength: 16, convLayers: 2 },
  };

  it('resumes from the stored checkpoints after an attempt dies mid-training, with the uninterrupted result; predictPool writes its predictions', async () => {
    const ids = await seedCampaign(db, 'camp-ml');
    await seedCampaign(db2, 'camp-ml');

    // Attempt 1 dies right after member 0 checkpointed epoch 2 (its heartbeat throws, so no
    // code of the activity runs after that point, as when the worker process is killed).
    const dying = new MockActivityEnvironment();
    const beats: { stage: string; member?: number; epoch?: number }[] = [];
    dying.on('heartbeat', (d: { stage: string; member?: number; epoch?: number }) => {
      beats.push(d);
      if (d.stage === 'train' && d.member === 0 && d.epoch === 2) throw new Error('worker killed');
    });
    await expect(dying.run(createSurrogateTrainingActivities({ db }).trainSurrogate, input)).rejects.toThrow(
      'worker killed',
    );
    expect(beats.filter((b) => b.stage === 'train').map((b) => b.epoch)).toEqual([1, 2]);
    const heads = db.collection<{ _id: string; epoch: number }>('ml_checkpoint_heads');
    expect(await heads.find({ _id: { $regex: '^cgcnn-' } }).toArray()).toEqual([
      expect.objectContaining({ epoch: 2 }),
    ]);

    // Attempt 2, a fresh activity instance (a new worker): member 0 resumes at epoch 2.
    const retry = new MockActivityEnvironment();
    const retryBeats: { stage: string; member?: number; epoch?: number }[] = [];
    retry.on('heartbeat', (d: { stage: string; member?: number; epoch?: number }) => retryBeats.push(d));
    const resumed: TrainSurrogateResult = await retry.run(
      createSurrogateTrainingActivities({ db }).trainSurrogate,
      input,
    );
    expect(resumed).toMatchObject({ model_id: 'camp-ml/cgcnn@1', reused: false, train_size: 8, skipped: [] });
    expect(resumed.resumed_from_epochs).toEqual([2, 0]);
    expect(retryBeats.filter((b) => b.stage === 'train').map((b) => [b.member, b.epoch])).toEqual([
      [0, 3],
      [0, 4],
      [1, 1],
      [1, 2],
      [1, 3],
      [1, 4],
    ]);

    // The same training without the interruption, in another database, gives the same model.
    const reference: TrainSurrogateResult = await new MockActivityEnvironment().run(
      createSurrogateTrainingActivities({ db: db2 }).trainSurrogate,
      input,
    );
    expect(reference.resumed_from_epochs).toEqual([0, 0]);
    const a = await new MongoModelRegistry(db).get(resumed.model_id);
    const b = await new MongoModelRegistry(db2).get(reference.model_id);
    // Identical weights and normalizers (the stored histories differ only in their timings).
    const members = (json: unknown) =>
      CgcnnDeepEnsemble.fromJSON(json).members.map((m) => [m.weights, m.normalizer, m.bestEpoch]);
    expect(members(a?.model)).toEqual(members(b?.model));
    expect(a?.tags).toMatchObject({ campaign_id: 'camp-ml', pool_id: 'sample', backend: 'wasm' });
    expect(a?.metrics.train_size).toBe(8);

    // A retry after the model was registered returns it without training.
    const again: TrainSurrogateResult = await new MockActivityEnvironment().run(
      createSurrogateTrainingActivities({ db }).trainSurrogate,
      input,
    );
    expect(again).toMatchObject({ model_id: resumed.model_id, reused: true });
    expect(await db.collection('models').countDocuments({ name: 'camp-ml/cgcnn' })).toBe(1);

    // Loaded by id, the model predicts; the stored structures give finite means and spreads.
    const ensemble = CgcnnDeepEnsemble.fromJSON(a?.model);
    const graphs = [];
    for (const id of ids) {
      const doc = await getStructure(db, 'sample', id);
      graphs.push(crystalGraph(readPymatgenJson(doc?.structure_json), ensemble.options.config.graph));
    }
    const prediction = await ensemble.predict(graphs);
    expect(prediction.mean.every(Number.isFinite)).toBe(true);
    expect(prediction.std.some((s) => s > 0)).toBe(true);

    // predictPool: every structure of the pool (10, measured or not), in batches, with the model id.
    const { predictPool } = createSurrogateTrainingActivities({ db });
    const poolBeats: unknown[] = [];
    const poolEnv = new MockActivityEnvironment();
    poolEnv.on('heartbeat', (d) => poolBeats.push(d));
    const pooled: PredictPoolResult = await poolEnv.run(predictPool, {
      model_id: resumed.model_id,
      pool_id: 'sample',
      batch_size: 4,
    });
    expect(pooled).toMatchObject({ predicted: 10, skipped: [], resumed_after: null });
    expect(poolBeats).toHaveLength(3);
    const stored = await modelPredictions(db, resumed.model_id);
    expect(stored).toHaveLength(10);
    ids.forEach((id, k) => {
      const p = stored.find((s) => s.candidate_id === id);
      expect(p?.mean).toBeCloseTo(prediction.mean[k], 4);
      expect(p?.std).toBeCloseTo(prediction.std[k], 4);
    });
    // A retried attempt continues after the candidate its predecessor last heartbeated.
    const sortedIds = stored.map((s) => s.candidate_id).sort();
    const retried: PredictPoolResult = await new MockActivityEnvironment({
      heartbeatDetails: { last_candidate_id: sortedIds[5] },
    }).run(predictPool, { model_id: resumed.model_id, pool_id: 'sample', batch_size: 4 });
    expect(retried).toMatchObject({ predicted: 4, resumed_after: sortedIds[5] });
    expect(await modelPredictions(db, resumed.model_id)).toEqual(stored);
    await expect(
      new MockActivityEnvironment().run(predictPool, { model_id: 'nope@1', pool_id: 'sample' }),
    ).rejects.toMatchObject({ nonRetryable: true, type: 'ModelNotFound' });
  });

  it('refuses, without retries, a campaign with fewer than two measured structures', async () => {
    await expect(
      new MockActivityEnvironment().run(createSurrogateTrainingActivities({ db }).trainSurrogate, {
        ...input,
        campaign_id: 'no-such-campaign',
      }),
    ).rejects.toMatchObject({ nonRetryable: true, type: 'NotEnoughTrainingData' });
  });
});
