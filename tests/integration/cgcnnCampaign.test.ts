import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCampaignActivities } from '../../activities/campaign';
import type { LocalCrucible } from '../../cli/runtime';
import { expectedImprovement } from '../../optimize/acquisition';
import { parEgoWeights } from '../../optimize/campaignProposal';
import { normalCdf } from '../../optimize/normal';
import { createRng } from '../../optimize/rng';
import { CampaignSpec, parseOrThrow } from '../../schemas';
import { campaignBatches } from '../../store/batches';
import { campaignExperiments, campaignMeasurements } from '../../store/experiments';
import { MongoModelRegistry } from '../../store/models';
import { countStructures } from '../../store/structures';
import { campaignWorkflow } from '../../workflows/campaign';
import { TASK_QUEUES } from '../../workflows/definitions';
import { startTestCrucible, stopTestCrucible, uniqueName, workflowBundle } from '../helpers/integration';
import { SHARED_DATASETS } from '../helpers/python';
import { csvSpec } from '../helpers/specs';

const CIF_DIR = path.join(SHARED_DATASETS, 'cgcnn-sample');
const CIF_IDS = fs
  .readdirSync(CIF_DIR)
  .filter((f) => f.endsWith('.cif'))
  .map((f) => f.replace(/\.cif$/, ''));
/** Candidates of the table without a CIF: a CGCNN campaign must never propose them. */
const NO_CIF_IDS = Array.from({ length: 6 }, (_, i) => `nocif-${i}`);

/**
 * The 10 cgcnn-sample crystals plus 6 structure-less rows, two numeric features and a hidden y;
 * with `more`, also a hidden c = x1 + x2 (an outcome constraint) and z = x1 − x2 (an objective).
 */
