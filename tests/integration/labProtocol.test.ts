import type { FastifyInstance } from 'fastify';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApi } from '../../api/server';
import type { LocalCrucible } from '../../cli/runtime';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
} from '../../notifications/signing';
import type { ExperimentRequest } from '../../schemas';
import { getExperiment, getMeasurement, recordMeasurement } from '../../store/experiments';
import { issueToken } from '../../store/tokens';
import { TASK_QUEUES, experimentWorkflowId } from '../../workflows/definitions';
import { experimentWorkflow } from '../../workflows/experiment';
import { startTestCrucible, stopTestCrucible, uniqueName, waitFor } from '../helpers/integration';

// The lab side of the API on real Temporal + FerretDB: partial results, idempotency keys, result
// timeouts and late results, webhook push with HMAC signatures and retries.
let crucible: LocalCrucible;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  crucible = await startTestCrucible('crucible_test_labproto');
  app = await buildApi({ client: crucible.client, db: crucible.db });
  for (const [name, role, lab_id] of [
    ['admin', 'admin'],
    ['chemist', 'chemist'],
    ['pi', 'pi'],
    ['robot', 'lab', 'robot-1'],
    ['pusher', 'lab', 'push-lab'],
  ] as const) {
    tokens[name] = (await issueToken(crucible.db, { role, name, lab_id })).token;
  }
});
afterAll(async () => {
  await app?.close();
  await stopTestCrucible(crucible);
});

const call = (who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers = {}) =>
  app.inject({
    method,
    url,
    payload: payload as never,
    headers: { authorization: `Bearer ${tokens[who]}`, ...headers },
  });

/** Starts one experiment workflow exactly as a campaign's batch does. */
async function startExperiment(labId: string, extra: { result_timeout_minutes?: number } = {}) {
  const id = uniqueName('exp').replace(/_/g, '-');
  const request: ExperimentRequest = {
    experiment_id: id,
    campaign_id: 'labproto',
    pool_id: 'p',
    candidate_id: `cand-${id}`,
    iteration: 1,
    property: 'log10_sigma',
    lab: { kind: 'remote', lab_id: labId, ...extra },
  };
  const handle = await crucible.client.workflow.start(experimentWorkflow, {
    workflowId: experimentWorkflowId(id),
    taskQueue: TASK_QUEUES.orchestration,
    args: [request],
  });
  await waitFor('the request to be dispatched', () => getExperiment(crucible.db, id));
  return { request, handle };
}

const resultFor = (r: ExperimentRequest, labId: string, value: number) => ({
  experiment_id: r.experiment_id,
  candidate_id: r.candidate_id,
  property: r.property,
  status: 'succeeded',
  value,
  lab_id: labId,
  measured_at: new Date().toISOString(),
});

