/**
 * One benchmark task = one method on one seed. Tasks run in-process (parallel = 1, and in
 * tests) or on a pool of worker_threads, one campaign per worker at a time.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CampaignSettings, simulateCampaign } from './campaign';
import { BOTORCH_METHOD, CRUCIBLE_METHODS } from './methods';
import { runBotorchCampaign } from './botorch';

export interface TaskContext {
  X: number[][];
  y: number[];
  settings: CampaignSettings;
}

export interface CampaignTask {
  method: string;
  seed: number;
  seedIndices: number[];
}

export interface TaskResult {
  method: string;
  seed: number;
  order: number[];
  wall_s: number;
  error?: string;
}

export function runTask(ctx: TaskContext, task: CampaignTask): TaskResult {
  const t0 = performance.now();
  try {
    const order =
      task.method === BOTORCH_METHOD
        ? runBotorchCampaign(ctx.X, ctx.y, task.seedIndices, ctx.settings, task.seed)
        : simulateCampaign(ctx.X, ctx.y, task.seedIndices, methodOf(task.method), ctx.settings, task.seed);
    return { method: task.method, seed: task.seed, order, wall_s: (performance.now() - t0) / 1000 };
  } catch (err) {
    const error = (err as Error).message.slice(0, 2000);
    return {
      method: task.method,
      seed: task.seed,
      order: [],
      wall_s: (performance.now() - t0) / 1000,
      error,
    };
  }
}

function methodOf(name: string) {
  const m = CRUCIBLE_METHODS[name];
  if (!m) throw new Error(`unknown method ${name}`);
  return m;
}

/** Runs every task, `parallel` at a time; results come back in task order. */
export async function runTasks(
  ctx: TaskContext,
  tasks: readonly CampaignTask[],
  parallel: number,
  onDone: (r: TaskResult, done: number) => void = () => {},
): Promise<TaskResult[]> {
  const results = new Array<TaskResult>(tasks.length);
  if (parallel <= 1) {
    tasks.forEach((t, k) => {
      results[k] = runTask(ctx, t);
      onDone(results[k], k + 1);
    });
    return results;
  }
  let next = 0;
  let done = 0;
  const workerFile = path.join(__dirname, 'worker.ts');
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      // A worker does not inherit tsx's loader: register tsx's CommonJS hook before loading worker.ts.
      const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(workerFile)});`;
      const worker = new Worker(boot, { eval: true, workerData: ctx });
      const feed = () => {
        if (next >= tasks.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        const k = next++;
        worker.once('message', (r: TaskResult) => {
          results[k] = r;
          onDone(r, ++done);
          feed();
        });
        worker.postMessage(tasks[k]);
      };
      worker.once('error', reject);
      feed();
    });
  await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, runWorker));
  return results;
}

export function defaultParallelism(): number {
  return Math.max(1, os.availableParallelism());
}
