import type { MongoClient, Db } from 'mongodb';
import { connectMongo } from '../../store/db';
import { saveBatchOnce } from '../../store/batches';
import {
  expireExperiment,
  getExperiment,
  getMeasurement,
  pendingExperiments,
  partialResults,
  recordMeasurement,
  recordPartialResult,
  requestExperiment,
} from '../../store/experiments';
import { getLabTruth, getPool, loadPoolMatrix, savePool } from '../../store/pools';
import type { ExperimentRequest } from '../../schemas';
import { requireServers, uniqueName } from '../helpers/integration';

// The data layer against whatever MONGODB_URI names (FerretDB in CI, MongoDB for users).
const { mongoUri } = requireServers();
let client: MongoClient;
let db: Db;
beforeAll(async () => ({ client, db } = await connectMongo(mongoUri, uniqueName('crucible_test_store'))));
afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

const request: ExperimentRequest = {
  experiment_id: 'c1-i1-x',
  campaign_id: 'c1',
  pool_id: 'p',
  candidate_id: 'x',
  iteration: 1,
  property: 'y',
  lab: { kind: 'simulated', delay_ms: 0, noise_std: 0, failure_rate: 0, seed: 0 },
};

describe('store', () => {
  it('imports a pool idempotently and returns rows ordered by id', async () => {
    const pool = {
      featureNames: ['a', 'b'],
      rows: Array.from({ length: 1203 }, (_, i) => ({
        candidateId: `k${1202 - i}`,
        features: [i, -i],
        label: i / 2,
      })),
    };
    const progress: number[] = [];
    await savePool(db, 'pool1', { kind: 'test' }, pool, (w) => progress.push(w));
    await savePool(db, 'pool1', { kind: 'test' }, pool);
    expect(progress).toEqual([500, 1000, 1203]);
    expect(await db.collection('candidates').countDocuments({ pool_id: 'pool1' })).toBe(1203);
    expect((await getPool(db, 'pool1'))?.complete).toBe(true);
    const m = await loadPoolMatrix(db, 'pool1');
    expect(m.candidateIds.slice(0, 3)).toEqual(['k0', 'k1', 'k10']);
    expect(m.features[0]).toEqual([1202, -1202]);
    expect(await getLabTruth(db, 'pool1', 'k0')).toBe(601);
  });

  it('lets two campaigns import the same new pool at the same moment', async () => {
    const pool = {
      featureNames: ['a'],
      rows: Array.from({ length: 700 }, (_, i) => ({ candidateId: `c${i}`, features: [i], label: i })),
    };
    await Promise.all([
      savePool(db, 'pool2', {}, pool),
      savePool(db, 'pool2', {}, pool),
      savePool(db, 'pool2', {}, pool),
    ]);
    expect(await db.collection('candidates').countDocuments({ pool_id: 'pool2' })).toBe(700);
    expect(await db.collection('lab_truth').countDocuments({ pool_id: 'pool2' })).toBe(700);
  });

  it('writes an experiment request once however often dispatch is retried', async () => {
    await requestExperiment(db, request);
    const again = await requestExperiment(db, request);
    expect(again.dispatch_calls).toBe(2);
    expect(again.status).toBe('requested');
    expect(await db.collection('experiments').countDocuments({ _id: request.experiment_id as never })).toBe(
      1,
    );
  });

  it('records a measurement exactly once; the first value wins', async () => {
    const result = {
      experiment_id: request.experiment_id,
      candidate_id: 'x',
      property: 'y',
      status: 'succeeded' as const,
      value: 2.5,
      lab_id: 'lab',
      measured_at: '2026-11-27T10:00:00Z',
    };
    const experiment = await requestExperiment(db, request);
    expect((await recordMeasurement(db, experiment, result)).duplicate).toBe(false);
    const dup = await recordMeasurement(db, experiment, { ...result, value: 7 });
    expect(dup.duplicate).toBe(true);
    expect(dup.measurement.value).toBe(2.5);
    expect(await db.collection('measurements').countDocuments({ campaign_id: 'c1' })).toBe(1);
    expect(
      (await db.collection('experiments').findOne({ _id: request.experiment_id as never }))?.status,
    ).toBe('measured');
  });

  it('times an experiment out once, and flags a result that comes afterwards as late', async () => {
    const req = { ...request, experiment_id: 'c1-i1-late', candidate_id: 'late' };
    await requestExperiment(db, req);
    const expired = await expireExperiment(db, req.experiment_id);
    expect(expired).toEqual({
      experiment_id: req.experiment_id,
      candidate_id: 'late',
      status: 'timed_out',
      value: null,
    });
    // The API read the experiment before the timeout (status "requested"): the write still ends up late.
    const staleView = { ...(await requestExperiment(db, req)), status: 'requested' as const };
    const result = {
      experiment_id: req.experiment_id,
      candidate_id: 'late',
      property: 'y',
      status: 'succeeded' as const,
      value: 1,
      lab_id: 'lab',
      measured_at: '2026-11-27T10:00:00Z',
    };
    const recorded = await recordMeasurement(db, staleView, result);
    expect(recorded).toMatchObject({ duplicate: false, late: true });
    expect((await getMeasurement(db, req.experiment_id))?.late).toBe(true);
    // Expiring again (a retried activity) keeps the timeout: the campaign has moved on.
    expect((await expireExperiment(db, req.experiment_id)).status).toBe('timed_out');
  });

  it('lets a retried result finish what a failed write left: status and lab queue', async () => {
    const req = { ...request, experiment_id: 'c1-i1-heal', candidate_id: 'heal' };
    const experiment = await requestExperiment(db, req);
    // As if the first post stored the measurement, then died (or hit a busy database).
    await db.collection('measurements').insertOne({
      _id: req.experiment_id as never,
      experiment_id: req.experiment_id,
      campaign_id: 'c1',
      candidate_id: 'heal',
      iteration: 1,
      property: 'y',
      status: 'succeeded',
      value: 4,
      uncertainty: null,
      lab_id: 'lab',
      measured_at: '2026-11-27T10:00:00Z',
      recorded_at: '2026-11-27T10:00:01Z',
      late: false,
    });
    expect((await pendingExperiments(db, experiment.lab_id)).map((e) => e._id)).toContain(req.experiment_id);
    const retry = await recordMeasurement(db, experiment, {
      experiment_id: req.experiment_id,
      candidate_id: 'heal',
      property: 'y',
      status: 'succeeded',
      value: 4,
      lab_id: 'lab',
      measured_at: '2026-11-27T10:00:00Z',
    });
    expect(retry).toMatchObject({ duplicate: true, late: false, measurement: { value: 4 } });
    expect((await getExperiment(db, req.experiment_id))?.status).toBe('measured');
    expect((await pendingExperiments(db, experiment.lab_id)).map((e) => e._id)).not.toContain(
      req.experiment_id,
    );
  });

  it('lets a result stored just before the timeout win over it', async () => {
    const req = { ...request, experiment_id: 'c1-i1-race', candidate_id: 'race' };
    const experiment = await requestExperiment(db, req);
    const result = {
      experiment_id: req.experiment_id,
      candidate_id: 'race',
      property: 'y',
      status: 'succeeded' as const,
      value: 3,
      lab_id: 'lab',
      measured_at: '2026-11-27T10:00:00Z',
    };
    await recordMeasurement(db, experiment, result);
    expect(await expireExperiment(db, req.experiment_id)).toMatchObject({ status: 'succeeded', value: 3 });
    expect((await db.collection('experiments').findOne({ _id: req.experiment_id as never }))?.status).toBe(
      'measured',
    );
  });

  it('records each partial reading once per idempotency key, leaving the experiment open', async () => {
    const req = { ...request, experiment_id: 'c1-i1-part', candidate_id: 'part' };
    const experiment = await requestExperiment(db, req);
    const reading = {
      experiment_id: req.experiment_id,
      candidate_id: 'part',
      property: 'y',
      status: 'succeeded' as const,
      value: 0.5,
      lab_id: 'lab',
      measured_at: '2026-11-27T10:00:00Z',
      partial: true,
      idempotency_key: 'replicate-1',
    };
    expect(await recordPartialResult(db, experiment, reading)).toEqual({ duplicate: false });
    expect(await recordPartialResult(db, experiment, { ...reading, value: 9 })).toEqual({ duplicate: true });
    expect(
      await recordPartialResult(db, experiment, { ...reading, idempotency_key: 'replicate-2', value: 0.7 }),
    ).toEqual({ duplicate: false });
    expect((await partialResults(db, req.experiment_id)).map((p) => p.value)).toEqual([0.5, 0.7]);
    const doc = await db.collection('experiments').findOne({ _id: req.experiment_id as never });
    expect(doc).toMatchObject({ status: 'requested', partial_results: 2 });
  });

  it('keeps the first batch proposed for an iteration', async () => {
    const base = {
      campaign_id: 'c1',
      iteration: 3,
      scores: [1],
      predicted_mean: [0],
      predicted_std: [1],
      method: 'gp+ei',
      train_size: 5,
      created_at: 'now',
    };
    await saveBatchOnce(db, { ...base, candidate_ids: ['a'] });
    const second = await saveBatchOnce(db, { ...base, candidate_ids: ['b'] });
    expect(second.candidate_ids).toEqual(['a']);
  });
});
