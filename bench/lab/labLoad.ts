/**
 * Lab load test: L simulated labs pull their requests over the HTTP API and post R results in
 * total, re-posting a random share of them, against real Temporal and FerretDB/MongoDB on
 * loopback. Reports whether every result was recorded exactly once and how fast.
 * `npm run bench -- lab-load -- [--results 5000] [--labs 50] [--duplicate-rate 0.2]`
 */
import type { AddressInfo } from 'node:net';
import { buildApi } from '../../api/server';
import { startLocalCrucible } from '../../cli/runtime';
import { createRng } from '../../optimize/rng';
import { issueToken } from '../../store/tokens';
import { experimentWorkflow } from '../../workflows/experiment';
import { TASK_QUEUES, experimentWorkflowId } from '../../workflows/definitions';

export const USAGE =
  'npm run bench -- lab-load -- [--results 5000] [--labs 50] [--duplicate-rate 0.2] [--timeout-s 900]';

const arg = (argv: string[], name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

export async function labLoadBenchmark(argv: string[]): Promise<Record<string, unknown>> {
  const total = arg(argv, '--results', 5000);
  const labs = arg(argv, '--labs', 50);
  const duplicateRate = arg(argv, '--duplicate-rate', 0.2);
  const deadline = Date.now() + arg(argv, '--timeout-s', 900) * 1000;
  const dbName = `crucible_bench_labload_${Date.now().toString(36)}`;
  const crucible = await startLocalCrucible({ dbName, quiet: true });
  const app = await buildApi({ client: crucible.client, db: crucible.db }, { rateLimitPerMinute: 1e9 });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const labIds = Array.from({ length: labs }, (_, i) => `lab-${String(i).padStart(2, '0')}`);
    const tokens = new Map<string, string>();
    for (const lab of labIds)
      tokens.set(lab, (await issueToken(crucible.db, { role: 'lab', name: lab, lab_id: lab })).token);

    // One experiment workflow per result, spread over the labs, exactly as a campaign starts them.
    const campaignId = `labload-${Date.now().toString(36)}`;
    const t0 = Date.now();
    await pool(
      Array.from({ length: total }, (_, i) => i),
      32,
      async (i) => {
        const experiment_id = `${campaignId}-i0-c${i}`;
        await crucible.client.workflow.start(experimentWorkflow, {
          workflowId: experimentWorkflowId(experiment_id),
          taskQueue: TASK_QUEUES.orchestration,
          args: [
            {
              experiment_id,
              campaign_id: campaignId,
              pool_id: 'labload',
              candidate_id: `c${i}`,
              iteration: 0,
              property: 'log10_sigma',
              lab: { kind: 'remote', lab_id: labIds[i % labs] },
            },
          ],
        });
      },
    );
    const startedS = (Date.now() - t0) / 1000;
    // Result intake is what this measures: wait until every request has been dispatched (written
    // by its workflow's activity), so labs are not polling a half-filled queue meanwhile.
    const experimentsCol = crucible.db.collection('experiments');
    while ((await experimentsCol.countDocuments({ campaign_id: campaignId })) < total) {
      if (Date.now() > deadline) throw new Error('requests were not all dispatched before the deadline');
      await new Promise((r) => setTimeout(r, 500));
    }
    const dispatchedS = (Date.now() - t0) / 1000;

    // Each lab: pull pending requests, post each result, re-post some at random; until all done.
    const latencies: number[] = [];
    let posted = 0;
    let duplicatesAbsorbed = 0;
    let errors = 0;
    const answered = new Set<string>();
    const rng = createRng(7);
    const errorKinds: Record<string, number> = {};
    const countError = (key: string) => void (errorKinds[key] = (errorKinds[key] ?? 0) + 1);
    // A real lab retries a post that failed (network error, 5xx, 429) with backoff; a 4xx other
    // than 429 is its own bug and is not retried. Latency is per HTTP request.
    const post = async (lab: string, body: unknown): Promise<boolean> => {
      for (let attempt = 0; attempt < 8; attempt++) {
        const t = performance.now();
        let status = 0;
        let ack: { duplicate: boolean } | undefined;
        try {
          const res = await fetch(`${base}/lab-results`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens.get(lab)}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          status = res.status;
          if (res.ok) ack = (await res.json()) as { duplicate: boolean };
          else countError(`${status} ${(await res.text()).slice(0, 160)}`);
        } catch (err) {
          countError(`network: ${(err as Error).message}`);
        }
        latencies.push(performance.now() - t);
        posted++;
        if (ack) {
          if (ack.duplicate) duplicatesAbsorbed++;
          return true;
        }
        errors++;
        if (status >= 400 && status < 500 && status !== 429) return false;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
      return false;
    };
    const t1 = Date.now();
    await Promise.all(
      labIds.map(async (lab) => {
        while (Date.now() < deadline) {
          const res = await fetch(`${base}/labs/${lab}/experiments?limit=1000`, {
            headers: { authorization: `Bearer ${tokens.get(lab)}` },
          });
          const { experiments } = (await res.json()) as {
            experiments: { experiment_id: string; candidate_id: string }[];
          };
          const todo = experiments.filter((e) => !answered.has(e.experiment_id));
          if (todo.length === 0) {
            if (answered.size >= total) break;
            await new Promise((r) => setTimeout(r, 1000)); // a lab polls about once a second when idle
            continue;
          }
          for (const e of todo) {
            const result = {
              experiment_id: e.experiment_id,
              candidate_id: e.candidate_id,
              property: 'log10_sigma',
              status: 'succeeded',
              value: -3 + rng.normal(),
              lab_id: lab,
              measured_at: new Date().toISOString(),
            };
            await post(lab, result);
            answered.add(e.experiment_id);
            if (rng.next() < duplicateRate) await post(lab, { ...result, value: 0 });
          }
        }
      }),
    );
    const postingS = (Date.now() - t1) / 1000;
    const recorded = await crucible.db.collection('measurements').countDocuments({ campaign_id: campaignId });
    const distinct = (
      await crucible.db.collection('measurements').distinct('_id', { campaign_id: campaignId })
    ).length;
    latencies.sort((a, b) => a - b);
    return {
      benchmark: 'lab-load',
      labs,
      experiments: total,
      posted,
      recorded,
      lost: total - distinct,
      recorded_more_than_once: recorded - distinct,
      duplicates_absorbed: duplicatesAbsorbed,
      http_errors: errors,
      error_kinds: errorKinds,
      results_per_s: Number((answered.size / postingS).toFixed(1)),
      posts_per_s: Number((posted / postingS).toFixed(1)),
      p50_ms: Number(percentile(latencies, 0.5).toFixed(1)),
      p95_ms: Number(percentile(latencies, 0.95).toFixed(1)),
      max_ms: Number((latencies.at(-1) ?? NaN).toFixed(1)),
      workflows_started_s: startedS,
      all_dispatched_s: dispatchedS,
      posting_s: postingS,
    };
  } finally {
    await app.close();
    await crucible.db.dropDatabase();
    await crucible.close();
  }
}
