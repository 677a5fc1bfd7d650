import type { FastifyInstance } from 'fastify';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CampaignView } from '../../api/dashboard/data';
import { buildApi } from '../../api/server';
import type { LocalCrucible } from '../../cli/runtime';
import { Composition } from '../../materials/composition';
import { parEgoWeights } from '../../optimize/campaignProposal';
import { hypervolume } from '../../optimize/hypervolume';
import { nonDominatedIndices } from '../../optimize/pareto';
import { createRng } from '../../optimize/rng';
import type { CampaignSpecInput, CampaignStatus } from '../../schemas';
import { campaignBatches } from '../../store/batches';
import { campaignExperiments, campaignMeasurements, getMeasurement } from '../../store/experiments';
import { issueToken } from '../../store/tokens';
import { campaignWorkflow } from '../../workflows/campaign';
import { TASK_QUEUES, cancelSignal } from '../../workflows/definitions';
import { csvSpec } from '../helpers/specs';
import { startTestCrucible, stopTestCrucible, uniqueName, waitFor } from '../helpers/integration';

// Issue 5 end to end on real Temporal + FerretDB: a campaign with two objectives (ParEGO), an
// outcome constraint and an exclude_elements constraint, measured by the simulated lab from a
// synthetic CSV's hidden columns; and a remote lab whose incomplete result is refused over HTTP.

const FORMULAS = ['Li6PS5Cl', 'Li10GeP2S12', 'Li3PS4', 'Li7La3Zr2O12', 'Li2GeS3', 'Li3InCl6'];

/** y (maximize) peaks at x1 = 0.7, x2 = 0.2; z (minimize) at x1 = 0.3, x3 = 0.5; feasible c = x1 + x2 ≤ 1. */
function writePool(n: number, seed: number) {
  const rng = createRng(seed);
  const rows = new Map<string, { formula: string; y: number; z: number; c: number; w: number }>();
  const lines = ['id,formula,x1,x2,x3,y,z,c,w'];
  for (let i = 0; i < n; i++) {
    const [x1, x2, x3] = [rng.next(), rng.next(), rng.next()];
    const id = `m${String(i).padStart(3, '0')}`;
    const row = {
      formula: FORMULAS[i % FORMULAS.length],
      y: -10 * ((x1 - 0.7) ** 2 + (x2 - 0.2) ** 2),
      z: (x1 - 0.3) ** 2 + (x3 - 0.5) ** 2,
      c: x1 + x2,
      w: x3 - x2, // a third objective (maximize), for the three-objective campaign
    };
    rows.set(id, row);
    lines.push([id, row.formula, x1, x2, x3, row.y, row.z, row.c, row.w].join(','));
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-outcomes-')), 'pool.csv');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return { file, rows };
}

const pool = writePool(60, 5);
const hasGe = (id: string) => Composition.parse(pool.rows.get(id)?.formula as string).elements.includes('Ge');

const outcomeSpec = (overrides: Partial<CampaignSpecInput> = {}): CampaignSpecInput =>
  csvSpec(pool.file, {
    source: {
      kind: 'csv',
      path: pool.file,
      id_column: 'id',
      target_column: 'y',
      formula_column: 'formula',
      property_columns: { z: 'z', c: 'c' },
    },
    multi_objective: { method: 'parego', additional_objectives: [{ property: 'z', direction: 'minimize' }] },
    constraints: [
      { kind: 'exclude_elements', elements: ['Ge'] },
      { kind: 'outcome', property: 'c', max: 1 },
    ],
    acquisition: { kind: 'log_ei', batch_size: 3 },
    budget: { experiments: 15, iterations: 10 },
    seed_experiments: { count: 4, method: 'random' },
    random_seed: 17,
    ...overrides,
  });

let crucible: LocalCrucible;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  crucible = await startTestCrucible('crucible_test_outcomes');
  app = await buildApi({ client: crucible.client, db: crucible.db });
  tokens.chemist = (await issueToken(crucible.db, { role: 'chemist', name: 'chemist' })).token;
  tokens.robot = (await issueToken(crucible.db, { role: 'lab', name: 'robot', lab_id: 'robot-5' })).token;
});
afterAll(async () => {
  await app?.close();
  await stopTestCrucible(crucible);
});

