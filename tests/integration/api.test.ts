import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import type { LocalCrucible } from '../../cli/runtime';
import { campaignExperiments, campaignMeasurements } from '../../store/experiments';
import { issueToken } from '../../store/tokens';
import {
  startTestCrucible,
  stopTestCrucible,
  uniqueName,
  waitFor,
  writeSyntheticPool,
} from '../helpers/integration';
import { csvSpec } from '../helpers/specs';

const pool = writeSyntheticPool(40, 3);
let crucible: LocalCrucible;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  crucible = await startTestCrucible('crucible_test_api');
  app = await buildApi({ client: crucible.client, db: crucible.db });
  for (const [name, role, lab_id] of [
    ['admin', 'admin'],
    ['chemist', 'chemist'],
    ['pi', 'pi'],
    ['robot1', 'lab', 'robot-1'],
    ['robot2', 'lab', 'robot-2'],
  ] as const) {
    tokens[name] = (await issueToken(crucible.db, { role, name, lab_id })).token;
  }
});
afterAll(async () => {
  await app?.close();
  await stopTestCrucible(crucible);
});

const call = (who: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  app.inject({
    method,
    url,
    payload: payload as never,
    headers: who ? { authorization: `Bearer ${tokens[who] ?? who}` } : {},
  });

const remoteSpec = () =>
  csvSpec(pool.file, {
    lab: { kind: 'remote', lab_id: 'robot-1' },
    budget: { experiments: 6, iterations: 3 },
  });

describe('HTTP API', () => {
  let campaignId: string;

  it('serves an OpenAPI document generated from the zod schemas', async () => {
    const res = await call(null, 'GET', '/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/lab-results', '/campaigns', '/campaigns/{id}', '/labs/{lab_id}/experiments']),
    );
    const body = doc.paths['/lab-results'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['experiment_id', 'status', 'measured_at']));
  });

  it('refuses requests without a valid token', async () => {
    for (const [method, url] of [
      ['GET', '/campaigns'],
      ['POST', '/lab-results'],
      ['GET', '/labs/robot-1/experiments'],
    ] as const) {
      expect((await call(null, method, url)).statusCode).toBe(401);
      expect((await call('cru_not-a-token', method, url)).statusCode).toBe(401);
    }
  });

  it('lets chemists (not PIs or labs) start campaigns, naming bad spec fields', async () => {
    expect((await call('pi', 'POST', '/campaigns', { spec: remoteSpec() })).statusCode).toBe(403);
    expect((await call('robot1', 'POST', '/campaigns', { spec: remoteSpec() })).statusCode).toBe(403);
    const bad = await call('chemist', 'POST', '/campaigns', {
      spec: { ...remoteSpec(), budget: { experiments: -1 } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('budget.experiments');
    expect(bad.json().issues.map((i: { path: string }) => i.path)).toContain('budget.iterations');

    campaignId = uniqueName('api-campaign');
    const ok = await call('chemist', 'POST', '/campaigns', { spec: remoteSpec(), campaign_id: campaignId });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual({ campaign_id: campaignId });
    const again = await call('chemist', 'POST', '/campaigns', {
      spec: remoteSpec(),
      campaign_id: campaignId,
    });
    expect(again.statusCode).toBe(409);
  });

  it('shows a lab only its own pending requests', async () => {
    await waitFor(
      'seed requests',
      async () => (await campaignExperiments(crucible.db, campaignId)).length === 3,
    );
    const own = await call('robot1', 'GET', '/labs/robot-1/experiments');
    expect(own.statusCode).toBe(200);
    expect(own.json().experiments).toHaveLength(3);
    expect((await call('robot2', 'GET', '/labs/robot-1/experiments')).statusCode).toBe(403);
    expect((await call('robot2', 'GET', '/labs/robot-2/experiments')).json().experiments).toHaveLength(0);
    expect((await call('pi', 'GET', '/labs/robot-1/experiments')).statusCode).toBe(200);
  });

  it('records a posted result once, absorbs duplicates, and refuses wrong labs, roles and bodies', async () => {
    const [exp] = (await call('robot1', 'GET', '/labs/robot-1/experiments')).json().experiments;
    const result = {
      experiment_id: exp.experiment_id,
      candidate_id: exp.candidate_id,
      property: 'y',
      status: 'succeeded',
      value: -0.5,
      lab_id: 'robot-1',
      measured_at: new Date().toISOString(),
    };
    expect((await call('robot2', 'POST', '/lab-results', result)).statusCode).toBe(403);
    expect((await call('pi', 'POST', '/lab-results', result)).statusCode).toBe(403);
    expect((await call('chemist', 'POST', '/lab-results', result)).statusCode).toBe(403);

    const malformed = await call('robot1', 'POST', '/lab-results', { ...result, value: 'very high' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().issues[0].path).toBe('value');
    const injection = await call('robot1', 'POST', '/lab-results', { ...result, experiment_id: { $gt: '' } });
    expect(injection.statusCode).toBe(400);
    expect(injection.json().message).toContain('experiment_id');
    expect(
      (await call('robot1', 'POST', '/lab-results', { ...result, experiment_id: 'nope' })).statusCode,
    ).toBe(404);
    const mismatch = await call('robot1', 'POST', '/lab-results', { ...result, property: 'band_gap' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().message).toContain('property');
    const huge = await call('robot1', 'POST', '/lab-results', {
      ...result,
      failure_reason: 'x'.repeat(2 << 20),
    });
    expect(huge.statusCode).toBe(413);
    expect(await campaignMeasurements(crucible.db, campaignId)).toHaveLength(0);

    const first = await call('robot1', 'POST', '/lab-results', result);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      experiment_id: exp.experiment_id,
      accepted: true,
      duplicate: false,
      partial: false,
      late: false,
    });
    const dup = await call('robot1', 'POST', '/lab-results', { ...result, value: 5 });
    expect(dup.json().duplicate).toBe(true);
    const stored = await campaignMeasurements(crucible.db, campaignId);
    expect(stored).toHaveLength(1);
    expect(stored[0].value).toBe(-0.5);
  });

  it('lets PIs and chemists read campaigns, and only chemists signal them', async () => {
    expect((await call('robot1', 'GET', '/campaigns')).statusCode).toBe(403);
    const list = await call('pi', 'GET', '/campaigns');
    expect(list.statusCode).toBe(200);
    expect(list.json().campaigns.map((c: { campaign_id: string }) => c.campaign_id)).toContain(campaignId);
    const status = await call('pi', 'GET', `/campaigns/${campaignId}`);
    expect(status.statusCode).toBe(200);
    expect(status.json().budget.experiments_max).toBe(6);
    expect((await call('pi', 'GET', '/campaigns/no-such-campaign')).statusCode).toBe(404);

    expect((await call('pi', 'POST', `/campaigns/${campaignId}/pause`)).statusCode).toBe(403);
    expect((await call('robot1', 'POST', `/campaigns/${campaignId}/cancel`)).statusCode).toBe(403);
    expect((await call('chemist', 'POST', `/campaigns/${campaignId}/pause`)).statusCode).toBe(202);
    await waitFor(
      'paused',
      async () => (await call('pi', 'GET', `/campaigns/${campaignId}`)).json().state === 'paused',
    );
    expect((await call('chemist', 'POST', `/campaigns/${campaignId}/cancel`)).statusCode).toBe(202);
    await crucible.client.workflow.getHandle(campaignId).result();
    const final = await call('chemist', 'GET', `/campaigns/${campaignId}`);
    expect(final.json().state).toBe('cancelled');
  });

  it('limits the request rate per token', async () => {
    const limited = await buildApi({ client: crucible.client, db: crucible.db }, { rateLimitPerMinute: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await limited.inject({
        method: 'GET',
        url: '/campaigns',
        headers: { authorization: `Bearer ${tokens.pi}` },
      });
      codes.push(res.statusCode);
    }
    await limited.close();
    expect(codes).toEqual([200, 200, 200, 429, 429]);
  });
});
