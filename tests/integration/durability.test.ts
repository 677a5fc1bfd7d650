import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { LocalCrucible, startLocalCrucible } from '../../cli/runtime';
import { campaignBatches } from '../../store/batches';
import { campaignExperiments, campaignMeasurements } from '../../store/experiments';
import { campaignWorkflow } from '../../workflows/campaign';
import { TASK_QUEUES } from '../../workflows/definitions';
import {
  mongoUriWithDb,
  requireServers,
  uniqueName,
  waitFor,
  writeSyntheticPool,
} from '../helpers/integration';
import { csvSpec } from '../helpers/specs';

const { mongoUri } = requireServers();
const dbName = uniqueName('crucible_test_durability');
const root = path.resolve(__dirname, '..', '..');
let crucible: LocalCrucible;
const workers: ChildProcess[] = [];

/** The orchestration worker as its own OS process (node + tsx, no wrapper), so kill -9 hits it. */
function startOrchestrationProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/orchestration.ts'], {
    cwd: root,
    env: { ...process.env, MONGODB_URI: mongoUriWithDb(mongoUri, dbName) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('polling')) resolve(child);
    });
    child.on('exit', (code) =>
      reject(new Error(`orchestration worker exited (${code}) before polling: ${stderr}`)),
    );
  });
}

beforeAll(async () => {
  // ML and lab workers (and the simulated lab) stay up in this process; only orchestration dies.
  crucible = await startLocalCrucible({ dbName, quiet: true, orchestration: false });
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await crucible?.db.dropDatabase();
  await crucible?.close();
});

it('survives kill -9 of the orchestration worker mid-campaign: nothing dispatched twice, nothing lost', async () => {
  const pool = writeSyntheticPool(80, 5);
  const budget = 24;
  const spec = csvSpec(pool.file, {
    budget: { experiments: budget, iterations: 20 },
    acquisition: { kind: 'ei', batch_size: 3 },
    lab: { kind: 'simulated', delay_ms: 250, noise_std: 0.05, failure_rate: 0.1, seed: 9 },
    continue_as_new_every: 3,
  });
  const first = await startOrchestrationProcess();
  const handle = await crucible.client.workflow.start(campaignWorkflow, {
    workflowId: uniqueName('durable'),
    taskQueue: TASK_QUEUES.orchestration,
    args: [{ spec }],
  });
  await waitFor('a third of the experiments', async () => {
    return (await campaignMeasurements(crucible.db, handle.workflowId)).length >= budget / 3;
  });
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const atKill = (await campaignMeasurements(crucible.db, handle.workflowId)).length;
  expect(atKill).toBeLessThan(budget);
  await new Promise((r) => setTimeout(r, 1000)); // labs keep answering while no worker runs

  await startOrchestrationProcess();
  const { status } = await handle.result();

  expect(status.state).toBe('completed');
  expect(status.stop_reason).toBe('experiment_budget');
  expect(status.budget.experiments_used).toBe(budget);
  const experiments = await campaignExperiments(crucible.db, handle.workflowId);
  const measurements = await campaignMeasurements(crucible.db, handle.workflowId);
  const proposed = (await campaignBatches(crucible.db, handle.workflowId)).flatMap((b) => b.candidate_ids);
  // Each candidate was proposed once, requested once and measured once (failures included).
  expect(proposed).toHaveLength(budget);
  expect(new Set(proposed).size).toBe(budget);
  expect(experiments).toHaveLength(budget);
  expect(new Set(experiments.map((e) => e.candidate_id)).size).toBe(budget);
  expect(measurements).toHaveLength(budget);
  expect(new Set(measurements.map((m) => m.experiment_id))).toEqual(
    new Set(experiments.map((e) => e.experiment_id)),
  );
  expect(experiments.every((e) => e.status === 'measured' || e.status === 'failed')).toBe(true);
  expect(status.failed_experiments).toBe(measurements.filter((m) => m.status === 'failed').length);
});