const call = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  app.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${tokens[who]}` } });

describe('two objectives and constraints through the simulated lab', () => {
  let campaignId: string;

  it('runs to its budget, never proposing an excluded element, measuring every property', async () => {
    const spec = outcomeSpec();
    const handle = await crucible.client.workflow.start(campaignWorkflow, {
      workflowId: uniqueName('outcomes'),
      taskQueue: TASK_QUEUES.orchestration,
      args: [{ spec }],
    });
    campaignId = handle.workflowId;
    const { status } = await handle.result();
    expect(status.state).toBe('completed');
    expect(status.stop_reason).toBe('experiment_budget');

    const batches = await campaignBatches(crucible.db, campaignId);
    const proposed = batches.flatMap((b) => b.candidate_ids);
    expect(proposed).toHaveLength(15);
    // A third of the pool contains germanium: random seeds alone would very likely hit one.
    expect(proposed.filter(hasGe)).toEqual([]);
    for (const b of batches.slice(1)) {
      expect(b.method).toBe('parego+gp+log_ei+pof');
      // The iteration's weights come from random_seed and the iteration, as the activity derives them.
      expect(b.parego_weights).toEqual(parEgoWeights(2, (17 + b.iteration * 7919) >>> 0));
      expect(b.feasibility).toHaveLength(b.candidate_ids.length);
      expect(b.predicted_mean.every((v) => v === null)).toBe(true); // ParEGO scalar, not y
      // ...but every objective and the constraint get a prediction of their own per pick.
      const predicted = b.property_predictions ?? {};
      expect(Object.keys(predicted).sort()).toEqual(['c', 'y', 'z']);
      for (const p of Object.values(predicted)) {
        expect(p.mean).toHaveLength(b.candidate_ids.length);
        expect(p.mean.every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
        expect(p.std.every((v) => typeof v === 'number' && v > 0)).toBe(true);
      }
    }

    const experiments = await campaignExperiments(crucible.db, campaignId);
    expect(experiments.every((e) => JSON.stringify(e.properties) === '["y","z","c"]')).toBe(true);
    const measurements = await campaignMeasurements(crucible.db, campaignId);
    expect(measurements).toHaveLength(15);
    for (const m of measurements) {
      const truth = pool.rows.get(m.candidate_id);
      expect(m.status).toBe('succeeded');
      expect(m.value).toBeCloseTo(truth?.y as number, 12);
      expect(m.values?.z).toBeCloseTo(truth?.z as number, 12);
      expect(m.values?.c).toBeCloseTo(truth?.c as number, 12);
    }
  });

  it('reports the feasible Pareto front in the status JSON', async () => {
    const res = await call('chemist', 'GET', `/campaigns/${campaignId}`);
    expect(res.statusCode).toBe(200);
    const status = res.json() as CampaignStatus;
    const o = status.outcomes;
    expect(o?.objectives).toEqual([
      { property: 'y', direction: 'maximize' },
      { property: 'z', direction: 'minimize' },
    ]);
    expect(o?.excluded_elements).toEqual(['Ge']);
    const measurements = await campaignMeasurements(crucible.db, campaignId);
    const feasible = measurements.filter((m) => (m.values?.c as number) <= 1);
    expect(o?.measured).toBe(15);
    expect(o?.feasible).toBe(feasible.length);
    expect(o?.constraints).toEqual([
      { property: 'c', min: null, max: 1, measured: 15, satisfied: feasible.length },
    ]);
    // The front is exactly the non-dominated feasible points (checked from the raw measurements).
    const expected = nonDominatedIndices(feasible.map((m) => [m.value as number, -(m.values?.z as number)]))
      .map((i) => feasible[i].candidate_id)
      .sort();
    expect(o?.pareto_front.map((p) => p.candidate_id).sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it("draws each objective's and the constraint's parity from the stored per-property predictions", async () => {
    const res = await call('chemist', 'GET', `/dashboard/api/campaigns/${campaignId}`);
    expect(res.statusCode).toBe(200);
    const view = res.json() as CampaignView;
    const [batches, measurements] = await Promise.all([
      campaignBatches(crucible.db, campaignId),
      campaignMeasurements(crucible.db, campaignId),
    ]);
    const modelled = measurements.filter((m) => m.iteration > 0); // seeds: no model, no prediction
    expect(modelled).toHaveLength(11);
    expect(view.model_quality?.map((q) => [q.property, q.role, q.direction])).toEqual([
      ['y', 'objective', 'maximize'],
      ['z', 'objective', 'minimize'],
      ['c', 'constraint', null],
    ]);
    for (const q of view.model_quality ?? []) {
      // One point per modelled measurement: the prediction stored at pick time against what the lab measured.
      const expected = modelled.map((m) => {
        const b = batches.find((x) => x.iteration === m.iteration);
        const i = b?.candidate_ids.indexOf(m.candidate_id) as number;
        const p = b?.property_predictions?.[q.property];
        return {
          candidate_id: m.candidate_id,
          measured: q.property === 'y' ? m.value : m.values?.[q.property],
          predicted: p?.mean[i],
          std: p?.std[i],
        };
      });
      const shown = q.parity.map((p) => ({
        candidate_id: p.candidate_id,
        measured: p.measured,
        predicted: p.predicted,
        std: p.std,
      }));
      const byId = (a: { candidate_id: string }, b: { candidate_id: string }) =>
        a.candidate_id.localeCompare(b.candidate_id);
      expect(shown.sort(byId)).toEqual(expected.sort(byId));
      expect(q.calibration.n).toBe(11);
    }
    // The primary objective's plot (the one a plain campaign has) is y's.
    expect(view.parity).toEqual(view.model_quality?.[0].parity);
    expect(view.calibration).toEqual(view.model_quality?.[0].calibration);
  });

  it("reports each property's model quality in the status JSON, matching the dashboard's points", async () => {
    const [status, view] = await Promise.all(
      [`/campaigns/${campaignId}`, `/dashboard/api/campaigns/${campaignId}`].map(async (url) =>
        (await call('chemist', 'GET', url)).json(),
      ),
    );
    const quality = (status as CampaignStatus).model_quality ?? [];
    expect(quality.map((q) => [q.property, q.role, q.n])).toEqual([
      ['y', 'objective', 11],
      ['z', 'objective', 11],
      ['c', 'constraint', 11],
    ]);
    for (const [j, q] of quality.entries()) {
      // Recomputed from the dashboard's parity points (which the test above ties to the store).
      const points = (view as CampaignView).model_quality?.[j].parity ?? [];
      const err = points.map((p) => Math.abs(p.measured - p.predicted));
      const scale = points.map((p) => Math.sqrt(p.std ** 2 + (p.uncertainty ?? 0) ** 2));
      expect(q.mae).toBeCloseTo(err.reduce((a, b) => a + b, 0) / err.length, 3);
      expect(q.coverage_68).toBeCloseTo(err.filter((e, i) => e <= scale[i]).length / err.length, 3);
      expect(q.coverage_95).toBeCloseTo(
        err.filter((e, i) => e <= 1.959964 * scale[i]).length / err.length,
        3,
      );
    }
  });

  it('still loads batches stored before per-property predictions existed', async () => {
    // Last in this describe: it strips the new field from this campaign's stored batches.
    await crucible.db
      .collection('batches')
      .updateMany({ campaign_id: campaignId }, { $unset: { property_predictions: '' } });
    const res = await call('chemist', 'GET', `/dashboard/api/campaigns/${campaignId}`);
    expect(res.statusCode).toBe(200);
    const view = res.json() as CampaignView;
    // Old ParEGO batches have no prediction of y (only of the scalar): empty plots, as before.
    expect(view.parity).toEqual([]);
    expect(view.model_quality?.every((q) => q.parity.length === 0 && q.calibration.n === 0)).toBe(true);
  });
});

describe('three objectives', () => {
  it('scalarizes all three with ParEGO, measures each, and reports the 3-D Pareto front', async () => {
    const spec = outcomeSpec({
      source: {
        kind: 'csv',
        path: pool.file,
        id_column: 'id',
        target_column: 'y',
        formula_column: 'formula',
        property_columns: { z: 'z', w: 'w' },
      },
      multi_objective: {
        method: 'parego',
        additional_objectives: [
          { property: 'z', direction: 'minimize' },
          { property: 'w', direction: 'maximize' },
        ],
        reference_point: [-10, 1, -1],
      },
      constraints: [],
      budget: { experiments: 10, iterations: 10 },
    });
    const handle = await crucible.client.workflow.start(campaignWorkflow, {
      workflowId: uniqueName('three-objectives'),
      taskQueue: TASK_QUEUES.orchestration,
      args: [{ spec }],
    });
    expect((await handle.result()).status.stop_reason).toBe('experiment_budget');
    const id = handle.workflowId;
    const batches = await campaignBatches(crucible.db, id);
    for (const b of batches.slice(1)) {
      expect(b.method).toBe('parego+gp+log_ei');
      expect(b.parego_weights).toEqual(parEgoWeights(3, (17 + b.iteration * 7919) >>> 0));
      expect(Object.keys(b.property_predictions ?? {}).sort()).toEqual(['w', 'y', 'z']);
    }
    const experiments = await campaignExperiments(crucible.db, id);
    expect(experiments.every((e) => JSON.stringify(e.properties) === '["y","z","w"]')).toBe(true);
    const measurements = await campaignMeasurements(crucible.db, id);
    expect(measurements).toHaveLength(10);
    for (const m of measurements)
      expect(m.values?.w).toBeCloseTo(pool.rows.get(m.candidate_id)?.w as number, 12);

    const status = (await call('chemist', 'GET', `/campaigns/${id}`)).json() as CampaignStatus;
    expect(status.outcomes?.objectives.map((o) => o.property)).toEqual(['y', 'z', 'w']);
    // Non-dominated in all three (oriented so larger is better), checked from the raw measurements.
    const expected = nonDominatedIndices(
      measurements.map((m) => [m.value as number, -(m.values?.z as number), m.values?.w as number]),
    )
      .map((i) => measurements[i].candidate_id)
      .sort();
    expect(status.outcomes?.pareto_front.map((p) => p.candidate_id).sort()).toEqual(expected);
    // The volume the 3-D front dominates above the spec's reference point (y −10, z 1, w −1).
    const oriented = measurements.map((m) => [
      m.value as number,
      -(m.values?.z as number),
      m.values?.w as number,
    ]);
    expect(status.outcomes?.hypervolume).toEqual({
      value: hypervolume(oriented, [-10, -1, -1]),
      reference_point: [-10, 1, -1],
      reference: 'spec',
    });
    expect(status.outcomes?.hypervolume?.value).toBeGreaterThan(0);
    // The dashboard's trace: one value per measurement, never falling, ending at the status's.
    const view = (await call('chemist', 'GET', `/dashboard/api/campaigns/${id}`)).json() as CampaignView;
    const trace = view.outcomes?.hypervolume_trace ?? [];
    expect(trace).toHaveLength(10);
    trace.slice(1).forEach((h, i) => expect(h).toBeGreaterThanOrEqual(trace[i]));
    expect(trace[9]).toBeCloseTo(status.outcomes?.hypervolume?.value as number, 12);
    // After the first measurement alone: that point's box above the reference point.
    const sorted = [...measurements].sort(
      (a, b) => a.recorded_at.localeCompare(b.recorded_at) || a.experiment_id.localeCompare(b.experiment_id),
    );
    const first = [
      sorted[0].value as number,
      -(sorted[0].values?.z as number),
      sorted[0].values?.w as number,
    ];
    expect(trace[0]).toBeCloseTo(hypervolume([first], [-10, -1, -1]), 12);
    expect(status.model_quality?.map((q) => [q.property, q.n])).toEqual([
      ['y', 6],
      ['z', 6],
      ['w', 6],
    ]);
  });
});

describe('a remote lab must post every requested property', () => {
  it('refuses a result missing a property with 400 naming it, stores nothing, then takes the full one', async () => {
    const spec = outcomeSpec({
      source: { kind: 'csv', path: pool.file, id_column: 'id', formula_column: 'formula' },
      lab: { kind: 'remote', lab_id: 'robot-5' },
      budget: { experiments: 4, iterations: 1 },
    });
    const handle = await crucible.client.workflow.start(campaignWorkflow, {
      workflowId: uniqueName('outcomes-remote'),
      taskQueue: TASK_QUEUES.orchestration,
      args: [{ spec }],
    });
    try {
      const pending = await waitFor('the seed requests', async () => {
        const res = await call('robot', 'GET', '/labs/robot-5/experiments');
        const list = (res.json() as { experiments: Record<string, unknown>[] }).experiments;
        return list.filter((e) => e.campaign_id === handle.workflowId).length === 4 && list;
      });
      const request = pending.find((e) => e.campaign_id === handle.workflowId) as Record<string, string>;
      expect(request.properties).toEqual(['y', 'z', 'c']);
      const result = {
        experiment_id: request.experiment_id,
        candidate_id: request.candidate_id,
        property: 'y',
        status: 'succeeded',
        value: -1.5,
        lab_id: 'robot-5',
        measured_at: new Date().toISOString(),
      };

      const missing = await call('robot', 'POST', '/lab-results', { ...result, values: { z: 0.2 } });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().message).toContain('values.c: required');
      expect(missing.json().issues).toEqual([expect.objectContaining({ path: 'values.c' })]);
      const unasked = await call('robot', 'POST', '/lab-results', {
        ...result,
        values: { z: 0.2, c: 1, w: 3 },
      });
      expect(unasked.statusCode).toBe(400);
      expect(unasked.json().message).toContain('values.w');
      expect(await getMeasurement(crucible.db, request.experiment_id)).toBeNull();

      const full = await call('robot', 'POST', '/lab-results', { ...result, values: { z: 0.2, c: 0.9 } });
      expect(full.statusCode).toBe(200);
      expect(full.json()).toMatchObject({ accepted: true, duplicate: false });
      const stored = await getMeasurement(crucible.db, request.experiment_id);
      expect(stored).toMatchObject({ value: -1.5, values: { z: 0.2, c: 0.9 }, property: 'y' });
    } finally {
      await handle.signal(cancelSignal);
      await handle.result().catch(() => undefined);
    }
  });

  it('documents values in the OpenAPI document the API serves', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    const doc = res.json();
    const body = doc.paths['/lab-results'].post.requestBody.content['application/json'].schema;
    expect(body.properties.values.description).toMatch(/other requested properties/);
    expect(body.properties.values.additionalProperties).toEqual({ type: 'number' });
  });
});
