/**
 * `npm run demo [-- --json] [-- --spec file.json]`: one closed-loop campaign on the embedded
 * default (OBELiX, maximize log10 ionic conductivity) with the simulated lab, printing progress
 * and a final summary that compares the experiments used with random search's expectation.
 */
import * as fs from 'node:fs';
import { CampaignSpec, CampaignSpecInput, CampaignStatus, parseOrThrow } from '../schemas';
import { campaignMeasurements } from '../store/experiments';
import { getCandidate, loadLabTruth } from '../store/pools';
import { campaignWorkflow } from '../workflows/campaign';
import { TASK_QUEUES, statusQuery } from '../workflows/definitions';
import { countAtLeastAsGood, expectedRandomDrawsToFirstHit } from '../optimize/randomBaseline';
import { startLocalCrucible } from './runtime';
import { locateObelixTable } from '../data/loadPool';

export const DEMO_SPEC: CampaignSpecInput = {
  version: 1,
  name: 'demo-obelix-conductivity',
  objective: { property: 'log10_sigma', direction: 'maximize' },
  source: { kind: 'obelix' },
  surrogate: { kind: 'gp' },
  // Greedy (posterior mean, Kriging-believer batches) after k-means seeds found the most top-5 %
  // candidates per experiment on OBELiX in `npm run bench -- discovery` (see the issue notes).
  acquisition: { kind: 'greedy', batch_size: 5 },
  budget: { experiments: 60, iterations: 20 },
  seed_experiments: { count: 10, method: 'kmeans' },
  lab: { kind: 'simulated', delay_ms: 20, noise_std: 0.1, failure_rate: 0.02, seed: 7 },
  random_seed: 42,
  continue_as_new_every: 5,
};

function parseArgs(argv: string[]) {
  const json = argv.includes('--json');
  const i = argv.indexOf('--spec');
  let spec = DEMO_SPEC;
  if (i >= 0) {
    const file = argv[i + 1];
    if (!file) throw new Error('--spec needs a file path');
    spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  }
  return { json, spec: parseOrThrow(CampaignSpec, spec, 'campaign spec'), rawSpec: spec };
}

const fmt = (v: number | undefined | null, digits = 3) =>
  v === undefined || v === null ? '–' : v.toFixed(digits);

async function main() {
  const { json, spec, rawSpec } = parseArgs(process.argv.slice(2));
  if (spec.source.kind === 'obelix') await locateObelixTable(spec.source.dir); // fail fast, before any worker starts
  const say = (line: string) => (json ? process.stderr : process.stdout).write(line + '\n');
  if (spec.md && !process.env.CRUCIBLE_MD_PYTHON) {
    throw new Error(
      'the spec has an md section: export CRUCIBLE_MD_PYTHON="$(bash infra/install-md-python.sh)" first',
    );
  }
  const crucible = await startLocalCrucible({ quiet: true, md: spec.md !== undefined });
  try {
    const campaignId = `${spec.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    say(
      `campaign ${campaignId}: ${spec.objective.direction} ${spec.objective.property} over ${spec.source.kind}, ` +
        `${spec.surrogate.kind} + ${spec.acquisition.kind} (q=${spec.acquisition.batch_size}), budget ${spec.budget.experiments} experiments`,
    );
    const handle = await crucible.client.workflow.start(campaignWorkflow, {
      workflowId: campaignId,
      taskQueue: TASK_QUEUES.orchestration,
      args: [{ spec: rawSpec }],
    });
    let last = '';
    const progress = setInterval(async () => {
      try {
        const s: CampaignStatus = await handle.query(statusQuery);
        const line =
          `  ${s.state.padEnd(9)} iteration ${s.iteration}/${s.budget.iterations_max}  ` +
          `experiments ${s.budget.experiments_used}/${s.budget.experiments_max}  pending ${s.pending_experiments.length}  ` +
          `best ${fmt(s.best?.value)}${s.best ? ` (${s.best.candidate_id})` : ''}`;
        if (line !== last) say(line);
        last = line;
      } catch {
        /* the workflow may be between runs (continue-as-new); the next tick will see it */
      }
    }, 500);
    const result = await handle.result().finally(() => clearInterval(progress));
    const summary = await summarize(crucible.db, campaignId, result.pool_id, spec, result.status);
    say('');
    say(
      `done: ${result.status.stop_reason} after ${summary.experiments} experiments ` +
        `(${result.status.failed_experiments} failed) in ${result.status.workflow_runs} workflow runs`,
    );
    say(
      `best ${spec.objective.property}: ${fmt(summary.best.value)} measured, ${fmt(summary.best.true_value)} true — ` +
        `${summary.best.candidate_id} ${summary.best.formula ?? ''}, found at experiment ${summary.best.found_at_experiment}`,
    );
    say(
      `random search would need ${fmt(summary.random_expected_experiments, 1)} experiments on average to find a ` +
        `candidate this good (${summary.candidates_at_least_as_good} of ${summary.pool_size} are): ` +
        `${fmt(summary.speedup_vs_random, 1)}x fewer here`,
    );
    say('top measured:');
    for (const t of summary.top) say(`  ${fmt(t.value)}  ${t.candidate_id.padEnd(8)} ${t.formula ?? ''}`);
    if (json) process.stdout.write(JSON.stringify(summary) + '\n');
  } finally {
    await crucible.close();
  }
}

async function summarize(
  db: import('mongodb').Db,
  campaignId: string,
  poolId: string,
  spec: CampaignSpec,
  status: CampaignStatus,
) {
  const measurements = (await campaignMeasurements(db, campaignId)).sort((a, b) =>
    a.recorded_at.localeCompare(b.recorded_at),
  );
  const truth = await loadLabTruth(db, poolId);
  const best = status.best;
  if (!best) throw new Error('campaign finished without a successful measurement');
  const sign = spec.objective.direction === 'maximize' ? -1 : 1;
  const succeeded = measurements.filter((m) => m.value !== null);
  const top = await Promise.all(
    succeeded
      .sort((a, b) => sign * ((a.value as number) - (b.value as number)))
      .slice(0, 5)
      .map(async (m) => ({
        candidate_id: m.candidate_id,
        value: m.value as number,
        formula: (await getCandidate(db, poolId, m.candidate_id))?.formula ?? null,
      })),
  );
  const trueBest = truth.get(best.candidate_id);
  const foundAt = measurements.findIndex((m) => m.experiment_id === best.experiment_id) + 1;
  const good =
    trueBest === undefined ? null : countAtLeastAsGood(truth.values(), trueBest, spec.objective.direction);
  return {
    campaign_id: campaignId,
    pool_id: poolId,
    pool_size: truth.size,
    stop_reason: status.stop_reason,
    experiments: status.budget.experiments_used,
    failed_experiments: status.failed_experiments,
    best: {
      candidate_id: best.candidate_id,
      value: best.value,
      true_value: trueBest ?? null,
      formula: (await getCandidate(db, poolId, best.candidate_id))?.formula ?? null,
      found_at_experiment: foundAt,
    },
    candidates_at_least_as_good: good,
    random_expected_experiments: good === null ? null : expectedRandomDrawsToFirstHit(truth.size, good),
    speedup_vs_random:
      good === null ? null : expectedRandomDrawsToFirstHit(truth.size, good) / Math.max(1, foundAt),
    top,
  };
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
