/** worker_threads entry: runs the campaign tasks the main thread posts (see tasks.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { CampaignTask, runTask, TaskContext } from './tasks';

const ctx = workerData as TaskContext;
parentPort?.on('message', (task: CampaignTask) => parentPort?.postMessage(runTask(ctx, task)));
