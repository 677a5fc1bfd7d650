import { NativeConnection, Worker } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { createMlActivities } from '../activities/ml';
import { TASK_QUEUES } from '../workflows/definitions';
import { runWorkerProcess, temporalNamespace } from './env';

/** Fits surrogates and proposes batches; run it on the machines with the compute. */
export async function createMlWorker(opts: { connection: NativeConnection; db: Db }): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: temporalNamespace(),
    taskQueue: TASK_QUEUES.ml,
    activities: createMlActivities({ db: opts.db }),
    // Model fits are CPU-bound in this process: running many at once only slows each down.
    maxConcurrentActivityTaskExecutions: 2,
  });
}

if (require.main === module) {
  runWorkerProcess('ml', TASK_QUEUES.ml, async ({ connection, db }) => ({
    worker: await createMlWorker({ connection, db }),
  }));
}