describe('lab protocol', () => {
  it('records partial readings once per idempotency key, then the final result completes the experiment', async () => {
    const { request, handle } = await startExperiment('robot-1');
    const partial = { ...resultFor(request, 'robot-1', -3.1), partial: true };

    const noKey = await call('robot', 'POST', '/lab-results', partial);
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().message).toContain('idempotency_key');
    const clash = await call(
      'robot',
      'POST',
      '/lab-results',
      { ...partial, idempotency_key: 'a' },
      { 'idempotency-key': 'b' },
    );
    expect(clash.statusCode).toBe(400);
    expect(clash.json().message).toContain('Idempotency-Key');

    const first = await call('robot', 'POST', '/lab-results', partial, { 'idempotency-key': 'sweep-1' });
    expect(first.json()).toMatchObject({ duplicate: false, partial: true, late: false });
    const retry = await call('robot', 'POST', '/lab-results', partial, { 'idempotency-key': 'sweep-1' });
    expect(retry.json()).toMatchObject({ duplicate: true, partial: true });
    const second = await call('robot', 'POST', '/lab-results', {
      ...partial,
      value: -3.0,
      idempotency_key: 'sweep-2',
    });
    expect(second.json()).toMatchObject({ duplicate: false, partial: true });

    const view = await call('robot', 'GET', `/experiments/${request.experiment_id}`);
    expect(view.statusCode).toBe(200);
    expect(view.json().partial_results.map((p: { value: number }) => p.value)).toEqual([-3.1, -3.0]);
    expect(view.json().experiment.status).toBe('requested');
    expect(view.json().measurement).toBeNull();
    expect((await call('pusher', 'GET', `/experiments/${request.experiment_id}`)).statusCode).toBe(403);

    const final = await call('robot', 'POST', '/lab-results', resultFor(request, 'robot-1', -2.9));
    expect(final.json()).toMatchObject({ duplicate: false, partial: false, late: false });
    expect(await handle.result()).toEqual({
      experiment_id: request.experiment_id,
      candidate_id: request.candidate_id,
      status: 'succeeded',
      value: -2.9,
    });
  });

  it('gives up on a lab after its result timeout, and still records a late result, flagged', async () => {
    const { request, handle } = await startExperiment('robot-1', { result_timeout_minutes: 0.02 });
    const outcome = await handle.result();
    expect(outcome.status).toBe('timed_out');
    expect((await getExperiment(crucible.db, request.experiment_id))?.status).toBe('timed_out');

    const late = await call('robot', 'POST', '/lab-results', resultFor(request, 'robot-1', -1.5));
    expect(late.statusCode).toBe(200);
    expect(late.json()).toMatchObject({ duplicate: false, late: true });
    expect(await getMeasurement(crucible.db, request.experiment_id)).toMatchObject({
      value: -1.5,
      late: true,
    });
    const again = await call('robot', 'POST', '/lab-results', resultFor(request, 'robot-1', -1.5));
    expect(again.json()).toMatchObject({ duplicate: true, late: true });
  });

  it('heals a lost signal: a result stored without reaching the workflow completes it on the lab retry', async () => {
    const { request, handle } = await startExperiment('robot-1');
    // As if the API had stored the result and died before signalling the workflow.
    const experiment = await getExperiment(crucible.db, request.experiment_id);
    await recordMeasurement(crucible.db, experiment!, {
      ...resultFor(request, 'robot-1', 0.25),
      status: 'succeeded',
    });
    const retry = await call('robot', 'POST', '/lab-results', resultFor(request, 'robot-1', 0.25));
    expect(retry.json()).toMatchObject({ duplicate: true, late: false });
    expect((await handle.result()).value).toBe(0.25);
  });

  it("pushes requests to a registered lab's webhook, HMAC-signed, retrying with backoff", async () => {
    const secret = 'a-shared-secret-of-at-least-32-chars!';
    const deliveries: { ok: boolean; id: string; body: string }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const ok = verifySignature(
          secret,
          {
            signature: String(req.headers[SIGNATURE_HEADER]),
            timestamp: String(req.headers[TIMESTAMP_HEADER]),
          },
          body,
        );
        deliveries.push({ ok, id: String(req.headers[DELIVERY_HEADER]), body });
        // The lab's endpoint is down for the first two deliveries.
        res.statusCode = deliveries.length <= 2 ? 503 : ok ? 204 : 401;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/crucible`;
      const forbidden = await call('chemist', 'PUT', '/labs/push-lab', {
        webhook_url: url,
        webhook_secret: secret,
      });
      expect(forbidden.statusCode).toBe(403);
      const weak = await call('admin', 'PUT', '/labs/push-lab', {
        webhook_url: url,
        webhook_secret: 'short',
      });
      expect(weak.statusCode).toBe(400);
      expect(weak.json().message).toContain('webhook_secret');
      const registered = await call('admin', 'PUT', '/labs/push-lab', {
        webhook_url: url,
        webhook_secret: secret,
      });
      expect(registered.statusCode).toBe(200);
      expect(registered.json()).not.toHaveProperty('webhook_secret');

      const { request, handle } = await startExperiment('push-lab');
      const doc = await waitFor('a successful delivery', async () => {
        const e = await getExperiment(crucible.db, request.experiment_id);
        return e?.pushed_at ? e : null;
      });
      expect(deliveries).toHaveLength(3);
      expect(deliveries.every((d) => d.ok && d.id === request.experiment_id)).toBe(true);
      expect(JSON.parse(deliveries[2].body)).toMatchObject({
        type: 'experiment.requested',
        experiment: { experiment_id: request.experiment_id, lab_id: 'push-lab' },
      });
      expect(doc.push_attempts).toBe(3);
      // A tampered body does not verify.
      expect(
        verifySignature(
          secret,
          { signature: 'sha256=00', timestamp: String(Math.floor(Date.now() / 1000)) },
          '{}',
        ),
      ).toBe(false);

      await call('pusher', 'POST', '/lab-results', resultFor(request, 'push-lab', 1));
      expect((await handle.result()).value).toBe(1);
    } finally {
      receiver.close();
    }
  }, 60_000);
});