function writePool(seed: number, more = false): string {
  const rng = createRng(seed);
  const lines = [
    more ? 'id,x1,x2,y,c,z' : 'id,x1,x2,y',
    ...[...CIF_IDS, ...NO_CIF_IDS].map((id) => {
      const [x1, x2, y] = [rng.next(), rng.next(), rng.next() * 4 - 6];
      return [id, x1, x2, y, ...(more ? [x1 + x2, x1 - x2] : [])].join(',');
    }),
  ];
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-cgcnn-')), 'pool.csv');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const poolFile = writePool(23);
/** Another table (another pool id): structures attached to poolFile's pool do not carry over. */
const bareFile = writePool(29);
let crucible: LocalCrucible;

beforeAll(async () => {
  crucible = await startTestCrucible('crucible_test_cgcnn_campaign');
});
afterAll(async () => {
  await stopTestCrucible(crucible);
});

const cgcnnSpec = (overrides: Record<string, unknown> = {}) =>
  csvSpec(poolFile, {
    source: { kind: 'csv', path: poolFile, id_column: 'id', target_column: 'y', cifs: CIF_DIR },
    // variance_head: the whole path (spec → trainSurrogate → registry → proposal) with the mixture std.
    surrogate: { kind: 'cgcnn', members: 2, epochs: 3, variance_head: true },
    acquisition: { kind: 'ei', batch_size: 2 },
    budget: { experiments: 9, iterations: 10 },
    seed_experiments: { count: 3, method: 'random' },
    ...overrides,
  });

/** A CSV source with CIFs whose further properties the simulated lab reads from hidden columns. */
const sourceWithHiddenColumns = (file: string, property_columns: Record<string, string>) => ({
  kind: 'csv',
  path: file,
  id_column: 'id',
  target_column: 'y',
  cifs: CIF_DIR,
  property_columns,
});

const start = (spec: unknown) =>
  crucible.client.workflow.start(campaignWorkflow, {
    workflowId: uniqueName('cgcnn'),
    taskQueue: TASK_QUEUES.orchestration,
    args: [{ spec: spec as never }],
  });

describe('a campaign with the CGCNN deep-ensemble surrogate (real Temporal and FerretDB)', () => {
  let campaignId: string;
  let poolId: string;

  it('imports the CIFs, trains and registers a model per iteration, proposes only candidates with structures', async () => {
    const handle = await start(cgcnnSpec());
    campaignId = handle.workflowId;
    const { status, pool_id } = await handle.result();
    poolId = pool_id;

    expect(status.state).toBe('completed');
    expect(status.stop_reason).toBe('experiment_budget');
    expect(status.budget.experiments_used).toBe(9);
    expect(await countStructures(crucible.db, pool_id)).toBe(CIF_IDS.length);

    const batches = await campaignBatches(crucible.db, campaignId);
    expect(batches.map((b) => b.iteration)).toEqual([0, 1, 2, 3]);
    const proposed = batches.flatMap((b) => b.candidate_ids);
    expect(proposed).toHaveLength(9);
    expect(new Set(proposed).size).toBe(9);
    for (const id of proposed) expect(CIF_IDS).toContain(id); // never one of NO_CIF_IDS

    // Iterations 1..3: scored by the ensemble trained on the measurements so far, one model each.
    const registry = new MongoModelRegistry(crucible.db);
    const models = await registry.list(`${campaignId}/cgcnn`);
    expect(models.map((m) => m.tags.iteration)).toEqual(['1', '2', '3']);
    expect(models.map((m) => m.kind)).toEqual([
      'cgcnn_deep_ensemble',
      'cgcnn_deep_ensemble',
      'cgcnn_deep_ensemble',
    ]);
    expect(models.map((m) => m.metrics.train_size)).toEqual([3, 5, 7]);
    expect(models.every((m) => m.metrics.members === 2)).toBe(true);
    for (const m of models) {
      const stored = m.model as { options: { config: { varianceHead?: boolean } } };
      expect(stored.options.config.varianceHead).toBe(true);
    }
    const measurements = await campaignMeasurements(crucible.db, campaignId);
    const valueOf = new Map(measurements.map((m) => [m.candidate_id, m.value as number]));
    let shrunk = 0;
    for (const [k, b] of batches.slice(1).entries()) {
      // Kriging believer on the ensemble's joint belief (y maximized): the first pick scores the
      // plain EI of its stored prediction against the best measurement the ensemble trained on;
      // the second, scored after the first was fantasized, at most that (σ only shrinks).
      expect(b.method).toBe('cgcnn+ei+believer');
      const incumbent = Math.max(
        ...batches
          .slice(0, k + 1)
          .flatMap((earlier) => earlier.candidate_ids.map((id) => valueOf.get(id) as number)),
      );
      const plainEi = b.candidate_ids.map((_, i) =>
        expectedImprovement(b.predicted_mean[i] as number, b.predicted_std[i] as number, incumbent),
      );
      expect(b.scores[0]).toBeCloseTo(plainEi[0], 10);
      expect(b.scores[1] as number).toBeLessThanOrEqual(plainEi[1] + 1e-12);
      if ((b.scores[1] as number) < plainEi[1] - 1e-9) shrunk += 1;
      expect(b.model_id).toBe(models[k].id);
      expect(b.train_size).toBe(3 + 2 * k);
      // Two members disagree somewhere: the std the acquisition used is a real spread.
      expect(b.predicted_std.every((s) => typeof s === 'number' && s >= 0)).toBe(true);
      expect(b.predicted_mean.every((m) => typeof m === 'number' && Number.isFinite(m))).toBe(true);
      expect(b.scores.every((s) => typeof s === 'number' && Number.isFinite(s))).toBe(true);
    }
    expect(batches.slice(1).some((b) => b.predicted_std.some((s) => (s as number) > 0))).toBe(true);
    expect(shrunk).toBeGreaterThan(0);

    // Every proposed candidate is measured exactly once.
    expect(measurements.map((m) => m.candidate_id).sort()).toEqual([...proposed].sort());
    const experiments = await campaignExperiments(crucible.db, campaignId);
    expect(experiments).toHaveLength(9);
    expect(experiments.every((e) => e.status === 'measured')).toBe(true);
  });

  it('re-imports the same pool and structures idempotently', async () => {
    const spec = parseOrThrow(CampaignSpec, cgcnnSpec(), 'campaign spec');
    const again = await new MockActivityEnvironment().run(
      createCampaignActivities({ db: crucible.db }).importPool,
      {
        campaign_id: campaignId,
        spec,
      },
    );
    expect(again).toEqual({
      pool_id: poolId,
      size: CIF_IDS.length + NO_CIF_IDS.length,
      structures: CIF_IDS.length,
    });
    expect(await countStructures(crucible.db, poolId)).toBe(CIF_IDS.length);
  });

  it('replays its history without non-determinism errors', async () => {
    const bundle = await workflowBundle();
    const history = await crucible.client.workflow.getHandle(campaignId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { code: bundle.code } }, history, campaignId);
  });

  it('weights the ensemble by the probability of feasibility of a feature-GP constraint model', async () => {
    const handle = await start(
      cgcnnSpec({
        source: sourceWithHiddenColumns(writePool(31, true), { c: 'c' }),
        // A smaller network than the paper's, as a chemist can pick one.
        surrogate: {
          kind: 'cgcnn',
          members: 2,
          epochs: 3,
          architecture: { atom_features: 32, hidden: 64, convolutions: 2 },
        },
        constraints: [{ kind: 'outcome', property: 'c', max: 1 }],
        budget: { experiments: 7, iterations: 10 },
      }),
    );
    const { status } = await handle.result();
    expect(status.stop_reason).toBe('experiment_budget');
    const batches = await campaignBatches(crucible.db, handle.workflowId);
    expect(batches.map((b) => b.iteration)).toEqual([0, 1, 2]);
    const models = await new MongoModelRegistry(crucible.db).list(`${handle.workflowId}/cgcnn`);
    for (const m of models) {
      const { config } = (m.model as { options: { config: Record<string, unknown> } }).options;
      expect(config).toMatchObject({
        atomFeatureLength: 32,
        hiddenLength: 64,
        convLayers: 2,
        hiddenLayers: 1,
      });
      expect(config.varianceHead).toBeUndefined();
    }
    expect(models).toHaveLength(2);
    for (const b of batches.slice(1)) {
      expect(b.method).toBe('cgcnn+ei+pof+believer');
      expect(b.model_id).toBeDefined();
      const y = b.property_predictions?.y;
      const c = b.property_predictions?.c;
      // The objective's entry is the ensemble's own prediction; c's is the constraint GP's.
      expect(y).toEqual({ mean: b.predicted_mean, std: b.predicted_std });
      expect(b.feasibility).toHaveLength(b.candidate_ids.length);
      b.candidate_ids.forEach((_, i) => {
        const [mu, sd] = [c?.mean[i] as number, c?.std[i] as number];
        expect(sd).toBeGreaterThan(0);
        // One constraint c ≤ 1: the stored PoF is Φ((1 − μ)/σ) of the stored c prediction.
        expect(b.feasibility?.[i]).toBeCloseTo(normalCdf((1 - mu) / sd), 10);
      });
    }
    const measurements = await campaignMeasurements(crucible.db, handle.workflowId);
    expect(measurements).toHaveLength(7);
    expect(measurements.every((m) => typeof m.values?.c === 'number')).toBe(true);
  });

  it('runs ParEGO over one ensemble per objective, with a constraint, storing each model and prediction', async () => {
    const handle = await start(
      cgcnnSpec({
        source: sourceWithHiddenColumns(writePool(37, true), { c: 'c', z: 'z' }),
        multi_objective: {
          method: 'parego',
          additional_objectives: [{ property: 'z', direction: 'minimize' }],
        },
        constraints: [{ kind: 'outcome', property: 'c', max: 1 }],
        budget: { experiments: 7, iterations: 10 },
        random_seed: 3,
      }),
    );
    const { status } = await handle.result();
    expect(status.stop_reason).toBe('experiment_budget');
    const id = handle.workflowId;
    const registry = new MongoModelRegistry(crucible.db);
    // One ensemble per objective and iteration, each trained on its own property's measurements.
    const yModels = await registry.list(`${id}/cgcnn`);
    const zModels = await registry.list(`${id}/cgcnn/z`);
    expect(yModels.map((m) => [m.tags.iteration, m.metrics.train_size])).toEqual([
      ['1', 3],
      ['2', 5],
    ]);
    expect(zModels.map((m) => [m.tags.iteration, m.metrics.train_size])).toEqual([
      ['1', 3],
      ['2', 5],
    ]);
    const batches = await campaignBatches(crucible.db, id);
    const measurements = await campaignMeasurements(crucible.db, id);
    const cOf = new Map(measurements.map((m) => [m.candidate_id, m.values?.c as number]));
    for (const [k, b] of batches.slice(1).entries()) {
      // The believer needs an incumbent: until a measurement is feasible, PoF alone ranks.
      const feasible = batches
        .slice(0, k + 1)
        .some((earlier) => earlier.candidate_ids.some((cid) => (cOf.get(cid) as number) <= 1));
      expect(b.method).toBe(`parego+cgcnn+ei+pof${feasible ? '+believer' : ''}`);
      expect(b.model_ids).toEqual({ y: yModels[k].id, z: zModels[k].id });
      expect(b.parego_weights).toEqual(parEgoWeights(2, (3 + b.iteration * 7919) >>> 0));
      const p = b.property_predictions ?? {};
      expect(Object.keys(p).sort()).toEqual(['c', 'y', 'z']);
      expect(p.y).toEqual({ mean: b.predicted_mean, std: b.predicted_std });
      for (const v of [...p.z.mean, ...p.z.std]) expect(Number.isFinite(v)).toBe(true);
      b.candidate_ids.forEach((_, i) => {
        const [mu, sd] = [p.c.mean[i] as number, p.c.std[i] as number];
        expect(b.feasibility?.[i]).toBeCloseTo(normalCdf((1 - mu) / sd), 10);
      });
    }
    expect(batches.slice(1).some((b) => b.method.endsWith('+believer'))).toBe(true);
    expect(measurements).toHaveLength(7);
    expect(
      measurements.every((m) => typeof m.values?.z === 'number' && typeof m.values?.c === 'number'),
    ).toBe(true);
    // The per-objective training calls replay deterministically.
    const bundle = await workflowBundle();
    await Worker.runReplayHistory({ workflowBundle: { code: bundle.code } }, await handle.fetchHistory(), id);
  });

  it('refuses a cgcnn campaign whose pool has no structures, naming source.cifs', async () => {
    const handle = await start(
      cgcnnSpec({ source: { kind: 'csv', path: bareFile, id_column: 'id', target_column: 'y' } }),
    );
    const failure = await handle.result().then(
      () => null,
      (err: Error) => err,
    );
    let message = '';
    for (let e = failure as (Error & { cause?: unknown }) | null; e; e = e.cause as typeof e) {
      message += ` ${e.message}`;
    }
    expect(message).toMatch(
      /source\.cifs: the cgcnn surrogate needs crystal structures for at least 5 candidates/,
    );
    const history = await handle.fetchHistory();
    // Non-retryable: one attempt, then the campaign failed.
    const scheduled = history.events?.filter((e) => e.activityTaskScheduledEventAttributes) ?? [];
    const starts = history.events?.filter((e) => e.activityTaskStartedEventAttributes) ?? [];
    expect(scheduled.length).toBeGreaterThan(0);
    expect(starts.every((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) === 1)).toBe(true);
  });
});
